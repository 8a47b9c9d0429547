"""Issue 16, item 3: the document table reads the project's list a page at a time, filtered by
the project's status index, and shows exactly what the whole list would (qtmodeltester too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.core.store import DocumentInput, DocumentList, Project
from annotator.gui.documents import PAGE, DocumentPane
from annotator.gui.models import DOC_ID_ROLE

COUNT = 5 * PAGE + 7


@pytest.fixture
def big(tmp_path: Path) -> Project:
    project = Project.open(tmp_path / "big.db")
    project.add_documents(DocumentInput(f"d{i:05d}", f"text {i}", f"Title {i}") for i in range(COUNT))
    for i in range(0, COUNT, 3):
        project.set_status(f"d{i:05d}", "alice", "done")
    project.add_span("d00001", "alice", 0, 4, "actor")
    yield project
    project.close()


def test_the_table_reads_only_the_pages_in_view(qtbot, big: Project, monkeypatch) -> None:
    asked: list[tuple[int, int, str]] = []
    original = Project.summary_page

    def spy(self, first, count, *, annotator="", status="all"):
        asked.append((first, count, status))
        return original(self, first, count, annotator=annotator, status=status)

    monkeypatch.setattr(Project, "summary_page", spy)
    pane = DocumentPane()
    qtbot.addWidget(pane)
    summaries = big.summaries()
    assert isinstance(summaries, DocumentList)
    assert summaries.lazy
    pane.resize(300, 400)
    pane.set_summaries(summaries, "alice")
    pane.show()
    qtbot.waitExposed(pane)
    assert pane.filter.rowCount() == COUNT
    assert {first for first, _, _ in asked} <= {0}  # the first screen: one page, not every row
    assert pane.progress_label.text() == f"{len(range(0, COUNT, 3))} of {COUNT} done"

    last = pane.filter.index(COUNT - 1, 0)
    assert last.data(DOC_ID_ROLE) == f"d{COUNT - 1:05d}"
    assert len({first for first, _, _ in asked}) <= 2

    pane.set_filter("unfinished")
    unfinished = [f"d{i:05d}" for i in range(COUNT) if i % 3]
    assert pane.filter.rowCount() == len(unfinished)
    assert pane.neighbour("d00001", 1) == "d00002"
    assert pane.neighbour("d00002", 1) == "d00004"  # d00003 is done: not shown
    pane.select("d00004")
    assert pane.view.currentIndex().data(DOC_ID_ROLE) == "d00004"
    assert all(count == PAGE for _, count, _ in asked)


def test_the_table_shows_what_the_whole_list_shows(qtbot, qtmodeltester, big: Project) -> None:
    pane = DocumentPane()
    qtbot.addWidget(pane)
    pane.set_summaries(big.summaries(), "alice")
    everything = list(big.summaries())
    for key in ("all", "unfinished", "todo", "in_progress", "done"):
        pane.set_filter(key)
        shown = [pane.filter.index(row, 0).data(DOC_ID_ROLE) for row in range(pane.filter.rowCount())]
        expected = [
            s.id
            for s in everything
            if key == "all"
            or (key == "unfinished" and s.status_for("alice").value != "done")
            or s.status_for("alice").value == key
        ]
        assert shown == expected, key
    pane.set_filter("all")
    assert pane.model.index(1, 2).data() == 1  # d00001's span
    assert pane.model.index(1, 0).data(Qt.DisplayRole) == "Title 1"

    # A write of the window: the row follows, the filtered list too.
    pane.set_filter("unfinished")
    before = pane.filter.rowCount()
    big.set_status("d00001", "alice", "done")
    pane.update_document("d00001", big.status("d00001", "alice"), 1)
    assert pane.filter.rowCount() == before - 1
    assert pane.model.row_of("d00001") is None
    qtmodeltester.check(pane.model)


def test_a_plain_list_is_shown_and_filtered_in_memory(qtbot, big: Project) -> None:
    pane = DocumentPane()
    qtbot.addWidget(pane)
    pane.set_summaries(list(big.summaries())[:10], "alice")
    pane.set_filter("done")
    assert [pane.filter.index(r, 0).data(DOC_ID_ROLE) for r in range(pane.filter.rowCount())] == [
        "d00000",
        "d00003",
        "d00006",
        "d00009",
    ]
