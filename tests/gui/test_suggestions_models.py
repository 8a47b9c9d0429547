"""The window's slow sources: a spaCy pipeline and a trained model compute off the GUI thread;
training runs in a child process with progress and cancel; the panel shows the model's scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import Status
from annotator.core.store import DocumentInput, Project

pytest.importorskip("spacy")

from tests.spacy_helpers import ruler_pipeline, tiny_corpus  # noqa: E402


def _options(settings, project: Project, **values: str) -> None:
    for name, value in values.items():
        settings.set_text_value(settings.project_key(project.path, f"suggest/{name}"), value)


def test_a_spacy_pipeline_proposes_from_the_worker_thread(make_window, tmp_path: Path, settings, qtbot):
    project = Project.open(tmp_path / "p.db")
    project.add_documents([DocumentInput("d1", "Robert Wood spoke to the Security Council about 40 drones.")])
    pipeline = ruler_pipeline(tmp_path / "ruler")
    _options(
        settings,
        project,
        memory_on="0",
        patterns_on="0",
        model_on="0",
        spacy_on="1",
        spacy_name=str(pipeline),
        spacy_map="PERSON=actor,ORG=actor,CARDINAL=number",
    )
    window = make_window(project)
    controller = window.suggestions
    # The first look shows nothing from the pipeline: it is computed in the worker.
    qtbot.waitUntil(lambda: len(controller.proposals) == 3, timeout=60_000)
    assert controller.worker._thread is not None
    assert controller.worker._thread.is_alive()
    found = [(p.text_in(window.session.text), p.label, p.source) for p in controller.proposals]
    assert found == [
        ("Robert Wood", "actor", "spacy:ruler"),
        ("Security Council", "actor", "spacy:ruler"),
        ("40", "number", "spacy:ruler"),
    ]
    window.suggestions_panel_action.setChecked(True)
    assert "spacy:ruler" in window.suggestions_panel.notes["spacy"].text()
    assert window.suggestions_panel.list.count() == 3


def test_a_mapping_onto_an_unknown_label_is_refused_with_its_name(make_window, tmp_path: Path, settings):
    project = Project.open(tmp_path / "p.db")
    project.add_documents([DocumentInput("d1", "Robert Wood spoke.")])
    pipeline = ruler_pipeline(tmp_path / "ruler")
    _options(settings, project, spacy_on="1", spacy_name=str(pipeline), spacy_map="PERSON=villain")
    window = make_window(project)
    state = window.suggestions.states["spacy"]
    assert state.source is None
    assert "villain" in state.error
    window.suggestions_panel_action.setChecked(True)
    assert "villain" in window.suggestions_panel.notes["spacy"].text()


def _done_corpus(path: Path, count: int) -> Project:
    project = Project.open(path)
    docs = tiny_corpus(count)
    project.add_documents([DocumentInput(d.id, d.text) for d in docs])
    for doc in docs:
        for start, end, label in doc.spans:
            project.add_span(doc.id, "alice", start, end, label)
        project.set_status(doc.id, "alice", Status.DONE)
    project.add_documents([DocumentInput("zz-new", "Robert Wood said that 40 drones arrived.")])
    return project


def test_train_in_the_background_then_model_proposals_and_scores(
    make_window, tmp_path: Path, settings, qtbot
):
    project = _done_corpus(tmp_path / "work.db", 10)
    _options(settings, project, memory_on="0", patterns_on="0", model_on="1", iterations="4", threshold="0")
    window = make_window(project)
    window.open_document("zz-new")
    controller = window.suggestions
    assert "no model yet" in controller.states["model"].error
    states: list[str] = []
    controller.training_changed.connect(lambda state, *_: states.append(state))
    window.train_model_action.trigger()
    assert controller.training
    assert not window.train_model_action.isEnabled()
    assert window.cancel_training_action.isEnabled()
    qtbot.waitUntil(lambda: not controller.training, timeout=300_000)
    assert states[-1] == "done", controller.training_state
    model = controller.states["model"]
    assert model.source is not None
    assert model.source.name.startswith("model:alice@")
    assert set(model.scores) == {"actor", "claim", "denial", "number"}
    panel = window.suggestions_panel
    assert panel.score_table.rowCount() == 4
    assert (tmp_path / "work.db.models" / "alice" / "current.json").is_file()
    # The model read the open document in the worker (what it proposes after four passes on ten
    # tiny documents is its business; where its proposals come from is ours).
    qtbot.waitUntil(lambda: not controller.engine.pending("zz-new"), timeout=60_000)
    assert not controller.computing
    assert {p.source for p in controller.proposals} <= {model.source.name}
    # A stricter threshold withholds the labels below it: they are not proposed.
    panel.threshold.setValue(1.0)
    panel.threshold.editingFinished.emit()
    strict = controller.states["model"]
    assert set(strict.withheld) == {label for label, s in strict.scores.items() if (s.f1 or 0.0) < 1.0}
    assert [
        row for row in range(panel.score_table.rowCount()) if panel.score_table.item(row, 4).text() == "no"
    ]
    qtbot.waitUntil(lambda: not controller.engine.pending("zz-new"), timeout=60_000)
    assert not {p.label for p in controller.proposals} & set(strict.withheld)


def test_cancel_training_keeps_no_half_model(make_window, tmp_path: Path, settings, qtbot):
    project = _done_corpus(tmp_path / "work.db", 10)
    _options(settings, project, iterations="500")
    window = make_window(project)
    controller = window.suggestions
    assert controller.train()
    qtbot.waitUntil(lambda: controller.training_state[1] >= 1, timeout=300_000)  # passes under way
    window.cancel_training_action.trigger()
    qtbot.waitUntil(lambda: not controller.training, timeout=120_000)
    assert controller.training_state[0] == "cancelled"
    folder = tmp_path / "work.db.models" / "alice"
    assert not (folder / "current.json").exists()
    assert not [p for p in folder.glob(".partial-*")] if folder.exists() else True


def test_too_few_done_documents_says_how_many(make_window, tmp_path: Path, settings):
    project = _done_corpus(tmp_path / "work.db", 3)
    window = make_window(project)
    assert not window.suggestions.train()
    state, _, _, message = window.suggestions.training_state
    assert state == "error"
    assert "7 more needed" in message
    window.suggestions_panel_action.setChecked(True)
    assert "7 more needed" in window.suggestions_panel.training_note.text()


def test_retrains_by_itself_after_the_set_number_of_done_documents(
    make_window, tmp_path: Path, settings, qtbot
):
    project = _done_corpus(tmp_path / "work.db", 10)
    project.set_status("doc-09", "alice", Status.IN_PROGRESS)
    _options(settings, project, retrain_every="1", iterations="500")
    window = make_window(project)
    window.open_document("doc-09")
    assert not window.suggestions.training
    window.toggle_done()  # the tenth done document: a first model is due
    assert window.suggestions.training
    window.suggestions.cancel_training()
    qtbot.waitUntil(lambda: not window.suggestions.training, timeout=120_000)
    # Editing a document that is already done does not start another training.
    window.text_view.select_range(0, 6)
    window.apply_label("claim")
    assert not window.suggestions.training
