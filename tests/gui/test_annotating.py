"""Annotating with the real window: select, press a key, and look in the project file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from annotator.core.errors import ProjectError
from annotator.core.store import NewSpan, Project
from tests.gui.conftest import project_with


def stored(window) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in window.project.spans(window.session.doc_id, "alice")]


def select_in_widget(window, needle: str, occurrence: int = 0) -> None:
    """Select ``needle`` with Qt's own search (UTF-16 positions), not through OffsetMap."""
    view = window.text_view
    cursor = QTextCursor(view.document())
    for _ in range(occurrence + 1):
        cursor = view.document().find(needle, cursor)
        assert not cursor.isNull(), needle
    view.setTextCursor(cursor)
    view.setFocus()


def test_select_and_press_a_hotkey_creates_the_span(window, qtbot) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    text = window.session.text
    start = text.index("Robert Wood")
    assert stored(window) == [(start, start + 11, "actor")]
    assert window.span_model.rowCount() == 1
    assert window.selected_span == window.project.spans(window.session.doc_id, "alice")[0].id
    assert "1 span" in window.status_counts.text()
    assert "saved" in window.status_saved.text()


def test_snapping_widens_to_words_and_trims_punctuation(window, qtbot) -> None:
    text = window.session.text
    start = text.index("obert Wood,")
    window.text_view.select_range(start - 2, start + len("obert Wood,") + 1)  # " Robert Wood, "
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert [text[s:e] for s, e, _ in stored(window)] == ["Robert Wood"]


def test_snapping_can_be_turned_off(window, qtbot) -> None:
    window.snap_action.trigger()
    assert window.settings.snapping is False
    text = window.session.text
    start = text.index("Robert Wood")
    window.text_view.select_range(start + 1, start + 4)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert [text[s:e] for s, e, _ in stored(window)] == ["obe"]


def test_relabel_resize_delete_undo_redo(window, qtbot) -> None:
    view = window.text_view
    text = window.session.text
    start = text.index("Robert Wood")
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(view, Qt.Key_1)
    qtbot.keyClick(view, Qt.Key_2)  # the new span is selected: relabel it
    assert stored(window) == [(start, start + 11, "claim")]
    assert window.undo_action.text().replace("&", "").startswith("Undo Relabel")
    qtbot.keyClick(view, Qt.Key_Right, Qt.AltModifier)
    qtbot.keyClick(view, Qt.Key_Left, Qt.AltModifier | Qt.ShiftModifier)
    assert stored(window) == [(start - 1, start + 12, "claim")]
    qtbot.keyClick(view, Qt.Key_Right, Qt.AltModifier | Qt.ShiftModifier)
    qtbot.keyClick(view, Qt.Key_Left, Qt.AltModifier)
    assert stored(window) == [(start, start + 11, "claim")]
    qtbot.keyClick(view, Qt.Key_Delete)
    assert stored(window) == []
    assert window.span_model.rowCount() == 0
    assert "Delete" in window.undo_action.text()
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert stored(window) == [(start, start + 11, "claim")]
    assert window.span_model.rowCount() == 1
    for _ in range(5):  # the four boundary moves and the relabel
        qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert stored(window) == [(start, start + 11, "actor")]
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert stored(window) == []
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert stored(window) == [(start, start + 11, "actor")]
    qtbot.keyClick(view, Qt.Key_Y, Qt.ControlModifier)
    assert stored(window) == [(start, start + 11, "claim")]


