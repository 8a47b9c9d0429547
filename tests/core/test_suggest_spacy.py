"""spaCy sources for real: your own pipeline with a label mapping, and a model trained on the
corpus in a background process (progress, cancel, kill), evaluated on held-out documents."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from annotator.core.errors import LabelError
from annotator.core.model import GOLD_LAYER
from annotator.core.store import DocumentInput, Project
from annotator.core.suggest import training as tr
from annotator.core.suggest.spacy_model import PipelineError, PipelineSource, parse_mapping
from annotator.core.suggest.spacy_support import SpacyMissing
from tests.spacy_helpers import ruler_pipeline, tiny_corpus

pytest.importorskip("spacy")

LABELS = ["actor", "claim", "denial", "number"]
TEXT = "On October 31 Robert Wood told the Security Council that 4,500 troops left Ukraine 👩‍🔬."


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ruler_pipeline(tmp_path_factory.mktemp("pipelines") / "ontonotes")


def found(source: PipelineSource, text: str = TEXT) -> list[tuple[str, str]]:
    return [(text[p.start : p.end], p.label) for p in source.proposals("doc", text)]


def test_your_own_pipeline_with_the_default_mapping(pipeline: Path) -> None:
    source = PipelineSource.open(pipeline, LABELS)
    assert found(source) == [
        ("Robert Wood", "actor"),
        ("Security Council", "actor"),
        ("4,500", "number"),
        ("Ukraine", "actor"),
    ]
    assert source.ignored == ["DATE"]  # unmapped: ignored and listed
    assert source.source == "spacy:ontonotes"
    [first, *_] = source.proposals("doc", TEXT)
    assert first.detail.endswith("PERSON")


def test_a_mapping_of_your_own_and_one_onto_an_unknown_label(pipeline: Path) -> None:
    source = PipelineSource.open(pipeline, LABELS, parse_mapping("PERSON=actor, DATE=number"))
    assert found(source) == [("October 31", "number"), ("Robert Wood", "actor")]
    assert source.ignored == ["CARDINAL", "GPE", "ORG"]
    with pytest.raises(LabelError, match="maps onto 'villain', which is not a label of this project"):
        PipelineSource.open(pipeline, LABELS, {"PERSON": "villain"})
    with pytest.raises(LabelError, match="THEIRS=ours"):
        parse_mapping("PERSON")


def test_a_pipeline_for_other_labels(tmp_path: Path) -> None:
    other = ruler_pipeline(tmp_path / "other", [{"label": "DISEASE", "pattern": "flu"}])
    with pytest.raises(PipelineError, match="predicts DISEASE, none of which the label mapping maps"):
        PipelineSource.open(other, LABELS)


def test_what_is_not_a_usable_pipeline_is_one_clear_message(tmp_path: Path, pipeline: Path) -> None:
    with pytest.raises(PipelineError, match="no such folder"):
        PipelineSource.open(tmp_path / "missing", LABELS)
    (tmp_path / "empty").mkdir()
    with pytest.raises(PipelineError, match=r"not a spaCy pipeline \(no config.cfg or meta.json in it\)"):
        PipelineSource.open(tmp_path / "empty", LABELS)
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(PipelineError, match="not a folder"):
        PipelineSource.open(tmp_path / "file.txt", LABELS)
    with pytest.raises(PipelineError, match="no spaCy pipeline named 'en_core_web_nothing' is installed"):
        PipelineSource.open("en_core_web_nothing", LABELS)


def test_a_pipeline_of_another_spacy_version(tmp_path: Path) -> None:
    old = ruler_pipeline(tmp_path / "old")
    meta = json.loads((old / "meta.json").read_text())
    meta["spacy_version"] = ">=2.3.0,<2.4.0"
    (old / "meta.json").write_text(json.dumps(meta))
    before = sorted(p.name for p in old.iterdir())
    with pytest.raises(PipelineError, match=r"made for spaCy >=2.3.0,<2.4.0, but spaCy 3\.\S+ is installed"):
        PipelineSource.open(old, LABELS)
    assert sorted(p.name for p in old.iterdir()) == before


def test_a_damaged_pipeline(tmp_path: Path) -> None:
    broken = ruler_pipeline(tmp_path / "broken")
    (broken / "config.cfg").write_text("[nlp\nthis is not a config")
    with pytest.raises(PipelineError, match="cannot load the spaCy pipeline"):
        PipelineSource.open(broken, LABELS)


def test_without_spacy_the_sources_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, pipeline: Path
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(
        SpacyMissing, match=r"needs spaCy, which is not installed .*pip install 'annotator\[suggest\]'"
    ):
        PipelineSource.open(pipeline, LABELS)
    with pytest.raises(SpacyMissing, match="training a model needs spaCy"):
        tr.TrainingJob.start(tiny_corpus(), tr.TrainingSettings("alice", tuple(LABELS)), Path("unused"))


# -- training ---------------------------------------------------------------------------------


def settings(**changes: object) -> tr.TrainingSettings:
    base = {
        "layer": "alice",
        "labels": tuple(LABELS),
        "iterations": 6,
        "component": "ner",
        "min_documents": 6,
    }
    base.update(changes)
    return tr.TrainingSettings(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tr.TrainingEvent]]:
    """One real training, in the child process, at low priority."""
    folder = tmp_path_factory.mktemp("models") / "alice"
    job = tr.TrainingJob.start(tiny_corpus(10), settings(), folder)
    events = list(job.events(timeout=600))
    return folder, events


def test_training_reports_progress_and_saves_a_described_model(
    trained: tuple[Path, list[tr.TrainingEvent]],
) -> None:
    folder, events = trained
    kinds = [e.kind for e in events]
    assert kinds[0] == "started", events[-1].message
    assert kinds[-2:] == ["evaluated", "done"], events[-1].message
    steps = [e.step for e in events if e.kind == "progress"]
    assert steps == list(range(1, len(steps) + 1))
    assert steps[-1] == events[0].total
    assert events[0].data == {"train": 8, "held_out": 2}
    version = tr.current_version(folder)
    assert version.parent == folder
    assert json.loads((folder / "current.json").read_text()) == {"version": version.name}
    meta = json.loads((version / "annotator-model.json").read_text())
    assert meta["labels"] == LABELS
    assert meta["layer"] == "alice"
    assert meta["component"] == "ner"
    assert meta["training_data_sha256"] == tr.data_hash(tiny_corpus(10))
    assert meta["created"]
    assert meta["version"] == version.name
    assert meta["documents"]["held_out"] == 2
    held = [d for d in tiny_corpus(10) if d.id in meta["documents"]["held_out_ids"]]
    per_label = meta["scores"]["per_label"]
    assert per_label["actor"]["support"] == sum(1 for d in held for s in d.spans if s[2] == "actor")
    for score in per_label.values():
        for figure in ("precision", "recall", "f1"):
            assert score[figure] is None or 0.0 <= score[figure] <= 1.0
    assert set(meta["withheld_labels"]) == {
        label for label in LABELS if (per_label[label]["f1"] or 0.0) < meta["threshold"]
    }


def test_a_trained_model_proposes_only_labels_above_its_threshold(
    trained: tuple[Path, list[tr.TrainingEvent]],
) -> None:
    folder, _ = trained
    model = tr.open_model(folder, LABELS)
    assert "evaluated on 2 held out" in model.describe()
    assert "precision" in model.describe()
    assert model.source.source == f"model:alice@{tr.current_version(folder).name}"
    text = tiny_corpus(12)[11].text
    everything = tr.open_model(folder, LABELS, threshold=0.0).source.proposals("d", text)
    shown = model.source.proposals("d", text)
    assert {p.label for p in shown} <= set(LABELS) - set(model.source.withheld)
    assert set(shown) <= set(everything)
    for proposal in everything:
        assert 0 <= proposal.start < proposal.end <= len(text)
    nothing = tr.open_model(folder, LABELS, threshold=1.01).source.proposals("d", text)
    assert nothing == []


def test_a_model_for_other_labels_is_refused(trained: tuple[Path, list[tr.TrainingEvent]]) -> None:
    folder, _ = trained
    with pytest.raises(
        PipelineError, match="trained for the labels actor, claim, denial, number; this project has who"
    ):
        tr.open_model(folder, ["who"])
    with pytest.raises(PipelineError, match="no such models folder"):
        tr.open_model(folder.parent / "nothing", LABELS)


def _copy_of(folder: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "alice"
    shutil.copytree(folder, target)
    return target


def test_cancel_leaves_the_previous_model_in_place(
    trained: tuple[Path, list[tr.TrainingEvent]], tmp_path: Path
) -> None:
    folder = _copy_of(trained[0], tmp_path)
    before = (folder / "current.json").read_bytes()
    job = tr.TrainingJob.start(tiny_corpus(10, seed=1), settings(iterations=200), folder)
    for event in job.events(timeout=600):
        if event.kind == "progress":
            job.cancel()
    assert job.final is not None
    assert job.final.kind == "cancelled"
    assert "previous model is still in place" in job.final.message
    assert (folder / "current.json").read_bytes() == before
    assert not list(folder.glob(".partial-*"))
    tr.open_model(folder, LABELS)


def test_a_killed_training_leaves_the_previous_model_in_place(
    trained: tuple[Path, list[tr.TrainingEvent]], tmp_path: Path
) -> None:
    folder = _copy_of(trained[0], tmp_path)
    before = (folder / "current.json").read_bytes()
    job = tr.TrainingJob.start(tiny_corpus(10, seed=2), settings(iterations=200), folder)
    for event in job.events(timeout=600):
        if event.kind == "progress":
            os.kill(job.process.pid, signal.SIGKILL)
    assert job.final is not None
    assert job.final.kind == "error"
    assert "ended unexpectedly" in job.final.message
    assert "previous model is still in place" in job.final.message
    assert (folder / "current.json").read_bytes() == before
    tr.open_model(folder, LABELS)


def test_a_half_written_version_of_a_dead_training_is_cleaned_up_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    stale = folder / ".partial-999999999"
    stale.mkdir()
    (stale / "junk").write_text("x")
    import spacy

    nlp = spacy.blank("en")
    tr.save_model(folder, nlp, {"training_data_sha256": "ab" * 32, "layer": "alice"})
    assert not stale.exists()


def test_too_few_documents_says_how_many_are_needed(project: Project) -> None:
    project.add_documents([DocumentInput(f"d{i}", f"Robert Wood {i}") for i in range(4)])
    for i in range(3):
        project.add_span(f"d{i}", "alice", 0, 11, "actor")
        project.set_status(f"d{i}", "alice", "done")
    project.add_span("d3", "alice", 0, 11, "actor")  # in progress: not used
    docs = tr.collect(project, "alice")
    assert [d.id for d in docs] == ["d0", "d1", "d2"]
    with pytest.raises(
        tr.TrainingError,
        match=r"needs at least 10 documents marked done by alice; there are 3 \(7 more needed\)",
    ):
        tr.check_enough(docs, tr.TrainingSettings("alice", tuple(LABELS)))
    project.add_span("d3", GOLD_LAYER, 0, 11, "actor")
    assert [d.id for d in tr.collect(project, GOLD_LAYER)] == ["d3"]
    with pytest.raises(tr.TrainingError, match="no annotator named 'carol'"):
        tr.collect(project, "carol")


def test_spancat_where_spans_overlap_ner_where_they_do_not() -> None:
    flat = tiny_corpus(3)
    assert tr.choose_component(flat) == "ner"
    nested = [*flat, tr.TrainingDocument("n", "4,500 troops arrived", [(0, 20, "claim"), (0, 12, "number")])]
    assert tr.choose_component(nested) == "spancat"
    assert tr.choose_component(flat, "spancat") == "spancat"


def test_the_held_out_split_is_deterministic_and_disjoint() -> None:
    docs = tiny_corpus(10)
    train, held = tr.split(docs, 0.2, seed=3)
    assert len(held) == 2
    assert not {d.id for d in train} & {d.id for d in held}
    assert tr.split(docs, 0.2, seed=3) == (train, held)


def test_retraining_is_due_after_enough_new_documents(
    trained: tuple[Path, list[tr.TrainingEvent]], tmp_path: Path
) -> None:
    folder, _ = trained
    assert not tr.retrain_due(folder, tiny_corpus(10), every=5)
    assert tr.retrain_due(folder, tiny_corpus(15), every=5)
    assert not tr.retrain_due(tmp_path / "none", tiny_corpus(9))
    assert tr.retrain_due(tmp_path / "none", tiny_corpus(10))


def test_closing_a_running_job_cancels_it(tmp_path: Path) -> None:
    job = tr.TrainingJob.start(tiny_corpus(10), settings(iterations=500), tmp_path / "m")
    job.close()
    assert job.final is not None
    assert job.final.kind in ("cancelled", "error")
    assert job.process.poll() is not None
    assert not (tmp_path / "m" / "current.json").exists()
