"""The annotating loop as a user drives it: keys on the real article view, then the project file.

Each test here pins down one fault found by trying the window as an annotator would (issue 11):
a relabel that landed on the neighbouring span, a dropped closing quote, a caret left inside
the new span, a restored span not selected, Ctrl+PgDown ignoring the list's filter, a label-all
menu that did not say what it would do, a help table with live undo texts and cut rows, and
readability (label names, tints, the find highlight, the span list, one reading font).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QTextCursor
from PySide6.QtWidgets import QApplication

from annotator.core.model import Status
from annotator.core.text_ops import find_all
from annotator.gui.models import SpanListModel
from annotator.gui.widgets import NoteDialog
from tests.gui.conftest import OFFSCREEN_NOISE, project_with
from tests.gui.test_annotating import _cursor_at, select_in_widget, stored


def by_text(window) -> dict[str, str]:
    text = window.session.text
    return {text[s:e]: label for s, e, label in stored(window)}


def span_id_of(window, needle: str) -> int:
    text = window.session.text
    return next(s.id for s in window.session.spans.values() if text[s.start : s.end] == needle)


def click_on(window, qtbot, offset: int) -> None:
    view = window.text_view
    rect = view.cursorRect(_cursor_at(view, window.session.offsets.to_utf16(offset)))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center() + QPoint(2, 0))


def list_shows(window) -> int | None:
    """The span the span list's current row shows."""
    index = window.span_view.selectionModel().currentIndex()
    return window.span_model.span_at(index.row()).id if index.isValid() else None


def keys_select(window, qtbot, start: int, count: int) -> None:
    """Put the caret before code point ``start`` and press Shift+Right ``count`` times."""
    view = window.text_view
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.session.offsets.to_utf16(start))
    view.setTextCursor(cursor)
    view.setFocus()
    for _ in range(count):
        qtbot.keyClick(view, Qt.Key_Right, Qt.ShiftModifier)


def test_relabelling_twice_relabels_the_same_span(window, qtbot, monkeypatch) -> None:
    """Select a span between two others, press 2 then 3: that span is denial, its neighbours
    untouched — and it stays the selected span through resize, note, undo and redo."""
    view = window.text_view
    for needle in ("Robert Wood", "Security Council", "Anna Evstigneeva"):
        select_in_widget(window, needle)
        qtbot.keyClick(view, Qt.Key_1)
    middle = span_id_of(window, "Security Council")
    click_on(window, qtbot, window.session.spans[middle].start + 3)
    assert window.selected_span == middle
    qtbot.keyClick(view, Qt.Key_2)
    qtbot.keyClick(view, Qt.Key_3)
    assert by_text(window) == {
        "Robert Wood": "actor",
        "Security Council": "denial",
        "Anna Evstigneeva": "actor",
    }
    assert window.selected_span == middle
    assert list_shows(window) == middle
    qtbot.keyClick(view, Qt.Key_Right, Qt.AltModifier)  # resize: the row may move
    assert window.selected_span == middle
    monkeypatch.setattr(NoteDialog, "ask", classmethod(lambda cls, *_a: "the Council"))
    qtbot.keyClick(view, Qt.Key_E, Qt.ControlModifier)
    assert window.selected_span == middle
    for _ in range(3):  # note, resize, second relabel
        qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
        assert window.selected_span == middle
        assert list_shows(window) == middle
    qtbot.keyClick(view, Qt.Key_Y, Qt.ControlModifier)  # the relabel to denial again
    assert window.selected_span == middle
    qtbot.keyClick(view, Qt.Key_4)
    assert by_text(window) == {
        "Robert Wood": "actor",
        "Security Council": "number",
        "Anna Evstigneeva": "actor",
    }


def test_a_quoted_denial_keeps_its_closing_quote(window, qtbot) -> None:
    text = window.session.text
    quoted = "dismissed claims of North Korean troop deployments as “lies”"
    start = text.index(quoted)
    keys_select(window, qtbot, start, len(quoted) - 1)  # stop short of the closing quote
    qtbot.keyClick(window.text_view, Qt.Key_3)
    assert by_text(window) == {quoted: "denial"}
    keys_select(window, qtbot, text.index("“Russia has enlisted"), len("“Russia has enlisted"))
    qtbot.keyClick(window.text_view, Qt.Key_2)  # its partner is far away: the quote goes
    assert by_text(window)["Russia has enlisted"] == "claim"