def test_nested_and_overlapping_spans_are_each_selectable(window, qtbot) -> None:
    text = window.session.text
    claim = "the number of North Korean troops is nearly double the 4,500"
    c0 = text.index(claim)
    n0 = text.index("4,500")
    select_in_widget(window, claim)
    qtbot.keyClick(window.text_view, Qt.Key_2)
    select_in_widget(window, "4,500")
    qtbot.keyClick(window.text_view, Qt.Key_4)
    # An overlapping (not nested) span across the claim's start.
    o0 = text.index("suggests that the number")
    window.text_view.select_range(o0, o0 + len("suggests that the number"))
    qtbot.keyClick(window.text_view, Qt.Key_3)
    assert sorted(stored(window)) == sorted(
        [(c0, c0 + len(claim), "claim"), (n0, n0 + 5, "number"), (o0, o0 + 24, "denial")]
    )
    assert window.span_model.rowCount() == 3
    spans_at = [s.label for s in window.session.spans_at(n0 + 1)]
    assert spans_at == ["number", "claim"]  # innermost first
    # Click on "4,500": the number is selected; clicking again cycles to the claim.
    view = window.text_view
    window.select_span(None)
    rect = view.cursorRect(_cursor_at(view, window.session.offsets.to_utf16(n0 + 2)))
    point = rect.center()
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=point)
    assert window.session.spans[window.selected_span].label == "number"
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=point)
    assert window.session.spans[window.selected_span].label == "claim"
    # Every span is painted: the highlighter tinted the claim, the nested number more deeply.
    block = view.document().findBlock(window.session.offsets.to_utf16(n0))
    formats = {r.format.background().color().name() for r in block.layout().formats()}
    assert len(formats) >= 3
    view.viewport().repaint()


def _cursor_at(view, position: int) -> QTextCursor:
    cursor = QTextCursor(view.document())
    cursor.setPosition(position)
    return cursor


def test_tooltip_lists_the_labels_under_the_mouse(window, qtbot, monkeypatch) -> None:
    text = window.session.text
    claim = "the number of North Korean troops"
    select_in_widget(window, claim)
    qtbot.keyClick(window.text_view, Qt.Key_2)
    select_in_widget(window, "North Korean troops is")
    window.text_view.select_range(
        text.index("North Korean troops is"), text.index("North Korean troops is") + 12
    )
    qtbot.keyClick(window.text_view, Qt.Key_1)
    shown = []
    monkeypatch.setattr("annotator.gui.editor.QToolTip.showText", lambda _pos, html, *_a: shown.append(html))
    view = window.text_view
    offset = text.index("North Korean troops is") + 3
    rect = view.cursorRect(_cursor_at(view, window.session.offsets.to_utf16(offset)))
    from PySide6.QtGui import QHelpEvent

    event = QHelpEvent(QHelpEvent.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center()))
    view.viewportEvent(event)
    assert shown
    assert "actor" in shown[0]
    assert "claim" in shown[0]
    assert shown[0].index("actor") < shown[0].index("claim")


def test_note_on_a_span_is_saved_and_undoable(window, qtbot, monkeypatch) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    monkeypatch.setattr("annotator.gui.widgets.NoteDialog.ask", lambda *_a: "  deputy ambassador ")
    qtbot.keyClick(window.text_view, Qt.Key_E, Qt.ControlModifier)
    span = window.project.spans(window.session.doc_id, "alice")[0]
    assert span.note == "deputy ambassador"
    row = window.span_model.row_of(span.id)
    assert window.span_model.index(row, window.span_model.NOTE).data() == "deputy ambassador"
    window.undo_action.trigger()
    assert window.project.spans(window.session.doc_id, "alice")[0].note is None
    # Editing the note cell of the span list is the same operation.
    index = window.span_model.index(row, window.span_model.NOTE)
    assert window.span_model.setData(index, "from the list")
    assert window.project.spans(window.session.doc_id, "alice")[0].note == "from the list"


def test_label_all_occurrences_is_one_undoable_step(window, qtbot) -> None:
    text = window.session.text
    count = text.count("North Korean")
    select_in_widget(window, "North Korean")
    assert window.label_all("number") == count
    assert len(stored(window)) == count
    assert all(text[s:e] == "North Korean" for s, e, _ in stored(window))
    assert window.undo_action.text().replace("&", "") == f"Undo Label {count} × “North Korean” as number"
    window.undo_action.trigger()
    assert stored(window) == []
    window.redo_action.trigger()
    assert len(stored(window)) == count
    # Again: nothing left to label, nothing pushed.
    select_in_widget(window, "North Korean")
    assert window.label_all("number") == 0


def test_label_all_from_the_find_bar(window, qtbot) -> None:
    qtbot.keyClick(window.text_view, Qt.Key_F, Qt.ControlModifier)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.edit, "kursk")
    n = window.session.text.lower().count("kursk")
    assert window.find_bar.count.text() in (f"1 of {n}", f"{n} matches")
    window.text_view.clear_selection()
    assert window.label_all("actor") == n


