"""Hostile and very large input in the window (issue 7, item 4, GUI side).

What the user sees when an article, a title, a span, a note, a label or an annotator name holds
HTML, control characters, bidi overrides or emoji, when one line is 10 MB long, and when a
project holds 100,000 documents. Real widgets, offscreen; no timing is asserted here (the
figures are in ``tests/benchmarks/bench_hostile.py``).

How "shown literally" is checked: :func:`shown` renders a string the way Qt renders it in a
widget of a given text format (``QLabel``, message boxes and tooltips *guess*: a string that
``Qt.mightBeRichText`` is rendered as HTML) into a document that records every resource it
asks for, and fails if any is requested; the result must contain the user's string verbatim.

"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PySide6 import QtGui
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QToolTip

from annotator.core.formats.importer import ImportOptions
from annotator.core.store import DocumentInput, NewSpan, Project
from annotator.core.utf16 import FORCED_PIECE, LONG_LINE, PIECE, OffsetMap, line_breaks, utf16_len
from annotator.gui import messages
from annotator.gui.literal import FSI, PDI, isolate, one_line, tooltip
from annotator.gui.messages import error as REAL_ERROR  # imported before any fixture patches it
from annotator.gui.models import DocumentListModel
from annotator.gui.review import ReviewWindow
from annotator.gui.transfer import ImportDialog, ImportRequest, TransferProgress
from tests.child_env import child_env
from tests.gui import conftest as gui

# The annotation window's fixtures (tests/gui/conftest.py): a window on a project, settings in
# tmp_path, error dialogs recorded.
settings_path, settings, errors, make_window = gui.settings_path, gui.settings, gui.errors, gui.make_window

pytestmark = pytest.mark.qt_log_ignore(gui.OFFSCREEN_NOISE)

# -- what Qt would show -------------------------------------------------------------------------


class _RecordingDocument(QTextDocument):
    """A document that records (and refuses) every image, style sheet or other resource."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[str] = []

    def loadResource(self, kind: int, url) -> None:  # noqa: N802 - Qt's name
        self.requested.append(url.toString())


def render(text: str, fmt: Qt.TextFormat = Qt.AutoText) -> tuple[str, list[str]]:
    """(the text Qt shows for ``text`` in a widget of format ``fmt``, resources it asks for)."""
    if fmt == Qt.PlainText or (fmt == Qt.AutoText and not QtGui.Qt.mightBeRichText(text)):
        return text, []
    document = _RecordingDocument()
    document.setHtml(text)
    document.setTextWidth(400)
    document.size()  # lays it out: images are loaded now
    return document.toPlainText(), document.requested


def shown(text: str, fmt: Qt.TextFormat = Qt.AutoText) -> str:
    """What Qt shows for ``text``; fails if showing it would load any resource."""
    plain, requested = render(text, fmt)
    assert requested == [], f"showing {text!r} would load {requested}"
    return plain


def label_shows(label: QLabel) -> str:
    return shown(label.text(), label.textFormat())