def test_after_labelling_the_caret_is_after_the_span(window, qtbot) -> None:
    text = window.session.text
    start = text.index("Robert Wood")
    keys_select(window, qtbot, start + 1, 8)  # "obert Wo": snapping makes it "Robert Wood"
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert by_text(window) == {"Robert Wood": "actor"}
    assert not window.text_view.textCursor().hasSelection()
    assert window.text_view.cursor_offset() == start + len("Robert Wood")
    # Shift+Right goes on from there: the next selection is outside the span.
    for _ in range(6):
        qtbot.keyClick(window.text_view, Qt.Key_Right, Qt.ShiftModifier)
    assert window.text_view.selection_range() == (start + 11, start + 17)


def test_undoing_a_delete_selects_the_restored_span(window, qtbot) -> None:
    view = window.text_view
    for needle in ("Robert Wood", "Anna Evstigneeva"):
        select_in_widget(window, needle)
        qtbot.keyClick(view, Qt.Key_1)
    wood = span_id_of(window, "Robert Wood")
    click_on(window, qtbot, window.session.spans[wood].start + 2)
    qtbot.keyClick(view, Qt.Key_Delete)
    assert window.selected_span == span_id_of(window, "Anna Evstigneeva")  # the next one
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert window.selected_span == wood
    assert list_shows(window) == wood
    qtbot.keyClick(view, Qt.Key_2)  # the restored span is the one relabelled
    assert by_text(window) == {"Robert Wood": "claim", "Anna Evstigneeva": "actor"}


def test_the_note_dialog_saves_with_ctrl_enter(window, qtbot) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    still_open: list[bool] = []

    def type_note() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, NoteDialog):
            QTimer.singleShot(10, type_note)
            return
        qtbot.keyClicks(dialog.edit, "deputy")
        qtbot.keyClick(dialog.edit, Qt.Key_Return, Qt.ControlModifier)
        still_open.append(dialog.isVisible())
        if dialog.isVisible():
            dialog.reject()  # never hang the test on a dialog that ignores the key

    QTimer.singleShot(0, type_note)
    qtbot.keyClick(window.text_view, Qt.Key_E, Qt.ControlModifier)
    assert still_open == [False]
    assert window.project.spans(window.session.doc_id, "alice")[0].note == "deputy"


def test_ctrl_pgdown_walks_the_documents_the_list_shows(make_window, tmp_path: Path, qtbot) -> None:
    project = project_with(tmp_path / "p.db", "one", "two", "three", "four")
    project.set_status("doc2", "alice", Status.DONE)
    project.set_status("doc4", "alice", Status.DONE)
    window = make_window(project)
    window.status_filter.setCurrentIndex(window.status_filter.findData("unfinished"))
    assert window.session.doc_id == "doc1"
    qtbot.keyClick(window.text_view, Qt.Key_PageDown, Qt.ControlModifier)
    assert window.session.doc_id == "doc3"
    qtbot.keyClick(window.text_view, Qt.Key_PageDown, Qt.ControlModifier)
    assert window.session.doc_id == "doc1"  # round the end of what the list shows
    qtbot.keyClick(window.text_view, Qt.Key_PageUp, Qt.ControlModifier)
    assert window.session.doc_id == "doc3"


# A popup menu on the offscreen platform: it cannot raise it or grab the keyboard, and says so.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise", "does not support grabbing")
def test_the_label_all_menu_says_what_it_labels_and_how_often(window, qtbot) -> None:
    text = window.session.text
    count = len(find_all(text, "North Korean", case_sensitive=True, whole_word=True))
    select_in_widget(window, "North Korean")
    qtbot.keyClick(window.text_view, Qt.Key_4)  # one of them is a number already
    select_in_widget(window, "North Korean", occurrence=1)
    seen: list[str] = []

    def answer() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(10, answer)
            return
        seen.extend(action.text() for action in menu.actions() if not action.isSeparator())
        qtbot.keyClick(menu, Qt.Key_4)
        if menu.isVisible():
            menu.close()

    QTimer.singleShot(0, answer)
    qtbot.keyClick(window.text_view, Qt.Key_L, Qt.ControlModifier)
    assert seen[0] == f"Label {count} occurrences of “North Korean” as:"
    assert seen[1] == "&1  actor"
    assert seen[4] == f"&4  number   ({count - 1} new)"
    assert sum(1 for label in by_text(window).values() if label == "number") == 1
    assert len(stored(window)) == count


