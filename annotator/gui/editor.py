"""The article view: read-only plain text with every span of the open layer painted on it.

Spans are drawn in two ways, both limited to what changed or what is visible:

* a :class:`SpanHighlighter` gives each character a light tint of the innermost span's label
  colour (stronger where spans nest). It styles a block only once the block comes near the
  screen (styling all 2,000 paragraphs of a 1 MB text up front re-lays out each of them and
  costs most of a second), and after an edit only the on-screen blocks the span touches are
  re-highlighted (``rehighlightBlock``), never the whole document;
* :meth:`TextView.paintEvent` draws, for the blocks on screen only, one underline lane per
  nesting depth in the label's full colour and an outline round the selected span, so every
  span of a nest or an overlap stays visible and can be picked.

``ExtraSelection`` is used only for the few current things (find matches on screen), never for
all spans: re-setting thousands of them per edit is too slow (100-300 ms for 20,000).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QSyntaxHighlighter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QTextEdit, QToolTip

from annotator.core.model import LabelSet, Span
from annotator.core.text_ops import assign_lanes
from annotator.gui.literal import html_text, isolate, one_line
from annotator.gui.session import LayerSession

READING_FAMILIES = ["Source Serif 4", "Charter", "Georgia", "Noto Serif", "DejaVu Serif", "serif"]
READING_POINT_SIZE = 12
LINE_HEIGHT_PERCENT = 150
LANE_GAP = 3  # pixels between stacked underlines
LANE_WIDTH = 2


def mix(color: QColor, base: QColor, amount: float) -> QColor:
    """``amount`` of ``color`` over ``base``: light tints on a light base, dark ones on dark."""
    return QColor(
        round(base.red() + (color.red() - base.red()) * amount),
        round(base.green() + (color.green() - base.green()) * amount),
        round(base.blue() + (color.blue() - base.blue()) * amount),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.Base).lightness() < 128


class SpanHighlighter(QSyntaxHighlighter):
    """Tints the characters of each block by the spans over them (innermost label wins)."""

    def __init__(self, view: TextView) -> None:
        super().__init__(None)
        self.view = view
        self._formats: dict[tuple[str, int], QTextCharFormat] = {}
        #: Numbers of the blocks that have been styled (the rest wait until they are near the
        #: screen). The text of a document never changes, so block numbers are stable.
        self.styled: set[int] = set()

    def reset_formats(self) -> None:
        self._formats.clear()

    def _format(self, label: str, depth: int) -> QTextCharFormat:
        key = (label, depth)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            base = self.view.palette().color(QPalette.Base)
            amount = (
                (0.22, 0.34, 0.44)[min(depth, 3) - 1]
                if not is_dark(self.view.palette())
                else (0.30, 0.42, 0.52)[min(depth, 3) - 1]
            )
            fmt.setBackground(mix(self.view.label_color(label), base, amount))
            self._formats[key] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:
        session = self.view.session
        block = self.currentBlock()
        if not session.spans or block.blockNumber() not in self.styled:
            return
        offsets = session.offsets
        position = block.position()
        length = block.length() - 1
        if position + length > offsets.utf16_length:
            return  # the document is being replaced
        cp_start = offsets.to_code_point(position)
        cp_end = offsets.to_code_point(position + length)
        pieces = []
        for span_id, start, end in session.index.overlapping(cp_start, cp_end):
            s = offsets.to_utf16(max(start, cp_start)) - position
            e = offsets.to_utf16(min(end, cp_end)) - position
            if e > s:
                pieces.append((s, e, end - start, session.spans[span_id].label))
        if not pieces:
            return
        points = sorted({p for s, e, _, _ in pieces for p in (s, e)})
        for a, b in zip(points, points[1:], strict=False):
            active = [piece for piece in pieces if piece[0] <= a and piece[1] >= b]
            if active:
                innermost = min(active, key=lambda piece: piece[2])
                self.setFormat(a, b - a, self._format(innermost[3], len(active)))


class TextView(QTextEdit):
    """The article, read-only, with spans painted on it; reports clicks on spans."""

    span_clicked = Signal(object)  # span id or None
    span_resize_requested = Signal(int, int, int)  # span id, new start, new end (code points)
    escaped = Signal()
    zoom_changed = Signal(int)

    def __init__(self, session: LayerSession, labels: LabelSet, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.selected_span: int | None = None
        self.zoom_steps = 0
        self._label_colors: dict[str, QColor] = {}
        self._find_ranges: list[tuple[int, int]] = []  # UTF-16, all matches
        self._drag_edge: str | None = None  # "start" or "end" while a boundary is dragged
        self._style_pending = False
        self._current_find: int = -1
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.setLineWrapMode(QTextEdit.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.setMouseTracking(True)
        self.setFrameShape(QTextEdit.NoFrame)
        self.highlighter = SpanHighlighter(self)
        self.set_labels(labels)
        self.verticalScrollBar().valueChanged.connect(self._refresh_find_selections)
        session.document_loaded.connect(self.show_document)
        session.spans_added.connect(self._spans_touched)
        session.spans_removed.connect(self._spans_touched)
        session.spans_changed.connect(lambda old, new: self._spans_touched(old + new))
        self.show_document()

    # -- appearance ---------------------------------------------------------------------------

    def reading_font(self) -> QFont:
        font = QFont()
        font.setFamilies(READING_FAMILIES)
        font.setPointSize(max(6, READING_POINT_SIZE + self.zoom_steps))
        font.setStyleHint(QFont.Serif)
        return font

    def set_zoom(self, steps: int) -> None:
        self.zoom_steps = max(-6, min(24, steps))
        self.document().setDefaultFont(self.reading_font())
        self.setFont(self.reading_font())
        self.zoom_changed.emit(self.zoom_steps)

    def zoomIn(self, range: int = 1) -> None:  # noqa: A002 - Qt's name
        self.set_zoom(self.zoom_steps + range)

    def zoomOut(self, range: int = 1) -> None:  # noqa: A002 - Qt's name
        self.set_zoom(self.zoom_steps - range)

    def set_labels(self, labels: LabelSet) -> None:
        self._label_colors = {label.name: QColor(label.color) for label in labels}
        self._restyle()

    def _restyle(self) -> None:
        """New colours: drop every block's styling and style what is on screen again."""
        self.highlighter.reset_formats()
        if self.highlighter.document() is not None:
            styled = sorted(self.highlighter.styled)
            self.highlighter.styled.clear()
            document = self.document()
            for number in styled:
                self.highlighter.rehighlightBlock(document.findBlockByNumber(number))
            self.style_visible_blocks()
        self.viewport().update()

    def label_color(self, name: str) -> QColor:
        return self._label_colors.get(name, QColor("#888888"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and self.highlighter.document() is not None:
            self._restyle()

    # -- the document -------------------------------------------------------------------------

    def show_document(self) -> None:
        """Show the session's text: plain text only, never markup; one block format for all.

        A very long line comes as several paragraphs (``OffsetMap.qt_text``: Qt lays out each
        paragraph in one piece, slowly); they are joined without the gap between paragraphs,
        so they read as the one wrapped line they are.
        """
        old = self.document()
        offsets = self.session.offsets
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self.reading_font())
        document.setDocumentMargin(28)
        document.setPlainText(offsets.qt_text(self.session.text))
        block_format = QTextBlockFormat()
        block_format.setLineHeight(LINE_HEIGHT_PERCENT, QTextBlockFormat.ProportionalHeight.value)
        block_format.setBottomMargin(6)
        cursor = QTextCursor(document)
        cursor.select(QTextCursor.Document)
        cursor.mergeBlockFormat(block_format)
        if offsets.breaks:
            joined = QTextBlockFormat()
            joined.setBottomMargin(0)
            for k in offsets.breaks:
                QTextCursor(document.findBlock(offsets.to_utf16(k) - 1)).mergeBlockFormat(joined)
        self.selected_span = None
        self._find_ranges = []
        self._current_find = -1
        self.highlighter.styled.clear()
        self.highlighter.setDocument(document)
        self.setDocument(document)
        self.setFont(self.reading_font())
        self.setExtraSelections([])
        self.style_visible_blocks()
        # The control deletes a document it created itself; ours we delete when replaced.
        if old is not None and shiboken6.isValid(old) and old.parent() is self:
            old.deleteLater()

    def style_visible_blocks(self) -> None:
        """Style the blocks on screen and one screen around it that are not styled yet."""
        any_spans = bool(self.session.spans)
        document = self.document()
        layout = document.documentLayout()
        height = self.viewport().height()
        top = self.verticalScrollBar().value() - height
        bottom = self.verticalScrollBar().value() + 2 * height
        block = self.cursorForPosition(QPoint(0, 0)).block()
        # Walk back one screen, then forward to one screen below.
        while block.isValid() and block.previous().isValid() and layout.blockBoundingRect(block).top() > top:
            block = block.previous()
        styled = self.highlighter.styled
        while block.isValid():
            if layout.blockBoundingRect(block).top() > bottom:
                break
            number = block.blockNumber()
            if number not in styled:
                styled.add(number)
                if any_spans:  # an unstyled block without spans is already right
                    self.highlighter.rehighlightBlock(block)
            block = block.next()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.style_visible_blocks()

    def _spans_touched(self, spans: list[Span]) -> None:
        """Re-highlight only the blocks the given spans cover."""
        if self.selected_span is not None and self.selected_span not in self.session.spans:
            self.selected_span = None
        document = self.document()
        offsets = self.session.offsets
        done = set()
        for span in spans:
            if span.end > offsets.length:
                continue
            first = document.findBlock(offsets.to_utf16(span.start))
            last = document.findBlock(max(offsets.to_utf16(span.end) - 1, 0))
            block = first
            while block.isValid():
                number = block.blockNumber()
                if number not in done and number in self.highlighter.styled:
                    done.add(number)
                    self.highlighter.rehighlightBlock(block)
                if block == last:
                    break
                block = block.next()
        self.viewport().update()

    # -- positions (code points everywhere outside this widget) -------------------------------

    def selection_range(self) -> tuple[int, int] | None:
        """The selected text as code points, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.session.offsets.span_to_code_points(cursor.selectionStart(), cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select code points [start, end) in the widget (as a user would)."""
        offsets = self.session.offsets
        cursor = self.textCursor()
        cursor.setPosition(offsets.to_utf16(start))
        cursor.setPosition(offsets.to_utf16(end), QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)

    def cursor_offset(self) -> int:
        return self.session.offsets.to_code_point(self.textCursor().position())

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def show_span(self, span_id: int | None, *, move_cursor: bool = True) -> None:
        """Make ``span_id`` the selected span (outlined), scrolled into view."""
        self.selected_span = span_id
        span = self.session.spans.get(span_id) if span_id is not None else None
        if span is not None and move_cursor:
            cursor = self.textCursor()
            cursor.setPosition(self.session.offsets.to_utf16(span.end))
            self.setTextCursor(cursor)
            cursor.setPosition(self.session.offsets.to_utf16(span.start))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self.viewport().update()

    def restore_position(self, cursor_position: int, scroll: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(cursor_position, self.document().characterCount() - 1)))
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(scroll)

    # -- find ---------------------------------------------------------------------------------

    def set_find_matches(self, ranges: list[tuple[int, int]], current: int) -> None:
        offsets = self.session.offsets
        self._find_ranges = [offsets.span_to_utf16(s, e) for s, e in ranges]
        self._current_find = current
        if 0 <= current < len(ranges):
            start, end = self._find_ranges[current]
            cursor = self.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.KeepAnchor)
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self._refresh_find_selections()

    def _refresh_find_selections(self, *_args) -> None:
        if not self._find_ranges:
            if self.extraSelections():
                self.setExtraSelections([])
            return
        top = self.cursorForPosition(self.viewport().rect().topLeft()).position()
        bottom = self.cursorForPosition(self.viewport().rect().bottomRight()).position()
        from bisect import bisect_left

        first = max(0, bisect_left(self._find_ranges, (top, 0)) - 1)
        match_color = QColor("#FFE066") if not is_dark(self.palette()) else QColor("#7A6500")
        current_color = QColor("#FF9F1C") if not is_dark(self.palette()) else QColor("#B35C00")
        selections = []
        for i in range(first, len(self._find_ranges)):
            start, end = self._find_ranges[i]
            if start > bottom:
                break
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(current_color if i == self._current_find else match_color)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.style_visible_blocks()
        if self._find_ranges:
            self._refresh_find_selections()

    # -- painting -----------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        session = self.session
        if not session.spans:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.Antialiasing, True)
        offsets = session.offsets
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        layout = self.document().documentLayout()
        area = event.rect()
        block = self.cursorForPosition(area.topLeft()).block()
        while block.isValid():
            geometry = layout.blockBoundingRect(block).translated(dx, dy)
            if geometry.top() > area.bottom():
                break
            if geometry.bottom() >= area.top():
                if block.blockNumber() not in self.highlighter.styled and not self._style_pending:
                    # Laid out after the last scroll (QTextEdit lays out lazily): style it next.
                    self._style_pending = True
                    QTimer.singleShot(0, self._style_later)
                self._paint_block(painter, block, QPointF(dx, dy), offsets)
            block = block.next()
        painter.end()

    def _style_later(self) -> None:
        self._style_pending = False
        self.style_visible_blocks()

    def _paint_block(self, painter: QPainter, block, shift: QPointF, offsets) -> None:
        position = block.position()
        length = block.length() - 1
        if position + length > offsets.utf16_length:
            return
        cp_start = offsets.to_code_point(position)
        cp_end = offsets.to_code_point(position + length)
        hits = list(self.session.index.overlapping(cp_start, cp_end))
        if not hits:
            return
        lanes = assign_lanes(hits)
        layout = block.layout()
        origin = layout.position() + shift
        for span_id, start, end in hits:
            s = offsets.to_utf16(max(start, cp_start)) - position
            e = offsets.to_utf16(min(end, cp_end)) - position
            if e <= s:
                continue
            color = self.label_color(self.session.spans[span_id].label)
            selected = span_id == self.selected_span
            lane = lanes[span_id]
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                line_start = line.textStart()
                line_end = line_start + line.textLength()
                if e <= line_start or s >= line_end:
                    continue
                x1 = origin.x() + _x(line, max(s, line_start))
                x2 = origin.x() + _x(line, min(e, line_end))
                if x2 < x1:
                    x1, x2 = x2, x1
                top = origin.y() + line.y()
                # Proportional line height puts the extra space above the glyphs' box.
                text_bottom = top + line.height()
                text_top = text_bottom - line.ascent() - line.descent()
                y = text_bottom + 1.5 + lane * (LANE_WIDTH + LANE_GAP)
                painter.setPen(QPen(color, LANE_WIDTH + (1 if selected else 0), Qt.SolidLine, Qt.FlatCap))
                painter.drawLine(QPointF(x1, y), QPointF(x2, y))
                if selected:
                    rect = QRectF(x1 - 2, text_top - 1, x2 - x1 + 4, text_bottom - text_top + 2)
                    path = QPainterPath()
                    path.addRoundedRect(rect, 3, 3)
                    painter.setPen(QPen(color, 2))
                    painter.drawPath(path)

    # -- interaction --------------------------------------------------------------------------

    # Dragging a boundary of the selected span with the mouse.

    EDGE_GRAB = 5  # pixels either side of a boundary that pick it up

    def edge_at(self, point: QPoint) -> str | None:
        """ "start" or "end" when ``point`` is on that boundary of the selected span."""
        span = self.session.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is None:
            return None
        for edge, offset in (("start", span.start), ("end", span.end)):
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.session.offsets.to_utf16(offset))
            rect = self.cursorRect(cursor)
            if (
                abs(point.x() - rect.x()) <= self.EDGE_GRAB
                and rect.top() - 2 <= point.y() <= rect.bottom() + 4
            ):
                return edge
        return None

    def _dragged_range(self, point: QPoint) -> tuple[int, int] | None:
        span = self.session.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is None:
            return None
        offset = self.session.offsets.to_code_point(self.cursorForPosition(point).position())
        start, end = (offset, span.end) if self._drag_edge == "start" else (span.start, offset)
        return (start, end) if start < end else None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            edge = self.edge_at(event.position().toPoint())
            if edge is not None:
                self._drag_edge = edge
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        point = event.position().toPoint()
        if self._drag_edge is not None:
            dragged = self._dragged_range(point)
            if dragged is not None:
                self.select_range(*dragged)  # the selection shows where the span will be
            return
        super().mouseMoveEvent(event)
        near = not (event.buttons() & Qt.LeftButton) and self.edge_at(point) is not None
        self.viewport().setCursor(Qt.SizeHorCursor if near else Qt.IBeamCursor)

    def mouseReleaseEvent(self, event) -> None:
        if self._drag_edge is not None and event.button() == Qt.LeftButton:
            dragged = self._dragged_range(event.position().toPoint())
            self._drag_edge = None
            self.clear_selection()
            if dragged is not None and self.selected_span is not None:
                self.span_resize_requested.emit(self.selected_span, *dragged)
            return
        super().mouseReleaseEvent(event)
        if event.button() != Qt.LeftButton or self.textCursor().hasSelection():
            return
        position = self.cursorForPosition(event.position().toPoint()).position()
        offset = self.session.offsets.to_code_point(position)
        candidates = [s.id for s in self.session.spans_at(offset)]
        if not candidates and offset > 0:
            # A click on the right half of a span's last character lands after it.
            candidates = [s.id for s in self.session.spans_at(offset - 1) if s.end == offset]
        if not candidates:
            self.span_clicked.emit(None)
            return
        if self.selected_span in candidates:
            # Clicking again on the same place cycles through the spans stacked there.
            nxt = candidates[(candidates.index(self.selected_span) + 1) % len(candidates)]
        else:
            nxt = candidates[0]
        self.span_clicked.emit(nxt)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            position = self.cursorForPosition(event.pos()).position()
            offset = self.session.offsets.to_code_point(position)
            spans = self.session.spans_at(offset)
            if spans:
                # Rich text of our own, every user string in it escaped and bidi-isolated.
                lines = []
                for span in spans:
                    covered = one_line(self.session.text[span.start : span.end], 60)
                    color = self.label_color(span.label).name()
                    note = f"<br><i>{_shown(one_line(span.note, 200))}</i>" if span.note else ""
                    lines.append(
                        f"<span style='color:{color}'>■</span> <b>{_shown(span.label)}</b> "
                        f"“{_shown(covered)}”{note}"
                    )
                QToolTip.showText(event.globalPos(), "<br>".join(lines), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def selected_text(self) -> str:
        """The selected code points of the stored text, exactly (Qt's own view of them has "\n"
        for "\r\n", and paragraph breaks inside a very long line)."""
        selection = self.selection_range()
        return self.session.text[selection[0] : selection[1]] if selection is not None else ""

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
        if event.key() == Qt.Key_Escape:
            if self.textCursor().hasSelection() or self.selected_span is not None:
                self.clear_selection()
                self.span_clicked.emit(None)
            else:
                self.escaped.emit()
            return
        super().keyPressEvent(event)


def _x(line, position: int) -> float:
    result = line.cursorToX(position)
    return float(result[0] if isinstance(result, tuple) else result)


def _shown(text: str) -> str:
    """User text inside our rich text: escaped, and isolated so it cannot reorder the rest."""
    return html_text(isolate(text))


__all__ = ["SpanHighlighter", "TextView", "mix"]
