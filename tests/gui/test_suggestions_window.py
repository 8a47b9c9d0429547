"""The window half of suggestions: proposals drawn apart from spans, walked and decided with the
keyboard, every decision undoable and stored, and the Suggestions panel — on the real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from annotator.core.store import Project
from tests.gui.conftest import project_with

DOC1 = (
    "Ambassador Vassily Nebenzia told the Security Council that Kyiv had lost 4,500 troops. "
    "The Pentagon denied the claims."
)
DOC2 = (
    "On Monday Vassily Nebenzia spoke again. The Pentagon said the Security Council was misled, "
    "and Vassily Nebenzia left."
)
DOC3 = "Nothing here repeats anything at all."


@pytest.fixture
def corpus(tmp_path: Path) -> Project:
    project = project_with(tmp_path / "work.db", DOC1, DOC2, DOC3)
    for needle in ("Vassily Nebenzia", "Security Council", "The Pentagon"):
        start = DOC1.index(needle)
        project.add_span("doc1", "alice", start, start + len(needle), "actor")
    return project


@pytest.fixture
def win(make_window, corpus: Project, settings):
    # Only the memory, so the proposals are exactly what the test names.
    for kind in ("patterns", "model", "spacy"):
        settings.set_text_value(settings.project_key(corpus.path, f"suggest/{kind}_on"), "0")
    window = make_window(corpus)
    window.open_document("doc2")
    return window


def keys(qtbot, window, *sequence) -> None:
    view = window.text_view
    view.setFocus()
    for key in sequence:
        modifiers = Qt.NoModifier
        if isinstance(key, tuple):
            key, modifiers = key
        qtbot.keyClick(view, key, modifiers)


def places(window) -> list[tuple[int, int, str, str]]:
    return [(p.start, p.end, p.label, p.source) for p in window.suggestions.proposals]


def texts(window) -> list[str]:
    return [p.text_in(window.session.text) for p in window.suggestions.proposals]


def test_memory_proposes_what_doc1_taught_on_doc2_and_never_puts_it_in_the_layer(win, corpus):
    assert texts(win) == ["Vassily Nebenzia", "The Pentagon", "Security Council", "Vassily Nebenzia"]
    assert {p.source for p in win.suggestions.proposals} == {"memory"}
    assert corpus.spans("doc2", "alice") == []
    assert win.session.spans == {}


def test_tab_walks_proposals_and_shift_tab_walks_back(win, qtbot):
    keys(qtbot, win, Qt.Key_Tab)
    assert win.suggestions.current == win.suggestions.proposals[0]
    keys(qtbot, win, Qt.Key_Tab, Qt.Key_Tab)
    assert win.suggestions.current == win.suggestions.proposals[2]
    keys(qtbot, win, Qt.Key_Backtab)
    assert win.suggestions.current == win.suggestions.proposals[1]
    assert win.text_view.hasFocus()  # Tab did not move the focus away
    # The caret is at the current proposal: the view shows it.
    assert win.text_view.cursor_offset() == win.suggestions.current.start


def test_tab_moves_the_focus_when_there_are_no_proposals(make_window, corpus, settings):
    window = make_window(corpus)
    window.open_document("doc3")
    assert window.suggestions.proposals == []
    window.text_view.setFocus()
    assert not window.next_proposal_action.isEnabled()
    QApplication.focusWidget()
    from PySide6.QtTest import QTest

    QTest.keyClick(window.text_view, Qt.Key_Tab)
    assert not window.text_view.hasFocus()


def test_enter_accepts_with_its_label_and_source_and_undo_redo(win, qtbot, corpus):
    keys(qtbot, win, Qt.Key_Tab)
    first = win.suggestions.current
    keys(qtbot, win, Qt.Key_Return)
    spans = corpus.spans("doc2", "alice")
    assert [(s.start, s.end, s.label, s.source) for s in spans] == [
        (first.start, first.end, "actor", "memory")
    ]
    assert first not in win.suggestions.proposals  # now a span, no longer a proposal
    assert win.suggestions.current == win.suggestions.proposals[0]  # went on to the next
    win.undo_action.trigger()
    assert corpus.spans("doc2", "alice") == []
    assert first in win.suggestions.proposals
    win.redo_action.trigger()
    assert [s.source for s in corpus.spans("doc2", "alice")] == ["memory"]


def test_a_digit_accepts_with_that_label_and_still_labels_a_selection(win, qtbot, corpus):
    keys(qtbot, win, Qt.Key_Tab)
    first = win.suggestions.current
    keys(qtbot, win, Qt.Key_2)  # claim
    (span,) = corpus.spans("doc2", "alice")
    assert (span.start, span.end, span.label, span.source) == (first.start, first.end, "claim", "memory")
    # A selection still wins: the digit labels it by hand (no source).
    win.text_view.select_range(0, 9)  # "On Monday"
    assert win.suggestions.current is None
    keys(qtbot, win, Qt.Key_4)
    by_hand = [s for s in corpus.spans("doc2", "alice") if s.start == 0]
    assert [(s.label, s.source) for s in by_hand] == [("number", None)]


@pytest.mark.parametrize("key", [Qt.Key_Backspace, Qt.Key_X])
def test_backspace_or_x_rejects_stored_not_proposed_again_and_undoable(win, qtbot, corpus, key):
    keys(qtbot, win, Qt.Key_Tab, Qt.Key_Tab)
    second = win.suggestions.current
    assert second.text_in(win.session.text) == "The Pentagon"
    keys(qtbot, win, key)
    assert [(r.start, r.end, r.label, r.source) for r in corpus.rejections("doc2", "alice")] == [
        (second.start, second.end, "actor", "memory")
    ]
    assert second not in win.suggestions.proposals
    assert corpus.spans("doc2", "alice") == []  # rejecting deletes nothing
    assert win.suggestions.tallies()[0].rejected == 1
    # Not proposed again: not after reopening the document, nor in a new window.
    win.open_document("doc1")
    win.open_document("doc2")
    assert second not in win.suggestions.proposals
    win.undo_action.trigger()  # doc2's own undo stack
    assert corpus.rejections("doc2", "alice") == []
    assert second in win.suggestions.proposals
    win.redo_action.trigger()
    assert len(corpus.rejections("doc2", "alice")) == 1
    assert second not in win.suggestions.proposals


def test_backspace_with_a_selected_span_still_deletes_it(win, qtbot, corpus):
    keys(qtbot, win, Qt.Key_Tab, Qt.Key_Return)
    (span,) = corpus.spans("doc2", "alice")
    win.select_span(span.id)
    assert win.suggestions.current is None  # picking a span leaves the proposals
    keys(qtbot, win, Qt.Key_Backspace)
    assert corpus.spans("doc2", "alice") == []
    assert corpus.rejections("doc2", "alice") == []


def test_shift_enter_accepts_all_of_the_source_in_one_undo_step(win, qtbot, corpus):
    keys(qtbot, win, Qt.Key_Tab, (Qt.Key_Return, Qt.ShiftModifier))
    spans = corpus.spans("doc2", "alice")
    assert len(spans) == 4
    assert {s.source for s in spans} == {"memory"}
    assert win.suggestions.proposals == []
    assert win.undo_action.text() == "&Undo Accept 4 proposal(s) from memory"
    win.undo_action.trigger()
    assert corpus.spans("doc2", "alice") == []
    assert len(win.suggestions.proposals) == 4
    win.redo_action.trigger()
    assert len(corpus.spans("doc2", "alice")) == 4


def test_memory_learns_the_moment_a_span_is_added_relabelled_or_deleted(win, qtbot, corpus):
    text = win.session.text
    start = text.index("Monday")
    win.text_view.select_range(start, start + len("Monday"))
    keys(qtbot, win, Qt.Key_4)  # number, by hand
    # Monday occurs once: nothing new here; but doc3 would get it. Relabel an accepted span instead:
    keys(qtbot, win, Qt.Key_Tab)
    nebenzia = win.suggestions.current
    assert nebenzia.text_in(text) == "Vassily Nebenzia"
    keys(qtbot, win, Qt.Key_2)  # accepted as claim: memory now splits actor 1 · claim 1
    other = [p for p in win.suggestions.proposals if p.text_in(text) == "Vassily Nebenzia"]
    assert len(other) == 1
    assert "claim 1" in other[0].detail
    # Deleting the span forgets it at once.
    span = next(s for s in corpus.spans("doc2", "alice") if s.label == "claim")
    win.select_span(span.id)
    keys(qtbot, win, Qt.Key_Delete)
    other = [p for p in win.suggestions.proposals if p.text_in(text) == "Vassily Nebenzia"]
    assert len(other) == 2
    assert all(p.detail == "labelled actor 1×" for p in other)


def _render(view) -> QImage:
    image = QImage(view.viewport().size(), QImage.Format_ARGB32)
    view.viewport().render(image)
    return image


def test_proposals_are_drawn_dashed_without_fill_and_named_in_the_tooltip(win, qtbot):
    view = win.text_view
    proposal = win.suggestions.proposals[0]
    segment = next(view.segments(proposal.start, proposal.end))
    with_marks = _render(view)
    view.proposal_marks.visible = False
    without = _render(view)
    view.proposal_marks.visible = True
    changed = [
        (x, y)
        for x in range(max(0, round(segment.x1) - 6), round(segment.x2) + 6)
        for y in range(max(0, round(segment.top) - 4), round(segment.bottom) + 4)
        if with_marks.pixel(x, y) != without.pixel(x, y)
    ]
    assert changed, "the proposal is drawn"
    # No fill: every pixel the proposal changed is on its outline, none inside it.
    for x, y in changed:
        on_edge = (
            min(abs(x - segment.x1), abs(x - segment.x2)) <= 4
            or min(abs(y - segment.top), abs(y - segment.bottom)) <= 4
        )
        assert on_edge, (x, y)
    # Dashed: along the top edge the outline comes and goes.
    top = round(segment.top) + 1
    row = [
        with_marks.pixel(x, top) != without.pixel(x, top)
        for x in range(round(segment.x1) + 4, round(segment.x2) - 4)
    ]
    assert any(row)
    assert not all(row)
    # Nothing of it is in the layer: no span, no tint.
    assert win.session.spans == {}
    lines = view.proposal_tooltip_lines(proposal.start)
    assert len(lines) == 1
    assert "memory" in lines[0]
    assert "labelled actor 1×" in lines[0]


def test_the_help_lists_the_new_keys_and_the_old_ones_stay(win):
    rows = dict(win.shortcut_rows())
    assert "Accept proposal" in rows.values()
    assert rows.get("X") == "Reject proposal"
    assert rows.get("Tab / Shift+Tab", "").startswith("Next / previous proposal")
    assert any("Shift+Return" in k for k in rows)
    assert rows.get("Del, Backspace") == "Delete span" or "Delete span" in rows.values()
    assert win.accept_proposal_action.shortcutContext() == Qt.WidgetShortcut
    assert win.accept_proposal_action in win.text_view.actions()


def test_enter_and_x_in_the_find_field_are_not_taken(win, qtbot):
    keys(qtbot, win, Qt.Key_Tab)
    win.open_find()
    field = win.find_bar.findChild(type(win.find_bar.field)) if hasattr(win.find_bar, "field") else None
    field = field or win.find_bar.focusWidget()
    field.setFocus()
    qtbot.keyClicks(field, "x")
    assert "x" in field.text()
    assert win.project.rejections("doc2", "alice") == []


def test_panel_switches_list_tallies_and_accept_all(win, qtbot, corpus):
    win.suggestions_panel_action.setChecked(True)
    panel = win.suggestions_panel
    assert panel.list.count() == 4
    assert "4 proposal(s): 4 from memory" in panel.summary.text()
    # Clicking a row makes it current; double-click (activate) accepts it.
    item = panel.list.item(1)
    second = item.data(Qt.UserRole)
    panel.list.itemClicked.emit(item)
    assert win.suggestions.current == second
    assert panel.list.currentRow() == 1
    panel.list.itemActivated.emit(panel.list.item(0))
    assert len(corpus.spans("doc2", "alice")) == 1
    assert panel.tally_table.item(0, 0).text() == "memory"
    assert [panel.tally_table.item(0, c).text() for c in range(4)] == ["memory", "1", "0", "100%"]
    panel.list.itemClicked.emit(panel.list.item(0))
    keys(qtbot, win, Qt.Key_X)
    assert [panel.tally_table.item(0, c).text() for c in range(4)] == ["memory", "1", "1", "50%"]
    # The memory's switch: its proposals go, and come back.
    panel.switches["memory"].setChecked(False)
    assert win.suggestions.proposals == []
    assert panel.list.count() == 0
    panel.switches["memory"].setChecked(True)
    assert panel.list.count() == 2
    # Accept all from the chosen source: one undo step.
    panel.accept_source.setCurrentText("memory")
    panel.accept_all_button.click()
    assert len(corpus.spans("doc2", "alice")) == 3
    assert win.suggestions.proposals == []
    win.undo_action.trigger()
    assert len(corpus.spans("doc2", "alice")) == 1


def test_spans_saved_by_another_program_teach_the_memory(win, corpus):
    other = Project.open(corpus.path)
    start = DOC1.index("Kyiv")
    other.add_span("doc1", "alice", start, start + 4, "actor")
    other.close()
    assert "Kyiv" not in texts(win)
    win.pick_up_external_changes()
    assert win.suggestions.states["memory"].source.memory.vote("Kyiv") is not None
    # doc2 has no "Kyiv"; doc3 neither: the memory knows it for the next document that does.
    assert len(win.suggestions.states["memory"].source.memory) == 4


def test_rejections_survive_a_new_window(make_window, corpus, settings):
    for kind in ("patterns", "model", "spacy"):
        settings.set_text_value(settings.project_key(corpus.path, f"suggest/{kind}_on"), "0")
    first = make_window(corpus)
    first.open_document("doc2")
    rejected = first.suggestions.proposals[0]
    first.suggestions.set_current(rejected)
    first.reject_current_proposal()
    first.close()
    second = make_window(corpus)
    second.open_document("doc2")
    assert rejected not in second.suggestions.proposals
    assert [r.key for r in corpus.rejections("doc2", "alice")] == [rejected.key]