def test_the_shortcuts_help_names_every_command_and_cuts_no_row(window, qtbot) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)  # the Undo action now reads "Undo Add actor …"
    seen: dict[str, object] = {}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.windowTitle() != "Keyboard shortcuts":
            QTimer.singleShot(10, look)
            return
        table = dialog.table
        metrics = table.fontMetrics()
        rows, cut = [], []
        for row in range(table.rowCount()):
            cells = [table.item(row, column).text() for column in (0, 1)]
            rows.append(tuple(cells))
            for column, text in enumerate(cells):
                rect = table.visualRect(table.model().index(row, column))
                if (
                    rect.width() < metrics.horizontalAdvance(text) + 6
                    or rect.right() > table.viewport().width()
                ):
                    cut.append(text)
        seen["rows"], seen["cut"] = rows, cut
        screen = QGuiApplication.primaryScreen().availableGeometry()
        seen["fits"] = dialog.width() <= screen.width() and dialog.height() <= screen.height()
        dialog.reject()

    QTimer.singleShot(0, look)
    qtbot.keyClick(window.text_view, Qt.Key_F1)
    rows = dict(seen["rows"])
    assert rows["Ctrl+Z"] == "Undo"
    assert rows["Ctrl+Shift+Z, Ctrl+Y"] == "Redo"
    assert rows["Ctrl+L"] == "Label all occurrences"
    assert seen["cut"] == []
    assert seen["fits"]


def test_label_names_can_be_shown_above_the_spans(window, qtbot) -> None:
    view = window.text_view
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(view, Qt.Key_1)
    text = window.session.text
    start = text.index("Robert Wood")
    view.select_range(start, start + 6)  # "Robert", nested at the same start
    qtbot.keyClick(view, Qt.Key_2)
    assert not view.names.tags(view.viewport().rect())
    window.label_names_action.trigger()
    assert window.settings.label_names
    tags = view.names.tags(view.viewport().rect())
    assert sorted(name for _rect, name, _color in tags) == ["actor", "claim"]
    (first, *_), (second, *_) = tags
    assert not first.intersects(second)  # nested spans' names side by side, both readable
    line_top = next(view.segments(start, start + 1)).top
    assert all(rect.bottom() <= line_top for rect, _n, _c in tags)  # above the line, not over it
    image = view.viewport().grab().toImage()
    rect, _name, color = tags[0]
    inside = [
        image.pixelColor(round(rect.left()) + 2, y)
        for y in range(round(rect.top()) + 1, round(rect.bottom()))
    ]
    assert color in inside
    window.label_names_action.trigger()
    assert not view.names.visible
    # Switching keeps the place: the selected span, the find matches, the text.
    selected = window.selected_span
    qtbot.keyClick(view, Qt.Key_F, Qt.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "Kursk")
    window.label_names_action.trigger()
    assert window.selected_span == selected
    assert view.extraSelections()
    assert view.document().toPlainText() == window.session.offsets.qt_text(text)


def test_every_label_tint_is_told_apart_and_so_is_the_find_highlight(window, qtbot) -> None:
    from annotator.gui import colors

    palette = window.text_view.palette()
    labels = list(window.project.labels())
    tints = {label.name: colors.tint(label.color, palette) for label in labels}
    names = list(tints)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert colors._hue_distance(tints[a], tints[b]) >= 30, (a, b)
    qtbot.keyClick(window.text_view, Qt.Key_F, Qt.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "Kursk")
    highlights = {s.format.background().color().name() for s in window.text_view.extraSelections()}
    assert highlights
    for highlight in highlights:
        for label in labels:
            assert colors._hue_distance(QColor(highlight), QColor(label.color)) >= colors.FIND_HUE_DISTANCE


def test_the_span_list_gives_the_text_column_the_free_width(window, qtbot, make_window, settings) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    header = window.span_view.horizontalHeader()
    width = window.span_view.viewport().width()
    assert header.sectionSize(SpanListModel.TEXT) >= 0.4 * width
    used = sum(header.sectionSize(c) for c in range(header.count()))
    assert used <= width
    window.close()  # the layout is saved ...
    again = make_window(window.project, settings_=settings)  # ... and restored
    header = again.span_view.horizontalHeader()
    assert header.sectionSize(SpanListModel.TEXT) >= 0.4 * again.span_view.viewport().width()


def test_both_windows_read_in_one_font(window, qtbot, monkeypatch) -> None:
    from annotator.gui import review
    from annotator.gui.review_dialogs import AnnotatorPairDialog

    window.project.add_span(window.session.doc_id, "bob", 0, 3, "actor")
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    qtbot.keyClick(window.text_view, Qt.Key_Plus, Qt.ControlModifier)
    monkeypatch.setattr(AnnotatorPairDialog, "ask", classmethod(lambda cls, parent, names: ("alice", "bob")))
    reviewing = review.open_review(window, window.project)
    qtbot.addWidget(reviewing)
    font, other = window.text_view.font(), reviewing.text_view.font()
    assert (other.family(), other.pointSize()) == (font.family(), font.pointSize())