def test_find_counts_and_steps_through_matches(window, qtbot) -> None:
    qtbot.keyClick(window.text_view, Qt.Key_F, Qt.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "Russia")
    total = len(window.finder.matches)
    assert total > 2
    first = window.finder.current
    qtbot.keyClick(window.find_bar.edit, Qt.Key_Return)
    assert window.finder.current == (first + 1) % total
    assert window.find_bar.count.text() == f"{window.finder.current + 1} of {total}"
    qtbot.keyClick(window.find_bar.edit, Qt.Key_F3, Qt.ShiftModifier)
    assert window.finder.current == first
    start, end = window.finder.matches[first]
    assert window.text_view.selection_range() == (start, end)
    assert window.text_view.extraSelections()  # matches on screen are marked
    window.find_bar.whole.setChecked(True)
    assert all(window.session.text[s:e] == "Russia" for s, e in window.finder.matches)
    qtbot.keyClick(window.find_bar.edit, Qt.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.text_view.extraSelections() == []


def test_a_failed_write_is_reported_and_not_shown(window, qtbot, monkeypatch, errors) -> None:
    def broken(*_args, **_kwargs):
        raise ProjectError("project.db: could not save: disk I/O error")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(window.project, "add_span", broken)
        select_in_widget(window, "Robert Wood")
        qtbot.keyClick(window.text_view, Qt.Key_1)
        assert errors
        assert "not saved" in errors[0][0]
        assert "disk I/O error" in errors[0][1]
        assert window.span_model.rowCount() == 0
        assert window.session.spans == {}
        assert window.session.undo_stack.count() == 0
        assert "NOT saved" in window.status_saved.text()
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert "All changes saved" in window.status_saved.text()
    assert window.span_model.rowCount() == 1


def test_a_failed_delete_keeps_the_span_visible(window, qtbot, monkeypatch, errors) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    monkeypatch.setattr(
        window.project, "delete_spans", lambda *_a: (_ for _ in ()).throw(ProjectError("read-only file"))
    )
    qtbot.keyClick(window.text_view, Qt.Key_Delete)
    assert errors
    assert window.span_model.rowCount() == 1
    assert len(window.session.spans) == 1


def test_a_failed_undo_or_redo_can_simply_be_tried_again(window, qtbot, monkeypatch, errors) -> None:
    view = window.text_view
    start = window.session.text.index("Robert Wood")
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(view, Qt.Key_1)
    qtbot.keyClick(view, Qt.Key_2)  # relabel: an update command on top of the add
    stack = window.session.undo_stack
    disk = {"broken": False}

    def failing(real):
        def call(*args, **kwargs):
            if disk["broken"]:
                raise ProjectError("project.db: could not save: disk I/O error")
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(window.project, "set_span", failing(window.project.set_span))
    monkeypatch.setattr(window.project, "delete_spans", failing(window.project.delete_spans))
    # A failed undo: the span keeps its label, and the stack still offers that undo.
    disk["broken"] = True
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert errors
    qtbot.waitUntil(lambda: stack.index() == 2)
    assert stored(window) == [(start, start + 11, "claim")]
    assert window.undo_action.text().replace("&", "").startswith("Undo Relabel")
    disk["broken"] = False
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert stored(window) == [(start, start + 11, "actor")]
    assert stack.index() == 1
    # A failed redo: the stack goes back to offering the redo, which then works.
    disk["broken"] = True
    qtbot.keyClick(view, Qt.Key_Y, Qt.ControlModifier)
    qtbot.waitUntil(lambda: stack.index() == 1)
    assert stored(window) == [(start, start + 11, "actor")]
    disk["broken"] = False
    qtbot.keyClick(view, Qt.Key_Y, Qt.ControlModifier)
    assert stored(window) == [(start, start + 11, "claim")]
    # The same for adding and removing spans.
    stack.undo()
    disk["broken"] = True
    stack.undo()
    qtbot.waitUntil(lambda: stack.index() == 1)
    assert stored(window) == [(start, start + 11, "actor")]
    assert len(window.session.spans) == 1
    disk["broken"] = False
    stack.undo()
    assert stored(window) == []
    assert window.span_model.rowCount() == 0


def test_a_duplicate_span_is_refused_politely(window, qtbot, errors) -> None:
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert errors == []  # not a write failure: a message in the status bar
    assert "already has" in window.statusBar().currentMessage()
    assert window.span_model.rowCount() == 1


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Kim 👩‍🔬 said: Seoul 😀 is big.", "Seoul"),
        ("😀😀😀 emoji first, then Robert Wood.", "Robert Wood"),
        ("Cafe\u0301 society and Zoe\u0308 went to Sao\u0303 Paulo.", "Zoe\u0308"),
        ("line one\r\nline two with Robert\r\nWood and 4,500 troops\r\n", "4,500"),
        ("\ufeffBOM first: Kursk region.", "Kursk"),
        ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 中文 text and 👨‍👩‍👧 family", "中文"),
    ],
)
def test_offsets_after_emoji_combining_marks_and_crlf(
    make_window, tmp_path: Path, qtbot, text, needle
) -> None:
    project = project_with(tmp_path / "p.db", text)
    window = make_window(project)
    assert window.text_view.document().toPlainText().replace("\n", "") == text.replace("\r\n", "").replace(
        "\ufeff", ""
    ).replace("\n", "")
    select_in_widget(window, needle)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    spans = window.project.spans("doc1", "alice")
    assert len(spans) == 1
    assert text[spans[0].start : spans[0].end] == needle


