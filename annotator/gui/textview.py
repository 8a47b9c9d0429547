"""The read-only text view both windows show a document in, speaking code points to everyone.

Qt counts UTF-16 code units and shows a very long line as several paragraphs; the rest of
Annotator counts code points of the stored text. :class:`CodePointTextView` is the one place
where the two meet for a shown document: it builds the document (plain text only, long lines
in pieces), answers selections and positions in code points, copies exactly the stored
characters, and gives its subclasses the geometry of a code-point range on screen.

Marks on the text are :class:`Layer` objects, painted in order over the text (span underlines,
label names, the review's bars) or given as extra selections under it (find matches, gold):
a new kind of mark — proposals, relations — is a new layer, not a change to the view.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRect, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QKeySequence,
    QPainter,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QTextEdit, QWidget

from annotator.core.utf16 import OffsetMap

#: The reading font of both windows: a book serif where there is one.
READING_FAMILIES = ["Source Serif 4", "Charter", "Georgia", "Noto Serif", "DejaVu Serif", "serif"]
READING_POINT_SIZE = 12
#: The text column is at most this many times the font's pixel size wide (about 90 characters),
#: so a maximised window keeps lines a reader can follow; the rest is margin.
COLUMN_EMS = 48


def reading_font(zoom_steps: int = 0) -> QFont:
    font = QFont()
    font.setFamilies(READING_FAMILIES)
    font.setPointSize(max(6, READING_POINT_SIZE + zoom_steps))
    font.setStyleHint(QFont.Serif)
    return font


@dataclass(frozen=True)
class Segment:
    """One line's piece of a code-point range, in viewport coordinates: the glyphs' box."""

    x1: float
    x2: float
    top: float
    bottom: float


class Layer:
    """A kind of mark drawn on a :class:`CodePointTextView`.

    ``paint`` draws over the text, for the blocks on screen; ``selections`` gives
    ``QTextEdit.ExtraSelection`` objects drawn under the glyphs, for the UTF-16 range on screen.
    A layer that changed calls :meth:`changed`.
    """

    def __init__(self, view: CodePointTextView) -> None:
        self.view = view
        self.visible = True

    def paint(self, painter: QPainter, area: QRect) -> None:  # noqa: B027 - optional hook
        """Draw over the text inside ``area`` (viewport coordinates)."""

    def selections(self, top: int, bottom: int) -> list[QTextEdit.ExtraSelection]:
        """Extra selections for UTF-16 positions [top, bottom] (what is on screen)."""
        return []

    def reset(self) -> None:  # noqa: B027 - optional hook
        """The view shows another document."""

    def changed(self) -> None:
        self.view.layers_changed()


class CodePointTextView(QTextEdit):
    """A read-only, selectable view of one plain text, addressed in code points."""

    zoom_changed = Signal(int)

    #: Line height in percent of the font's: room between lines for marks.
    LINE_HEIGHT_PERCENT = 150
    #: Space between paragraphs, pixels.
    PARAGRAPH_GAP = 6
    #: Margin around the text, pixels (more when the view is wider than the column).
    MARGIN = 28

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._offsets = OffsetMap.for_qt_document("")
        self.zoom_steps = 0
        self.layers: list[Layer] = []
        self._selection_count = 0
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.setLineWrapMode(QTextEdit.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.setFrameShape(QTextEdit.NoFrame)
        self.setFont(reading_font())
        self.verticalScrollBar().valueChanged.connect(self._refresh_selections)

    # -- the document -------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._text

    @property
    def offsets(self) -> OffsetMap:
        return self._offsets

    def line_height_percent(self) -> int:
        return self.LINE_HEIGHT_PERCENT

    def set_text(self, text: str, offsets: OffsetMap | None = None, *, keep_layers: bool = False) -> None:
        """Show ``text``: plain text only, never markup.

        The document is filled and formatted before the view gets it (formatting a shown
        document re-lays it out at each step: 16 s for the 2,500 pieces of a 10 MB line). A very
        long line comes as several paragraphs (``OffsetMap.qt_text``: Qt lays out each paragraph
        in one piece, slowly); they are joined without the gap between paragraphs, so they read
        as the one wrapped line they are.
        """
        self._text = text
        self._offsets = offsets if offsets is not None else OffsetMap.for_qt_document(text)
        old = self.document()
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(reading_font(self.zoom_steps))
        document.setPlainText(self._offsets.qt_text(text))
        self._format_blocks(document)
        self._set_column(document)
        if not keep_layers:
            for layer in self.layers:
                layer.reset()
        self._before_document_shown(document)
        self.setDocument(document)
        self.setFont(reading_font(self.zoom_steps))
        self._selection_count = 0
        self.setExtraSelections([])
        self.moveCursor(QTextCursor.Start)
        # The control deletes a document it created itself; ours we delete when replaced.
        if old is not None and shiboken6.isValid(old) and old.parent() is self:
            old.deleteLater()

    def _before_document_shown(self, document: QTextDocument) -> None:
        """Hook: the new document is built and about to be shown."""

    def _format_blocks(self, document: QTextDocument) -> None:
        block_format = QTextBlockFormat()
        block_format.setLineHeight(self.line_height_percent(), QTextBlockFormat.ProportionalHeight.value)
        block_format.setBottomMargin(self.PARAGRAPH_GAP)
        cursor = QTextCursor(document)
        cursor.select(QTextCursor.Document)
        cursor.mergeBlockFormat(block_format)
        if self._offsets.breaks:
            joined = QTextBlockFormat()
            joined.setBottomMargin(0)
            for k in self._offsets.breaks:
                QTextCursor(document.findBlock(self._offsets.to_utf16(k) - 1)).mergeBlockFormat(joined)

    def reformat(self) -> None:
        """Apply a changed line height: the document is built again, formatted before it is
        shown (formatting the shown pieces of a 10 MB line takes seconds), with the marks, the
        selection and the caret's place kept."""
        cursor = self.textCursor()
        anchor, position = cursor.anchor(), cursor.position()
        self.set_text(self._text, self._offsets, keep_layers=True)
        cursor = self.textCursor()
        cursor.setPosition(anchor)
        cursor.setPosition(position, QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self.layers_changed()

    def _set_column(self, document: QTextDocument) -> None:
        """Margins that keep the text column readable however wide the view is."""
        column = COLUMN_EMS * QFontInfo(document.defaultFont()).pixelSize()
        side = max(self.MARGIN, (self.viewport().width() - column) // 2)
        frame = document.rootFrame()
        fmt = frame.frameFormat()
        if (fmt.leftMargin(), fmt.rightMargin(), fmt.topMargin()) != (side, side, self.MARGIN):
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            fmt.setTopMargin(self.MARGIN)
            fmt.setBottomMargin(self.MARGIN)
            frame.setFrameFormat(fmt)

    def resizeEvent(self, event) -> None:
        self._set_column(self.document())
        super().resizeEvent(event)
        self._refresh_selections()

    # -- zoom ---------------------------------------------------------------------------------

    def set_zoom(self, steps: int) -> None:
        self.zoom_steps = max(-6, min(24, steps))
        font = reading_font(self.zoom_steps)
        self.document().setDefaultFont(font)
        self.setFont(font)
        self._set_column(self.document())
        self.zoom_changed.emit(self.zoom_steps)

    def zoomIn(self, range: int = 1) -> None:  # noqa: A002 - Qt's name
        self.set_zoom(self.zoom_steps + range)

    def zoomOut(self, range: int = 1) -> None:  # noqa: A002 - Qt's name
        self.set_zoom(self.zoom_steps - range)

    # -- positions (code points everywhere outside this widget) -------------------------------

    def selection_range(self) -> tuple[int, int] | None:
        """The selected text as code points, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._offsets.span_to_code_points(cursor.selectionStart(), cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select code points [start, end) (as a user would: the caret ends at ``end``)."""
        q_start, q_end = self._offsets.span_to_utf16(start, end)
        cursor = self.textCursor()
        cursor.setPosition(q_start)
        cursor.setPosition(q_end, QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)

    def cursor_offset(self) -> int:
        return self._offsets.to_code_point(self.textCursor().position())

    def set_cursor_offset(self, offset: int) -> None:
        """Put the caret (without a selection) before code point ``offset``."""
        cursor = self.textCursor()
        cursor.setPosition(self._offsets.to_utf16(max(0, min(offset, self._offsets.length))))
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def offset_at(self, point: QPoint) -> int:
        """The code point under a viewport position (the one after it, between characters)."""
        return self._offsets.to_code_point(self.cursorForPosition(point).position())

    def show_range(self, start: int, end: int) -> None:
        """Scroll [start, end) into the upper middle of the view, the caret at its start."""
        self.set_cursor_offset(start)
        top = self.cursorRect(self.textCursor()).top()
        height = self.viewport().height()
        if not height * 0.15 <= top <= height * 0.7:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + top - round(height * 0.35))
        self.ensureCursorVisible()

    # -- copying ------------------------------------------------------------------------------

    def selected_text(self) -> str:
        """The selected code points of the stored text, exactly (Qt's own view of them has "\n"
        for "\r\n", and paragraph breaks inside a very long line)."""
        selection = self.selection_range()
        return self._text[selection[0] : selection[1]] if selection is not None else ""

    def copy(self) -> None:
        """Copy :meth:`selected_text` (Ctrl+C and the context menu come here).

        Not an override of ``createMimeDataFromSelection``: a QMimeData made in Python and
        handed to the clipboard is deleted twice by PySide6, which crashes at exit.
        """
        if self.textCursor().hasSelection():
            QApplication.clipboard().setText(self.selected_text())

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.Copy):
            self.copy()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- geometry for the layers --------------------------------------------------------------

    def visible_blocks(self, area: QRect) -> Iterator[tuple[QTextBlock, QPointF]]:
        """The blocks that reach into ``area`` (viewport coordinates), with the shift from
        document to viewport coordinates."""
        shift = QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
        layout = self.document().documentLayout()
        block = self.cursorForPosition(area.topLeft()).block()
        while block.isValid():
            geometry = layout.blockBoundingRect(block).translated(shift)
            if geometry.top() > area.bottom():
                break
            if geometry.bottom() >= area.top():
                yield block, shift
            block = block.next()

    def block_code_points(self, block: QTextBlock) -> tuple[int, int] | None:
        """The code points a block shows, or None while the document is being replaced."""
        position = block.position()
        length = block.length() - 1
        if position + length > self._offsets.utf16_length:
            return None
        return self._offsets.to_code_point(position), self._offsets.to_code_point(position + length)

    def block_segments(
        self, block: QTextBlock, shift: QPointF, start: int, end: int
    ) -> Iterator[tuple[Segment, QTextLine]]:
        """The line pieces of code points [start, end) inside ``block``."""
        position = block.position()
        s = self._offsets.to_utf16(start) - position
        e = self._offsets.to_utf16(end) - position
        layout = block.layout()
        origin = layout.position() + shift
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            line_start = line.textStart()
            line_end = line_start + line.textLength()
            if e <= line_start or s >= line_end:
                continue
            x1 = origin.x() + _x(line, max(s, line_start))
            x2 = origin.x() + _x(line, min(e, line_end))
            top = origin.y() + line.y()
            yield Segment(min(x1, x2), max(x1, x2), top, top + line.height()), line

    def segments(self, start: int, end: int) -> Iterator[Segment]:
        """The line pieces of code points [start, end) in viewport coordinates."""
        if end <= start or end > self._offsets.length:
            return
        shift = QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
        document = self.document()
        block = document.findBlock(self._offsets.to_utf16(start))
        last = self._offsets.to_utf16(end)
        while block.isValid() and block.position() < last:
            for segment, _line in self.block_segments(block, shift, start, end):
                yield segment
            block = block.next()

    def visible_code_points(self) -> tuple[int, int]:
        """The code points shown in the viewport (with a line of slack)."""
        rect = self.viewport().rect()
        first = self.cursorForPosition(QPoint(0, 0)).position()
        last = self.cursorForPosition(QPoint(rect.width(), rect.height())).position()
        length = self._offsets.utf16_length
        first_cp = self._offsets.to_code_point(max(0, min(first, length)))
        last_cp = self._offsets.to_code_point(max(0, min(last, length)))
        return max(0, first_cp - 200), min(self._offsets.length, last_cp + 200)

    # -- layers -------------------------------------------------------------------------------

    def add_layer(self, layer: Layer) -> Layer:
        self.layers.append(layer)
        return layer

    def layers_changed(self) -> None:
        self._refresh_selections()
        self.viewport().update()

    def _refresh_selections(self, *_args) -> None:
        """Ask the layers for their extra selections on screen (only there: re-setting
        thousands of them per change is slow)."""
        if not self.layers:
            return
        rect = self.viewport().rect()
        top = self.cursorForPosition(rect.topLeft()).position()
        bottom = self.cursorForPosition(rect.bottomRight()).position()
        selections: list[QTextEdit.ExtraSelection] = []
        for layer in self.layers:
            if layer.visible:
                selections.extend(layer.selections(top, bottom))
        if selections or self._selection_count:
            self._selection_count = len(selections)
            self.setExtraSelections(selections)

    def selection_for(self, start: int, end: int, fmt) -> QTextEdit.ExtraSelection:
        """An extra selection of UTF-16 positions [start, end) with the char format ``fmt``."""
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        return selection

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        active: Sequence[Layer] = [layer for layer in self.layers if layer.visible]
        if not active or not self._text:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.Antialiasing, True)
        for layer in active:
            layer.paint(painter, event.rect())
        painter.end()


def _x(line: QTextLine, position: int) -> float:
    result = line.cursorToX(position)
    return float(result[0] if isinstance(result, tuple) else result)