def qt_raw(text: str) -> str:
    """What ``QTextDocument.setPlainText(text).toRawText()`` holds, worked out by hand: Qt ends a
    paragraph at "\\r\\n", "\\r", "\\n", U+2029 and its frame markers U+FDD0/U+FDD1, and drops
    a leading byte-order mark."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\u2029")
    for separator in ("\r", "\n", "\ufdd0", "\ufdd1"):
        text = text.replace(separator, "\u2029")
    return text


def qt_position(text: str, cp: int) -> int:
    """Where ``setPlainText(text)`` puts code point ``cp``: counted here, not by OffsetMap."""
    prefix = text[:cp]
    units = len(prefix.encode("utf-16-le")) // 2 - prefix.count("\r\n")
    if text.startswith("\ufeff") and cp > 0:
        units -= 1
    return units


def assert_plain_document(document: QTextDocument, text: str) -> None:
    """The document holds exactly ``text`` as plain text: no image, link, table or frame."""
    assert document.toRawText() == qt_raw(text)
    assert document.rootFrame().childFrames() == []
    block = document.begin()
    while block.isValid():
        for item in block:
            fmt = item.fragment().charFormat()
            assert not fmt.isImageFormat()
            assert not fmt.isAnchor()
            assert not fmt.isTableCellFormat()
        block = block.next()


def highlighted(view) -> set[int]:
    """Qt positions the span highlighter has given a background to."""
    positions: set[int] = set()
    block = view.document().begin()
    while block.isValid():
        for piece in block.layout().formats():
            if piece.format.background().style() != Qt.NoBrush:
                start = block.position() + piece.start
                positions.update(range(start, start + piece.length))
        block = block.next()
    return positions


def paragraph_ends(view) -> set[int]:
    ends = set()
    block = view.document().begin()
    while block.isValid():
        ends.add(block.position() + block.length() - 1)
        block = block.next()
    return ends


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Qt.TextFormat]]:
    """Message boxes built by Annotator: (text, format) instead of showing them."""
    seen: list[tuple[str, Qt.TextFormat]] = []

    def exec_(box: QMessageBox) -> int:
        seen.append((box.text(), box.textFormat()))
        return int(QMessageBox.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return seen


def test_the_checker_sees_what_qt_would_do(qapp) -> None:
    """Qt really does take such strings as HTML and load the image: the hazard is real."""
    plain, requested = render('Title <img src="file:///etc/passwd"> <b>x</b>')
    assert requested == ["file:///etc/passwd"]
    assert plain != 'Title <img src="file:///etc/passwd"> <b>x</b>'
    assert render("no markup at all") == ("no markup at all", [])
    assert shown(tooltip('<img src="file:///etc/passwd"> & <b>x</b>\nline 2')) == (
        '<img src="file:///etc/passwd"> & <b>x</b>\nline 2'
    )


# -- 1. HTML and Qt rich text are shown literally, everywhere ----------------------------------

MARKUP = [
    "<b>bold?</b>",
    '<img src="file:///etc/passwd">',
    '<a href="https://example.com/x">a link</a>',
    "<qt><table><tr><td>a cell</td></tr></table></qt>",
    "&amp; &lt;not a tag&gt; &#65;",
    "<!-- a comment",
    "<script>alert(1)</script><style>body { color: red }</style>",
    "<h1>heading</h1><br><hr>",
]
HTML_TEXT = "<html><body>" + "\n".join(MARKUP) + "\nThe end.</body></html>"
HTML_TITLE = '<img src="file:///etc/passwd"><b>Title</b> &amp;'
HTML_LABEL = "<b>x</b>"
HTML_NOTE = '<img src="file:///etc/passwd"> <i>note</i>'
HTML_ANNOTATOR = "<b>bob"  # annotator names may not hold "/"


@pytest.fixture
def html_project(project: Project) -> Project:
    project.add_label(HTML_LABEL, hotkey="5")
    project.add_documents([DocumentInput("html", HTML_TEXT, title=HTML_TITLE)])
    return project


def test_html_article_title_span_note_and_label_are_shown_literally(
    make_window, html_project: Project, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(html_project)
    view = window.text_view
    assert window.session.doc_id == "html"
    assert_plain_document(view.document(), HTML_TEXT)
    assert view.toPlainText() == HTML_TEXT.replace("\r\n", "\n")

    # A span over the <img> line, labelled with the markup label, with a markup note.
    window.snap_action.setChecked(False)
    start = HTML_TEXT.index(MARKUP[1])
    view.select_range(start, start + len(MARKUP[1]))
    qtbot.keyClick(view, Qt.Key_5)
    [span] = html_project.spans("html", "alice")
    assert (HTML_TEXT[span.start : span.end], span.label) == (MARKUP[1], HTML_LABEL)
    window.session.set_note(span.id, HTML_NOTE)
    assert_plain_document(view.document(), HTML_TEXT)

    # The document list: the title as it is, in the cell and in the tooltip.
    title_index = window.doc_model.index(0, DocumentListModel.TITLE)
    assert title_index.data(Qt.DisplayRole) == HTML_TITLE
    assert HTML_TITLE in shown(title_index.data(Qt.ToolTipRole))

    # The span list: label, text and note cells, and their tooltips.
    model = window.span_model
    cells = [model.index(0, column).data(Qt.DisplayRole) for column in range(model.columnCount())]
    assert cells == [HTML_LABEL, MARKUP[1], span.start, span.end, HTML_NOTE]
    assert model.index(0, model.NOTE).data(Qt.EditRole) == HTML_NOTE
    assert shown(model.index(0, model.TEXT).data(Qt.ToolTipRole)) == f"{HTML_LABEL}: {MARKUP[1]}"
    assert shown(model.index(0, model.NOTE).data(Qt.ToolTipRole)) == HTML_NOTE

    # The article's own tooltip over the span.
    tips: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, text, *_args: tips.append(text))
    rect = view.cursorRect(_cursor_at(view, qt_position(HTML_TEXT, start + 3)))
    point = rect.center()
    view.viewportEvent(QHelpEvent(QEvent.ToolTip, point, view.viewport().mapToGlobal(point)))
    assert len(tips) == 1
    tip = shown(tips[0])
    assert HTML_LABEL in tip
    assert MARKUP[1] in tip
    assert HTML_NOTE in tip

    # The label bar and the label menu entries.
    button = window.label_bar.buttons[HTML_LABEL]
    assert HTML_LABEL in button.text()
    assert HTML_LABEL in shown(button.toolTip())
    assert window.windowTitle().startswith(HTML_TITLE)


def _cursor_at(view, position: int) -> QTextCursor:
    cursor = QTextCursor(view.document())
    cursor.setPosition(position)
    return cursor


def test_markup_in_every_message_box_and_dialog_label_is_plain(
    qtbot, html_project: Project, boxes: list[tuple[str, Qt.TextFormat]], tmp_path: Path
) -> None:
    from annotator.gui.label_editor import DeleteLabelDialog, LabelSetEditor
    from annotator.gui.widgets import AnnotatorDialog, NoteDialog

    quoted = f"{tmp_path}/{MARKUP[1]}.jsonl:3: unknown label '{HTML_LABEL}'"
    messages.error(None, "Import failed", quoted)
    messages.warn(None, "Review", quoted)
    messages.inform(None, "Review", quoted)
    messages.confirm(None, "Delete label", f"Delete the label “{HTML_LABEL}”?")
    assert [shown(text, fmt) for text, fmt in boxes] == [
        quoted,
        quoted,
        quoted,
        f"Delete the label “{HTML_LABEL}”?",
    ]

    dialog = AnnotatorDialog("alice", first_start=False)
    qtbot.addWidget(dialog)
    dialog.name.setText("<img src=passwd>\\")  # refused: it has a backslash
    dialog.accept()
    assert "<img src=passwd>" in label_shows(dialog.error)

    note = NoteDialog(MARKUP[0], HTML_NOTE)
    qtbot.addWidget(note)
    [quote] = [label for label in note.findChildren(QLabel) if MARKUP[0] in label.text()]
    assert label_shows(quote) == f"“{MARKUP[0]}”"

    delete = DeleteLabelDialog(HTML_LABEL, 2, ["actor"])
    qtbot.addWidget(delete)
    assert any(HTML_LABEL in label_shows(label) for label in delete.findChildren(QLabel))

    editor = LabelSetEditor(html_project)
    qtbot.addWidget(editor)
    editor._run(lambda: html_project.add_label(HTML_LABEL))  # refused: it exists
    assert HTML_LABEL in label_shows(editor.error)

    importer = ImportDialog(html_project, "alice")
    qtbot.addWidget(importer)
    importer.add_path(tmp_path)
    importer.annotator.setText("<img src=passwd>\\")
    assert "<img src=passwd>" in label_shows(importer.problem)


@pytest.fixture
def html_review(html_project: Project) -> Project:
    """Two layers that disagree over the markup lines, one annotator named like a tag."""
    text = HTML_TEXT
    for name, label in (("alice", "actor"), (HTML_ANNOTATOR, HTML_LABEL)):
        html_project.add_spans(
            NewSpan("html", name, text.index(bit), text.index(bit) + len(bit), label) for bit in MARKUP[:3]
        )
    return html_project


def test_the_review_window_shows_markup_literally(qtbot, html_review: Project, monkeypatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(messages, "warn", lambda _parent, _title, text, *_a: warned.append(text))
    window = ReviewWindow(html_review, "alice", HTML_ANNOTATOR)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert label_shows(window.title_label) == HTML_TITLE
    assert_plain_document(window.text_view.document(), HTML_TEXT)
    assert HTML_ANNOTATOR in window.windowTitle()
    assert HTML_ANNOTATOR in label_shows(window.legend)

    # The disagreement list: every cell and tooltip.
    model = window.disagreement_model
    assert model.rowCount() == 3
    for row, bit in enumerate(MARKUP[:3]):
        assert model.index(row, 2).data(Qt.DisplayRole) == HTML_LABEL
        assert model.index(row, 3).data(Qt.DisplayRole) == one_line(bit, 60)
        assert bit in shown(model.index(row, 3).data(Qt.ToolTipRole))
        assert HTML_LABEL in shown(model.index(row, 2).data(Qt.ToolTipRole))
    assert HTML_ANNOTATOR in model.headerData(2, Qt.Horizontal, Qt.DisplayRole)
    assert HTML_TITLE in shown(window.documents_model.index(0, 0).data(Qt.ToolTipRole))
    assert window.documents_model.index(0, 0).data(Qt.DisplayRole) == HTML_TITLE

    # The current disagreement, side by side: our rich text, their strings escaped.
    window.select_disagreement(1)
    current = label_shows(window.kind_label)
    assert MARKUP[1] in current
    assert HTML_LABEL in current
    assert HTML_ANNOTATOR in current
    confusion = window.figures.confusion_model
    names = [confusion.headerData(i, Qt.Horizontal, Qt.DisplayRole) for i in range(confusion.rowCount())]
    assert HTML_LABEL in names
    column = names.index(HTML_LABEL)
    assert HTML_LABEL in shown(confusion.headerData(column, Qt.Horizontal, Qt.ToolTipRole))
    assert HTML_LABEL in shown(confusion.index(0, column).data(Qt.ToolTipRole))
    assert any(HTML_ANNOTATOR in label_shows(label) for label in window.findChildren(QLabel))

    # A message that quotes an error: plain.
    window.show_error("Could not record the decision", f"unknown label '{HTML_LABEL}'")
    assert label_shows(window.message_label).endswith(f"unknown label '{HTML_LABEL}'")
    assert warned == [f"unknown label '{HTML_LABEL}'"]
    window.close()


# The main window's own strings: titles and names in the status bar and in error boxes.


def test_status_bar_shows_a_markup_title_literally(make_window, html_project: Project) -> None:
    window = make_window(html_project)
    assert HTML_TITLE in label_shows(window.status_document)


def test_status_bar_shows_a_markup_annotator_literally(make_window, html_project: Project) -> None:
    window = make_window(html_project, annotator=HTML_ANNOTATOR)
    assert HTML_ANNOTATOR in label_shows(window.status_annotator)


def test_error_box_quoting_a_document_id_is_plain(make_window, html_project: Project, monkeypatch) -> None:
    from annotator.gui import mainwindow

    window = make_window(html_project)
    # The real error box (the errors fixture records instead), with the box recording instead.
    monkeypatch.setattr(messages, "error", REAL_ERROR)
    said: list[tuple[str, object]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: said.append((box.text(), box.textFormat())))
    mainwindow.MainWindow.open_document(window, MARKUP[0])  # no such document: the error quotes the id
    assert len(said) == 1
    assert MARKUP[0] in said[0][0]
    assert said[0][1] == Qt.PlainText


# -- 2. Control characters, bidi, emoji: offsets, highlight, and an interface kept in order ----

CASES = {
    "nul": ("before\x00NUL\x00after and more", "\x00NUL\x00"),
    "c0 and del": (
        "esc \x1b[31mred\x1b[0m bell \x07 del \x7f end",
        "\x1b[31mred\x1b[0m bell \x07 del \x7f",
    ),
    "c1": ("c1 \x80\x85\x9f controls here", "\x80\x85\x9f controls"),
    "rtl": ("English שלום עולם then مرحبا بالعالم end", "שלום עולם then مرحبا"),
    "bidi overrides": (
        "abc \u202eevil\u202c def \u2066iso\u2069 \u2067rli\u2069 \u2068fsi\u2069 z",
        "\u202eevil\u202c def \u2066iso",
    ),
    "line and paragraph separators": ("line\u2028separator para\u2029graph end", "separator para\u2029graph"),
    "crlf": ("first\r\nsecond\r\nthird line", "second\r\nthird"),
    "lone cr": ("first\rsecond\rthird line", "second\rthird"),
    "emoji": (
        "👩\u200d🔬 scientist, family 👨\u200d👩\u200d👧\u200d👦, flag 🇺🇦, thumb 👍🏽 ok",
        "family 👨\u200d👩\u200d👧\u200d👦, flag 🇺🇦",
    ),
    "cjk and astral": ("北朝鮮の兵士 中文 𠀀𠀁𠀂 𝔘𝔫𝔦 end", "中文 𠀀𠀁𠀂 𝔘𝔫"),
    "combining": ("e\u0301 a\u0308\u0304 Z\u0334\u0321\u031b zalgo end", "a\u0308\u0304 Z\u0334\u0321\u031b"),
    "bom": ("\ufeffBOM first then text", "BOM first"),
    "noncharacters": ("a\ufdd0b \ufffe\uffff c end", "a\ufdd0b \ufffe\uffff"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_selection_over_odd_characters_stores_exactly_those_code_points(
    make_window, project: Project, qtbot, case: str
) -> None:
    text, needle = CASES[case]
    title = f"{case}: {needle}"
    project.add_documents([DocumentInput("odd", text, title=title)])
    window = make_window(project)
    view = window.text_view
    assert_plain_document(view.document(), text)
    window.snap_action.setChecked(False)
    start = text.index(needle)
    end = start + len(needle)
    qt_start, qt_end = qt_position(text, start), qt_position(text, end)
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_start)
    cursor.setPosition(qt_end, QTextCursor.KeepAnchor)
    view.setTextCursor(cursor)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key_2)
    [span] = project.spans("odd", "alice")
    assert (span.start, span.end, span.label) == (start, end, "claim")
    assert text[span.start : span.end] == needle
    qtbot.waitUntil(lambda: bool(highlighted(view)))
    assert highlighted(view) == set(range(qt_start, qt_end)) - paragraph_ends(view)
    # The list shows the title on one line with its controls visible, the span its text.
    assert window.doc_model.index(0, 0).data(Qt.DisplayRole) == one_line(title)
    assert window.span_model.index(0, 1).data(Qt.DisplayRole) == one_line(needle, 80)
    # Copy gives the stored code points, exactly.
    view.select_range(start, end)
    assert view.selected_text() == needle
    qtbot.keyClick(view, Qt.Key_C, Qt.ControlModifier)
    assert QApplication.clipboard().text() == needle


def test_one_line_makes_controls_visible_and_keeps_everything_else() -> None:
    assert one_line("a\x00b\nc\td\x1b e\x7f\x85f\u2028g") == "a␀b c d␛ e␡ f g"
    assert one_line("\x80x\x9f") == "\ufffdx\ufffd"
    assert one_line("שלום 👩\u200d🔬 e\u0301") == "שלום 👩\u200d🔬 e\u0301"
    assert one_line("abcdef", 4) == "abc…"


BIDI = st.text(
    alphabet=st.sampled_from(list("ab שׁ١ ") + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"])
    | st.sampled_from(["\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c"]),
    max_size=30,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=BIDI)
def test_an_isolated_string_cannot_leak_its_direction(text: str) -> None:
    """isolate() gives a well-formed isolate: nothing in it closes it early or outlives it."""
    result = isolate(text)
    if result == text:
        assert text.isascii() or not any(
            ch in text for ch in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068\u2069"
        )
        return
    assert result.startswith(FSI)
    assert result.endswith(PDI)
    depth = 0
    for i, ch in enumerate(result):
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == PDI:
            depth -= 1
            assert depth > 0 or i == len(result) - 1, "the isolate was closed early"
    assert depth == 0
    # Only isolate controls were dropped (unmatched PDIs) or added (closing PDIs).
    assert result.replace(PDI, "")[1:] == text.replace(PDI, "")


BIDI_TITLE = "abc \u202eevil title\u202c \u05e9\u05dc\u05d5\u05dd"


def test_bidi_titles_labels_and_notes_are_isolated_where_they_are_embedded(
    make_window, project: Project, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    label = "ימין-לשמאל"  # right-to-left letters (bidi controls are not allowed in label names)
    note = "note \u202e with override"
    project.add_label(label, hotkey="6")
    text = "Some text \u202e with an override and שלום inside."
    project.add_documents([DocumentInput("bidi", text, title=BIDI_TITLE)])
    window = make_window(project)
    view = window.text_view
    window.snap_action.setChecked(False)
    view.select_range(text.index("\u202e"), text.index(" and"))
    qtbot.keyClick(view, Qt.Key_6)
    [span] = project.spans("bidi", "alice")
    window.session.set_note(span.id, note)

    assert isolate(BIDI_TITLE) in shown(window.doc_model.index(0, 0).data(Qt.ToolTipRole))
    model = window.span_model
    assert isolate(label) in shown(model.index(0, model.TEXT).data(Qt.ToolTipRole))
    tips: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, tip, *_args: tips.append(tip))
    point = view.cursorRect(_cursor_at(view, window.session.offsets.to_utf16(span.start + 2))).center()
    view.viewportEvent(QHelpEvent(QEvent.ToolTip, point, view.viewport().mapToGlobal(point)))
    tip = shown(tips[0])
    for embedded in (label, text[span.start : span.end], note):
        assert isolate(one_line(embedded)) in tip
    assert isolate(label) in shown(window.label_bar.buttons[label].toolTip())


def test_an_ampersand_in_a_label_is_shown_not_taken_as_a_mnemonic(make_window, project: Project) -> None:
    project.add_label("R&D", hotkey="7")
    project.add_documents([DocumentInput("doc", "Research and development.")])
    window = make_window(project)
    button = window.label_bar.buttons["R&D"]
    assert button.text() == " 7  R&&D "  # Qt shows "R&D", with no Alt+D shortcut behind it
    assert "R&D" in shown(button.toolTip())


def test_window_title_and_status_bar_isolate_a_bidi_title(make_window, project: Project) -> None:
    project.add_documents([DocumentInput("bidi", "text", title=BIDI_TITLE)])
    window = make_window(project)
    assert isolate(BIDI_TITLE) in window.windowTitle()
    assert isolate(BIDI_TITLE) in label_shows(window.status_document)


# -- 3. A 10 MB line ---------------------------------------------------------------------------

TEN_MB = 10_000_000


def ten_mb_line(kind: str) -> str:
    if kind == "words":
        words = "the of troops Kursk region ambassador Security Council said North Korean".split()
        line = " ".join(words[(i * 7) % len(words)] for i in range(TEN_MB // 6))
    else:  # nowhere to wrap at all: a hex dump, a DNA sequence, base64 without "/" or "+"
        line = "".join(f"{i:08x}" for i in range(TEN_MB // 8))
    return line[:TEN_MB]


@pytest.mark.parametrize("kind", ["words", "no spaces"])
def test_a_10_mb_single_line_opens_takes_a_span_and_scrolls(
    make_window, project: Project, qtbot, kind: str
) -> None:
    text = ten_mb_line(kind)
    assert "\n" not in text
    assert len(text) == TEN_MB
    project.add_documents([DocumentInput("big", text, title="10 MB in one line")])
    window = make_window(project)
    view = window.text_view
    offsets = window.session.offsets
    # Shown as paragraphs of at most PIECE code points (FORCED_PIECE where there is no space
    # to end one at), the stored text untouched.
    assert len(offsets.breaks) >= TEN_MB // (PIECE if kind == "words" else FORCED_PIECE) - 4
    assert view.document().blockCount() == len(offsets.breaks) + 1
    assert view.document().characterCount() - 1 == offsets.utf16_length == TEN_MB + len(offsets.breaks)
    block = view.document().findBlockByNumber(len(offsets.breaks) // 2)
    assert block.length() - 1 <= PIECE
    first = offsets.to_code_point(block.position())
    assert block.text() == text[first : first + block.length() - 1]

    # A span in the middle, across one of the breaks, then shown (scrolled to).
    window.snap_action.setChecked(False)
    k = offsets.breaks[len(offsets.breaks) // 2]
    start, end = k - 5, k + 7
    view.select_range(start, end)
    assert view.selected_text() == text[start:end]
    qtbot.keyClick(view, Qt.Key_1)
    [span] = project.spans("big", "alice")
    assert (span.start, span.end) == (start, end)
    window.select_span(span.id)
    qt_start, qt_end = offsets.span_to_utf16(start, end)
    qtbot.waitUntil(lambda: set(range(qt_start, qt_end)) - paragraph_ends(view) <= highlighted(view))
    assert window.span_model.index(0, 1).data(Qt.DisplayRole) == one_line(text[start:end])

    # Scroll to the very end and back.
    qtbot.keyClick(view, Qt.Key_End, Qt.ControlModifier)
    assert view.textCursor().position() == offsets.utf16_length
    assert view.verticalScrollBar().value() > 0
    qtbot.keyClick(view, Qt.Key_Home, Qt.ControlModifier)
    assert view.textCursor().position() == 0
    assert view.verticalScrollBar().value() < view.viewport().height()


def test_the_review_window_switches_to_a_10_mb_line(qtbot, project: Project) -> None:
    """Loading a document into the shown review view once re-laid it out per paragraph (16 s)."""
    text = ten_mb_line("no spaces")
    project.add_documents([DocumentInput("small", "A small text."), DocumentInput("big", text)])
    middle = len(text) // 2
    for name, end in (("alice", 20), ("bob", 25)):
        project.add_span("small", name, 2, 7, "actor")
        project.add_span("big", name, middle, middle + end, "actor")
    window = ReviewWindow(project, "alice", "bob")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.session.doc_id == "small"
    window.select_document("big")
    view = window.text_view
    assert view.document().characterCount() - 1 == view.offsets.utf16_length
    assert window.current_disagreement() is not None
    view.select_range(middle, middle + 25)
    assert view.selection_code_points() == (middle, middle + 25)
    assert view.selected_text() == text[middle : middle + 25]
    window.select_document("small")
    assert view.document().toPlainText() == "A small text."
    window.close()


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            ["a", " ", "😀", "👩\u200d🔬", "中", "e\u0301", "\r\n", "\n", "\r", "\u2029", "\ufeff", "\ufdd0"]
        ),
        max_size=60,
    ),
    long_line=st.integers(1, 12),
    piece=st.integers(1, 8),
    forced=st.integers(1, 8),
)
def test_offsets_with_breaks_agree_with_a_real_qt_document(
    qapp, pieces: list[str], long_line: int, piece: int, forced: int
) -> None:
    """Small limits so every shape of break occurs: the map and Qt's document agree everywhere."""
    text = "".join(pieces)
    offsets = OffsetMap(text, qt_document=True, breaks=line_breaks(text, long_line, piece, forced))
    document = QTextDocument()
    document.setPlainText(offsets.qt_text(text))
    assert offsets.utf16_length == document.characterCount() - 1
    for cp, ch in enumerate(text):
        if (ch == "\ufeff" and cp == 0) or (ch == "\r" and text[cp + 1 : cp + 2] == "\n"):
            continue
        position = offsets.to_utf16(cp)
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        cursor.setPosition(position + utf16_len(ch), QTextCursor.KeepAnchor)
        assert cursor.selectedText() == ("\u2029" if ch in "\r\n\u2029\ufdd0" else ch)
    for k in offsets.breaks:
        position = offsets.to_utf16(k)
        cursor = QTextCursor(document)
        cursor.setPosition(position - 1)
        cursor.setPosition(position, QTextCursor.KeepAnchor)
        assert cursor.selectedText() == "\u2029"  # the inserted paragraph end, right before k
        assert offsets.to_code_point(position - 1) == offsets.to_code_point(position) == k
        assert offsets.span_to_code_points(position - 1, position) == (k, k)


