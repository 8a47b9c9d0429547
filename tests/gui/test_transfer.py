"""File → Import… / Export…: dialogs, progress with cancel, summaries, and the project afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions
from annotator.core.store import DocumentInput, Project
from annotator.gui import messages as messages_module
from annotator.gui import transfer
from annotator.gui.transfer import ExportDialog, ImportDialog, ImportRequest, TransferProgress

TEXT = "Robert Wood 👩‍🔬 of the U.S. mission said 北朝鮮 troops\r\nare there."


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    shown: list[dict[str, object]] = []

    def record(parent, title, text, details="", warning=False) -> None:  # type: ignore[no-untyped-def]
        shown.append({"title": title, "text": text, "details": details, "warning": warning})

    monkeypatch.setattr(messages_module, "inform", lambda p, t, x, d="": record(p, t, x, d, False))
    monkeypatch.setattr(messages_module, "warn", lambda p, t, x, d="": record(p, t, x, d, True))
    return shown


@pytest.fixture
def annotated(project: Project) -> Project:
    project.add_documents(
        [DocumentInput("wood", TEXT, "Wood"), DocumentInput("empty", "Nothing yet.", "Empty")]
    )
    project.add_span("wood", "alice", 0, 11, "actor", note="US deputy ambassador")
    project.add_span("wood", "alice", 7, 11, "claim")  # nested: CoNLL must leave it out
    project.add_span("wood", "alice", 12, 13, "actor")  # the emoji
    project.add_span("wood", "bob", 44, 47, "actor")  # 北朝鮮
    return project


def test_export_dialog_builds_options_and_checks_them(qtbot, annotated: Project, tmp_path: Path) -> None:
    dialog = ExportDialog(annotated, "alice")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled()  # no output yet
    assert [dialog.layer_combo.itemData(i) for i in range(dialog.layer_combo.count())] == [
        None,
        "alice",
        "bob",
    ]
    dialog.output.setText(str(tmp_path / "out.conll"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("conll"))
    assert ok.isEnabled()
    assert "overlapping" in dialog.format_hint.text()
    dialog.layer_combo.setCurrentIndex(dialog.layer_combo.findData("bob"))
    dialog.done_only.setChecked(True)
    dialog.labels.item(1).setCheckState(Qt.Unchecked)
    assert dialog.options() == ExportOptions(
        format="conll",
        output=tmp_path / "out.conll",
        annotator="bob",
        done_only=True,
        labels=("actor", "denial", "number"),
    )
    dialog.split_check.setChecked(True)
    dialog.split_edit.setText("train=0.7,test=0.2")
    assert not ok.isEnabled()
    assert dialog.problem.isVisibleTo(dialog)
    assert "add up to 0.9" in dialog.problem.text()
    dialog.split_edit.setText("train=0.7,test=0.3")
    assert ok.isEnabled()
    assert dialog.options().split == (("train", 0.7), ("test", 0.3))
    for i in range(dialog.labels.count()):
        dialog.labels.item(i).setCheckState(Qt.Unchecked)
    assert not ok.isEnabled()
    assert "at least one label" in dialog.problem.text()


def test_export_dialog_offers_the_gold_layer_once_it_exists(qtbot, annotated: Project) -> None:
    annotated.add_span("wood", "gold", 0, 11, "actor")
    dialog = ExportDialog(annotated, "alice")
    qtbot.addWidget(dialog)
    assert dialog.layer_combo.itemData(dialog.layer_combo.count() - 1) == "gold"
    dialog.layer_combo.setCurrentIndex(dialog.layer_combo.count() - 1)
    dialog.output.setText("/tmp/x.jsonl")
    options = dialog.options()
    assert options.gold
    assert options.annotator is None


def test_export_writes_the_file_and_reports_what_was_left_out(
    qtbot, annotated: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    target = tmp_path / "corpus.conll"
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda cls, *a: ExportOptions("conll", target)))
    transfer.export_interactively(None, annotated, "alice")
    assert target.read_text(encoding="utf-8").startswith(
        "-DOCSTART- -X- O O\n\nRobert -X- doc=wood|annotator=alice B-actor\nWood -X- O I-actor\n"
    )
    (message,) = messages
    assert message["title"] == "Export finished"
    assert "Exported 1 document(s) as 2 record(s) with 4 span(s)" in str(message["text"])
    assert "1 documents the layer has not touched" in str(message["text"])  # "empty": nobody opened it
    assert "1 overlapping spans" in str(message["text"])
    assert "1 span notes" in str(message["text"])
    assert "wood/alice [7, 11) claim 'Wood'" in str(message["details"])


def test_export_error_and_cancel_write_nothing(
    qtbot, annotated: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda cls, *a: ExportOptions("brat", full)))
    transfer.export_interactively(None, annotated, "alice")
    assert messages[-1]["warning"]
    assert "not an empty folder" in str(messages[-1]["text"])
    assert "Nothing was written" in str(messages[-1]["text"])

    target = tmp_path / "out.jsonl"
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda cls, *a: ExportOptions("jsonl", target)))
    monkeypatch.setattr(TransferProgress, "canceled", lambda self: True)
    transfer.export_interactively(None, annotated, "alice")
    assert messages[-1]["title"] == "Export cancelled"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("project.db")) == ["full"]


def test_import_adds_documents_and_spans_and_summarises(
    qtbot, annotated: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    source = tmp_path / "source.jsonl"
    export_corpus(annotated, ExportOptions("doccano", source, include_untouched=True))
    with Project.open(tmp_path / "fresh.db") as fresh:
        request = ImportRequest((source,), ImportOptions())
        monkeypatch.setattr(ImportDialog, "ask", classmethod(lambda cls, *a: request))
        assert transfer.import_interactively(None, fresh, "alice")
        assert [s.key for s in fresh.spans("wood", "alice")] == [
            s.key for s in annotated.spans("wood", "alice")
        ]
        assert fresh.document("wood").text == TEXT
        assert "Imported 2 new document(s) and 4 span(s)." in str(messages[-1]["text"])
        # Importing the same file again changes nothing and says so.
        assert not transfer.import_interactively(None, fresh, "alice")
        assert "2 document(s) were already in the project" in str(messages[-1]["text"])
        assert "4 spans the layer already had" in str(messages[-1]["text"])


def test_import_error_or_cancel_keeps_the_project_unchanged(
    qtbot, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = [
        {
            "id": "a",
            "text": "Kim said",
            "annotator": "x",
            "spans": [{"start": 0, "end": 3, "label": "actor"}],
        },
        {"id": "b", "text": "Lee", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "villain"}]},
    ]
    bad.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    monkeypatch.setattr(
        ImportDialog, "ask", classmethod(lambda cls, *a: ImportRequest((bad,), ImportOptions()))
    )
    assert not transfer.import_interactively(None, project, "alice")
    assert messages[-1]["warning"]
    assert f"{bad}:2: unknown label 'villain'" in str(messages[-1]["text"])
    assert "the project is unchanged" in str(messages[-1]["text"])
    assert project.document_ids() == []

    monkeypatch.setattr(
        ImportDialog,
        "ask",
        classmethod(lambda cls, *a: ImportRequest((bad,), ImportOptions(add_labels=True))),
    )
    monkeypatch.setattr(TransferProgress, "canceled", lambda self: True)
    assert not transfer.import_interactively(None, project, "alice")
    assert messages[-1]["title"] == "Import cancelled"
    assert project.document_ids() == []
    assert "villain" not in project.labels().names


def test_dialogs_offer_the_registrys_formats(qtbot, project: Project) -> None:
    from annotator.core.formats import registry

    export = ExportDialog(project, "alice")
    qtbot.addWidget(export)
    combo = export.format_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(registry.EXPORT_FORMATS)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        registry.BY_NAME[name].title for name in registry.EXPORT_FORMATS
    ]
    for index, name in enumerate(registry.EXPORT_FORMATS):
        combo.setCurrentIndex(index)
        assert export.format_hint.text() == registry.BY_NAME[name].hint
    imported = ImportDialog(project, "alice")
    qtbot.addWidget(imported)
    combo = imported.format_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, *registry.IMPORT_FORMATS]


def test_import_dialog_collects_paths_and_options(qtbot, project: Project, tmp_path: Path) -> None:
    dialog = ImportDialog(project, "alice")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled()
    dialog.add_path(tmp_path / "a.jsonl")
    dialog.add_path(tmp_path / "a.jsonl")
    dialog.add_path(tmp_path / "brat")
    assert ok.isEnabled()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("conll"))
    dialog.annotator.setText("bad/name")
    assert not ok.isEnabled()
    assert "not allowed" in dialog.problem.text()
    dialog.annotator.setText("carol")
    dialog.add_labels.setChecked(True)
    assert dialog.request() == ImportRequest(
        (tmp_path / "a.jsonl", tmp_path / "brat"),
        ImportOptions(format="conll", annotator="carol", add_labels=True),
    )


def test_progress_dialog_follows_the_run(qtbot) -> None:
    progress = TransferProgress(None, "Export", "Exporting…")
    progress(5, 10)
    assert progress.dialog.maximum() == 10
    assert progress.dialog.value() == 5
    progress.dialog.cancel()
    with pytest.raises(transfer.Cancelled):
        progress(6, 10)
    progress.close()


def test_main_window_file_import_refreshes_the_document_list(
    make_window, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "new", "text": "Kim said so.", "label": [[0, 3, "actor"]]}) + "\n")
    window = make_window(project)
    monkeypatch.setattr(
        ImportDialog,
        "ask",
        classmethod(lambda cls, *a: ImportRequest((source,), ImportOptions(annotator="alice"))),
    )
    window.import_documents()
    assert window.doc_model.row_of("new") is not None
    assert [s.label for s in project.spans("new", "alice")] == ["actor"]
