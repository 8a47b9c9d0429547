"""The span list and document list are real Qt models: qtmodeltester checks them while they change."""

from __future__ import annotations

from pathlib import Path

from annotator.core.model import Status
from annotator.gui.models import DocumentFilter, DocumentListModel, SpanListModel
from annotator.gui.session import LayerSession
from tests.gui.conftest import project_with


def test_span_list_model_passes_qtmodeltester_while_editing(qtmodeltester, seeded) -> None:
    session = LayerSession(seeded, "alice")
    session.load("nk-troops-kursk")
    model = SpanListModel(session)
    # check() also watches every later change of the model (inserts, removals, moves).
    qtmodeltester.check(model, force_py=True)
    text = session.text
    first = session.create_span(text.index("Robert Wood"), text.index("Robert Wood") + 11, "actor")
    session.create_spans(
        [(i, i + 5) for i in range(len(text)) if text.startswith("Kursk", i)], "number", "label all"
    )
    assert model.rowCount() == 1 + text.count("Kursk")
    assert [model.span_at(r).start for r in range(model.rowCount())] == sorted(
        model.span_at(r).start for r in range(model.rowCount())
    )
    session.resize(first.id, first.start - 50, first.end)  # moves the row
    assert model.span_at(model.row_of(first.id)).start == first.start - 50
    session.relabel([first.id], "claim")
    assert model.index(model.row_of(first.id), SpanListModel.LABEL).data() == "claim"
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert model.span_at(model.row_of(first.id)).start == first.start
    session.delete_spans([first.id])
    assert model.rowCount() == text.count("Kursk")
    session.undo_stack.undo()
    assert model.rowCount() == text.count("Kursk") + 1
    session.load("nk-troops-kursk")  # a reset
    assert model.rowCount() == text.count("Kursk") + 1


def test_document_list_model_passes_qtmodeltester(qtmodeltester, tmp_path: Path) -> None:
    project = project_with(tmp_path / "p.db", "one", "two", "three")
    project.set_status("doc2", "alice", Status.DONE)
    model = DocumentListModel()
    model.set_summaries(project.summaries(), "alice")
    qtmodeltester.check(model, force_py=True)
    model.update_document("doc1", Status.IN_PROGRESS, 4)
    assert model.index(0, DocumentListModel.SPANS).data() == 4
    assert model.progress() == (1, 3)
    proxy = DocumentFilter()
    proxy.setSourceModel(model)
    proxy.set_status("unfinished")
    assert proxy.rowCount() == 2
    model.set_summaries(project.summaries(), "alice")
    assert proxy.rowCount() == 2


def test_document_filter_passes_qtmodeltester(qtmodeltester, tmp_path: Path) -> None:
    project = project_with(tmp_path / "p.db", "one", "two", "three")
    project.set_status("doc2", "alice", Status.DONE)
    model = DocumentListModel()
    model.set_summaries(project.summaries(), "alice")
    proxy = DocumentFilter()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_status("done")
    assert proxy.rowCount() == 1
    proxy.set_status("all")
    assert proxy.rowCount() == 3