def test_keyboard_selection_across_an_emoji(make_window, tmp_path: Path, qtbot) -> None:
    text = "a 😀 b c"
    window = make_window(project_with(tmp_path / "p.db", text))
    window.snap_action.setChecked(False)
    view = window.text_view
    view.setFocus()
    cursor = view.textCursor()
    cursor.setPosition(0)
    view.setTextCursor(cursor)
    for _ in range(5):  # "a", " ", emoji (one keystroke), " ", "b"
        qtbot.keyClick(view, Qt.Key_Right, Qt.ShiftModifier)
    qtbot.keyClick(view, Qt.Key_2)
    spans = window.project.spans("doc1", "alice")
    assert text[spans[0].start : spans[0].end] == "a 😀 b"


def test_markup_in_an_article_is_shown_literally(make_window, tmp_path: Path, qtbot) -> None:
    text = "<b>bold?</b> <script>alert(1)</script> &amp; <i>x</i>\n<h1>Title</h1> <a href='x'>link</a>"
    window = make_window(project_with(tmp_path / "p.db", text))
    document = window.text_view.document()
    assert document.toPlainText() == text
    block = document.firstBlock()
    while block.isValid():
        for fragment_format in [r.format for r in block.layout().formats()]:
            assert not fragment_format.fontWeight() > 400
        block = block.next()
    select_in_widget(window, "<b>bold?</b>")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    span = window.project.spans("doc1", "alice")[0]
    assert text[span.start : span.end] in ("<b>bold?</b>", "b>bold?</b")  # snapping trims '<' '>'


def test_clicking_a_span_row_jumps_to_the_span(window, qtbot) -> None:
    text = window.session.text
    select_in_widget(window, "Kursk", occurrence=3)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    select_in_widget(window, "Robert Wood")
    qtbot.keyClick(window.text_view, Qt.Key_1)
    window.select_span(None)
    last = window.span_model.rowCount() - 1
    index = window.span_model.index(last, 1)
    window.span_view.scrollTo(index)
    rect = window.span_view.visualRect(index)
    qtbot.mouseClick(window.span_view.viewport(), Qt.LeftButton, pos=rect.center())
    span = window.span_model.span_at(last)
    assert window.selected_span == span.id
    assert window.text_view.cursor_offset() == span.start
    assert text[span.start : span.end] == "Kursk"
    # Next / previous span from the keyboard.
    qtbot.keyClick(window.text_view, Qt.Key_BracketLeft)
    assert window.selected_span == window.span_model.span_at(last - 1).id


def test_context_menu_offers_labels(window, qtbot) -> None:
    select_in_widget(window, "Robert Wood")
    menu = window.text_context_menu(QPoint(10, 10))
    texts = [a.text() for a in menu.actions()]
    assert "Label selection as" in texts
    assert "Label all occurrences as" in texts
    label_menu = menu.actions()[0].menu()
    label_menu.actions()[0].trigger()
    assert window.project.spans(window.session.doc_id, "alice")[0].label == "actor"
    menu = window.text_context_menu(QPoint(10, 10))
    assert menu.actions()[0].text() == "Label span as"
    window.note_action.setEnabled(True)
    window.delete_action.setEnabled(True)