def test_ordinary_documents_are_shown_unchanged() -> None:
    """Only lines longer than LONG_LINE get breaks; they fall after a space where there is one."""
    assert line_breaks("word " * (LONG_LINE // 5)) == []
    paragraphs = "\n".join(["word " * 1_500] * 50)
    assert line_breaks(paragraphs) == []
    text = "word " * 5_000
    breaks = line_breaks(text)
    assert breaks
    assert all(text[k - 1] == " " for k in breaks)
    assert all(0 < b - a <= PIECE for a, b in zip([0, *breaks], breaks, strict=False))
    hexdump = "".join(f"{i:08x}" for i in range(5_000))
    cuts = line_breaks(hexdump)
    pieces = [b - a for a, b in zip([0, *cuts], [*cuts, len(hexdump)], strict=True)]
    assert set(pieces[:-1]) == {FORCED_PIECE}
    assert pieces[-1] <= PIECE
    combining = "e\u0301" * 20_000
    assert all(not "\u0300" <= combining[k] <= "\u036f" for k in line_breaks(combining))


# -- 4. 100,000 documents ----------------------------------------------------------------------

MANY = 100_000


@pytest.fixture
def many(project: Project) -> Project:
    project.add_documents(
        DocumentInput(f"doc{i:06d}", f"Document {i} about troops in Kursk.", title=f"Report {i}")
        for i in range(MANY)
    )
    return project


def test_a_project_of_100000_documents_opens_and_its_list_is_usable(
    make_window, many: Project, qtbot
) -> None:
    window = make_window(many)
    assert window.doc_model.rowCount() == MANY
    assert window.session.doc_id == "doc000000"
    assert window.progress_label.text() == f"0 of {MANY} done"

    # Scroll to the bottom of the list and open the last document from there.
    view = window.doc_view
    view.scrollToBottom()
    last = window.doc_filter.index(MANY - 1, 0)
    assert view.viewport().rect().intersects(view.visualRect(last))
    view.setCurrentIndex(last)
    qtbot.keyClick(view, Qt.Key_Return)
    assert window.session.doc_id == f"doc{MANY - 1:06d}"

    # Mark it done, filter to the unfinished ones, go on with the next unfinished (wrapping).
    qtbot.keyClick(window.text_view, Qt.Key_D, Qt.ControlModifier)
    assert window.progress_label.text() == f"1 of {MANY} done"
    window.status_filter.setCurrentIndex(window.status_filter.findData("unfinished"))
    assert window.doc_filter.rowCount() == MANY - 1
    qtbot.keyClick(window.text_view, Qt.Key_D, Qt.ControlModifier | Qt.ShiftModifier)  # done + next
    assert window.session.doc_id == "doc000000"  # the last one was done already: on to the first
    assert window.doc_filter.rowCount() == MANY - 1
    qtbot.keyClick(window.text_view, Qt.Key_D, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.session.doc_id == "doc000001"
    assert window.doc_filter.rowCount() == MANY - 2
    assert window.progress_label.text() == f"2 of {MANY} done"
    selected = view.selectionModel().currentIndex()
    assert selected.data(Qt.DisplayRole) == "Report 1"


def write_corpus(folder: Path, files: int, per_file: int) -> int:
    folder.mkdir()
    for f in range(files):
        with (folder / f"part{f:03d}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(per_file):
                n = f * per_file + i
                out.write(
                    json.dumps({"id": f"new{n}", "text": f"Imported text {n}.", "title": f"New {n}"}) + "\n"
                )
    return files * per_file


@pytest.fixture
def import_spy(monkeypatch: pytest.MonkeyPatch, qtbot):
    """Import through File → Import… with the dialog answered, the closing message recorded, and
    each progress report recorded (with whether the progress dialog was on screen) before it
    is handled; ``cancel_when(done, total, visible)`` says when to click its Cancel button."""

    spy = SimpleNamespace(calls=[], messages=[], cancel_when=lambda done, total, visible: False)
    original = TransferProgress.__call__

    def watching(progress: TransferProgress, done: int, total: int) -> None:
        visible = progress.dialog.isVisible()
        spy.calls.append((done, total, visible))
        if spy.cancel_when(done, total, visible) and not progress.canceled():
            if visible:  # as the user would
                [cancel] = [b for b in progress.dialog.findChildren(QPushButton) if b.text() == "Cancel"]
                qtbot.mouseClick(cancel, Qt.LeftButton)
            else:
                progress.dialog.cancel()
        original(progress, done, total)

    monkeypatch.setattr(TransferProgress, "__call__", watching)
    for name in ("inform", "warn"):
        monkeypatch.setattr(
            messages, name, lambda _parent, title, text, *_args, **_kw: spy.messages.append((title, text))
        )
    return spy


@pytest.mark.parametrize("when", ["as soon as it shows", "at the very end"])
def test_cancelling_an_import_of_100000_documents_leaves_the_project_unchanged(
    make_window, project: Project, tmp_path: Path, monkeypatch, import_spy, when: str
) -> None:
    project.add_documents([DocumentInput("first", "The only document.", title="First")])
    corpus = tmp_path / "corpus"
    assert write_corpus(corpus, files=100, per_file=MANY // 100) == MANY
    window = make_window(project)
    monkeypatch.setattr(
        ImportDialog, "ask", classmethod(lambda cls, *_a: ImportRequest((corpus,), ImportOptions()))
    )
    if when == "at the very end":
        import_spy.cancel_when = lambda done, total, visible: done == total
    else:
        import_spy.cancel_when = lambda done, total, visible: visible
    window.import_action.trigger()
    assert import_spy.messages == [
        ("Import cancelled", "The import was cancelled; the project is unchanged.")
    ]
    assert any(visible for _done, _total, visible in import_spy.calls)  # the progress dialog showed
    assert project.document_count() == 1
    assert project.document_ids() == ["first"]
    assert window.doc_model.rowCount() == 1
    assert window.session.doc_id == "first"


def test_one_jsonl_file_of_100000_documents_reports_progress_while_it_is_read(
    make_window, project: Project, tmp_path: Path, monkeypatch, import_spy
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, files=1, per_file=MANY)
    window = make_window(project)
    monkeypatch.setattr(
        ImportDialog,
        "ask",
        classmethod(lambda cls, *_a: ImportRequest((corpus / "part000.jsonl",), ImportOptions())),
    )
    import_spy.cancel_when = lambda done, total, visible: True
    window.import_action.trigger()
    assert project.document_count() == 0
    first_done, first_total, _visible = import_spy.calls[0]
    assert first_done < first_total  # a report before the end, so the dialog can show and cancel


@pytest.mark.gui
def test_copying_then_quitting_exits_cleanly(tmp_path: Path) -> None:
    """Copy must not leave the clipboard an object PySide6 deletes twice (a crash at exit)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from PySide6.QtGui import QTextCursor\n"
        "from annotator.core.store import DocumentInput, Project\n"
        "from annotator.gui.app import application\n"
        "from annotator.gui.mainwindow import MainWindow\n"
        "from annotator.gui.settings import Settings\n"
        "app = application()\n"
        "project = Project.open(sys.argv[1])\n"
        "project.add_documents([DocumentInput('d', 'one\\r\\ntwo three')])\n"
        "window = MainWindow(project, Settings(sys.argv[2]), 'alice')\n"
        "window.show(); window.open_initial_document()\n"
        "cursor = QTextCursor(window.text_view.document()); cursor.setPosition(0)\n"
        "cursor.setPosition(7, QTextCursor.KeepAnchor); window.text_view.setTextCursor(cursor)\n"
        "window.text_view.copy()\n"
        "assert app.clipboard().text() == 'one\\r\\ntwo', repr(app.clipboard().text())\n"
        "window.close(); project.close()\n"
    )
    env = child_env(QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p.db"), str(tmp_path / "s.ini")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