def test_work_in_a_project_with_no_documents(make_window, tmp_path: Path) -> None:
    window = make_window(Project.open(tmp_path / "empty.db"))
    assert window.session.document is None
    assert "Import" in window.progress_label.text()
    window.apply_label("actor")
    assert "Select some text" in window.statusBar().currentMessage()


def _mouse(view, kind, point, buttons) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    global_point = QPointF(view.viewport().mapToGlobal(point))
    button = Qt.LeftButton if kind != QMouseEvent.MouseMove else Qt.NoButton
    event = QMouseEvent(kind, QPointF(point), global_point, button, buttons, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def test_dragging_a_boundary_with_the_mouse_resizes_the_span(window, qtbot) -> None:
    from PySide6.QtGui import QMouseEvent

    view = window.text_view
    text = window.session.text
    start = text.index("Robert Wood")
    window.text_view.select_range(start, start + 6)  # "Robert"
    qtbot.keyClick(view, Qt.Key_1)
    span_id = window.selected_span
    offsets = window.session.offsets
    edge = view.cursorRect(_cursor_at(view, offsets.to_utf16(start + 6))).center()
    assert view.edge_at(edge) == "end"
    target = view.cursorRect(_cursor_at(view, offsets.to_utf16(start + 9))).center()  # inside "Wood"
    _mouse(view, QMouseEvent.MouseButtonPress, edge, Qt.LeftButton)
    _mouse(view, QMouseEvent.MouseMove, target, Qt.LeftButton)
    assert view.selection_range() == (start, start + 9)  # the preview
    _mouse(view, QMouseEvent.MouseButtonRelease, target, Qt.NoButton)
    span = window.project.span(span_id)
    assert text[span.start : span.end] == "Robert Wood"  # snapped to the whole word
    assert "Resize" in window.undo_action.text()
    window.undo_action.trigger()
    assert text[window.project.span(span_id).start : window.project.span(span_id).end] == "Robert"


def test_escape_closes_the_find_bar_from_the_text(window, qtbot) -> None:
    qtbot.keyClick(window.text_view, Qt.Key_F, Qt.ControlModifier)
    window.text_view.setFocus()
    window.text_view.clear_selection()
    window.select_span(None)
    qtbot.keyClick(window.text_view, Qt.Key_Escape)
    assert not window.find_bar.isVisible()


def test_only_paragraphs_near_the_screen_are_styled(make_window, tmp_path: Path, qtbot) -> None:
    paragraphs = [f"Paragraph {i} mentions Robert Wood and Kursk." for i in range(600)]
    project = project_with(tmp_path / "p.db", "\n".join(paragraphs))
    text = "\n".join(paragraphs)
    starts = [i for i in range(len(text)) if text.startswith("Kursk", i)]
    project.add_spans([NewSpan("doc1", "alice", s, s + 5, "number") for s in starts])
    window = make_window(project)
    view = window.text_view
    styled = view.highlighter.styled
    assert 0 in styled
    assert 400 not in styled
    assert not view.document().findBlockByNumber(400).layout().formats()
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() * 3 // 4)
    top = view.cursorForPosition(QPoint(0, 0)).block()
    assert top.blockNumber() > 100
    qtbot.waitUntil(lambda: top.blockNumber() in styled)
    assert top.layout().formats()
    assert len(styled) < 600


def test_redo_after_new_spans_elsewhere_restores_the_same_span(make_window, tmp_path: Path) -> None:
    """Undo a span, make one in another document, come back and redo: the span returns."""
    window = make_window(project_with(tmp_path / "p.db", "first document text", "second document text"))
    session = window.session
    window.open_document("doc1")
    span = session.create_span(0, 5, "actor")
    assert span is not None
    session.undo_stack.undo()
    window.open_document("doc2")
    assert session.create_span(0, 6, "actor") is not None
    window.open_document("doc1")
    session.undo_stack.redo()
    assert [(s.id, s.start, s.end) for s in window.project.spans("doc1", "alice")] == [(span.id, 0, 5)]
    assert window.status_saved.ok
