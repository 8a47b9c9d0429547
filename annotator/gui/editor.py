"""The article view: the open document with every span of the open layer painted on it.

Spans are drawn in two ways, both limited to what changed or what is visible:

* a :class:`SpanHighlighter` gives each character a light tint of the innermost span's label
  colour (stronger where spans nest). It styles a block only once the block comes near the
  screen (styling all 2,000 paragraphs of a 1 MB text up front re-lays out each of them and
  costs most of a second), and after an edit only the on-screen blocks the span touches are
  re-highlighted (``rehighlightBlock``), never the whole document;
* layers (:mod:`annotator.gui.textview`) draw, for the blocks on screen only, one underline
  lane per nesting depth in the label's full colour with an outline round the selected span
  (:class:`SpanMarks`), the label names above the spans when asked for (:class:`LabelNames`),
  and the find matches (:class:`FindMarks`).

``ExtraSelection`` is used only for the few current things (find matches on screen), never for
all spans: re-setting thousands of them per edit is too slow (100-300 ms for 20,000).
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QTextEdit, QToolTip

from annotator.core.model import LabelSet, Span
from annotator.core.text_ops import assign_lanes
from annotator.gui import colors
from annotator.gui.literal import one_line, rich
from annotator.gui.session import LayerSession
from annotator.gui.textview import CodePointTextView, Layer

LANE_GAP = 3  # pixels between stacked underlines
LANE_WIDTH = 2
#: Line height with the label names shown: room above each line for a row of name tags.
NAMES_LINE_HEIGHT_PERCENT = 235


class SpanHighlighter(QSyntaxHighlighter):
    """Tints the characters of each block by the spans over them (innermost label wins)."""

    def __init__(self, view: ArticleView) -> None:
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
            fmt.setBackground(colors.tint(self.view.label_color(label), self.view.palette(), depth))
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


class SpanMarks(Layer):
    """An underline per span in its label's colour, one lane per nesting depth; the selected
    span outlined."""

    view: ArticleView

    def paint(self, painter: QPainter, area: QRect) -> None:
        view = self.view
        session = view.session
        if not session.spans:
            return
        for block, shift in view.visible_blocks(area):
            bounds = view.block_code_points(block)
            if bounds is None:
                continue
            hits = list(session.index.overlapping(*bounds))
            if not hits:
                continue
            lanes = assign_lanes(hits)
            for span_id, start, end in hits:
                color = view.label_color(session.spans[span_id].label)
                selected = span_id == view.selected_span
                lane = lanes[span_id]
                pieces = view.block_segments(block, shift, max(start, bounds[0]), min(end, bounds[1]))
                for segment, _line in pieces:
                    y = segment.bottom + 1.5 + lane * (LANE_WIDTH + LANE_GAP)
                    painter.setPen(QPen(color, LANE_WIDTH + (1 if selected else 0), Qt.SolidLine, Qt.FlatCap))
                    painter.drawLine(QPointF(segment.x1, y), QPointF(segment.x2, y))
                    if selected:
                        rect = QRectF(
                            segment.x1 - 2,
                            segment.top - 1,
                            segment.x2 - segment.x1 + 4,
                            segment.bottom - segment.top + 2,
                        )
                        path = QPainterPath()
                        path.addRoundedRect(rect, 3, 3)
                        painter.setPen(QPen(color, 2))
                        painter.drawPath(path)


class LabelNames(Layer):
    """Each span's label name in a small tag above its first character (View → Show label
    names), tags of spans starting close together set side by side so none hides another."""

    view: ArticleView

    def __init__(self, view: ArticleView) -> None:
        super().__init__(view)
        self.visible = False

    def font(self) -> QFont:
        font = QFont(self.view.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.62))
        font.setBold(True)
        return font

    def tags(self, area: QRect) -> list[tuple[QRectF, str, QColor]]:
        """(rectangle, name, colour) of the tags inside ``area`` (viewport coordinates), while
        the names are shown."""
        if not self.visible:
            return []
        view = self.view
        session = view.session
        metrics = QFontMetricsF(self.font())
        height = metrics.height() + 2
        found = []
        for block, shift in view.visible_blocks(area):
            bounds = view.block_code_points(block)
            if bounds is None:
                continue
            starting = sorted(
                (start, -end, span_id)
                for span_id, start, end in session.index.overlapping(*bounds)
                if start >= bounds[0]
            )
            right_edge: dict[float, float] = {}  # per line (its top): where the last tag ended
            for start, _neg_end, span_id in starting:
                label = session.spans[span_id].label
                first = next(iter(view.block_segments(block, shift, start, start + 1)), None)
                if first is None:
                    continue
                segment = first[0]
                name = one_line(label, 24)
                width = metrics.horizontalAdvance(name) + 8
                x = max(segment.x1, right_edge.get(segment.top, -1e9) + 3)
                right_edge[segment.top] = x + width
                rect = QRectF(x, segment.top - height - 1, width, height)
                found.append((rect, name, view.label_color(label)))
        return found

    def paint(self, painter: QPainter, area: QRect) -> None:
        if not self.view.session.spans:
            return
        painter.setFont(self.font())
        for rect, name, color in self.tags(area):
            path = QPainterPath()
            path.addRoundedRect(rect, 3, 3)
            painter.fillPath(path, color)
            painter.setPen(QColor(colors.readable_text_on(color)))
            painter.drawText(rect, Qt.AlignCenter, name)


class FindMarks(Layer):
    """Find matches on screen as a highlight told apart from every label tint; the current
    match outlined."""

    def __init__(self, view: ArticleView) -> None:
        super().__init__(view)
        self.ranges: list[tuple[int, int]] = []  # UTF-16, every match, in order
        self.current = -1

    def reset(self) -> None:
        self.ranges = []
        self.current = -1

    def set_matches(self, ranges: list[tuple[int, int]], current: int) -> None:
        offsets = self.view.offsets
        self.ranges = [offsets.span_to_utf16(s, e) for s, e in ranges]
        self.current = current
        self.changed()

    def _colors(self) -> tuple[QColor, QColor]:
        labels = self.view.label_colors()
        return colors.find_colors(labels, colors.is_dark(self.view.palette()))

    def selections(self, top: int, bottom: int) -> list[QTextEdit.ExtraSelection]:
        if not self.ranges:
            return []
        match, current = self._colors()
        selections = []
        for i in range(max(0, bisect_left(self.ranges, (top, 0)) - 1), len(self.ranges)):
            start, end = self.ranges[i]
            if start > bottom:
                break
            fmt = QTextCharFormat()
            fmt.setBackground(current if i == self.current else match)
            fmt.setForeground(QColor(colors.readable_text_on(current if i == self.current else match)))
            selections.append(self.view.selection_for(start, end, fmt))
        return selections

    def paint(self, painter: QPainter, area: QRect) -> None:
        if not 0 <= self.current < len(self.ranges):
            return
        offsets = self.view.offsets
        start, end = self.ranges[self.current]
        _match, current = self._colors()
        painter.setPen(QPen(current.darker(150), 2))
        for segment in self.view.segments(offsets.to_code_point(start), offsets.to_code_point(end)):
            painter.drawRoundedRect(
                QRectF(
                    segment.x1 - 2,
                    segment.top - 1,
                    segment.x2 - segment.x1 + 4,
                    segment.bottom - segment.top + 2,
                ),
                3,
                3,
            )


class ProposalMarks(Layer):
    """Proposals: a dashed outline in the label's colour, no fill and no underline, so they can
    never be taken for spans; the current one (Tab) drawn thicker with its label name beside it.
    They are only drawn, never in the layer, until accepted."""

    view: ArticleView

    def __init__(self, view: ArticleView) -> None:
        super().__init__(view)
        self._cache: dict[tuple[int, int, int], list[tuple[float, float, float, float]]] = {}
        self._cache_key: tuple[object, ...] = ()

    def paint(self, painter: QPainter, area: QRect) -> None:
        view = self.view
        suggestions = view.suggestions
        if suggestions is None or not suggestions.proposals:
            return
        current = suggestions.current
        painter.save()
        # Straight, cosmetic dashes without antialiasing: hundreds per page stay cheap to draw.
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setBrush(Qt.NoBrush)
        pens: dict[tuple[str, bool], QPen] = {}
        tag = None
        self._check_cache()
        shift_x, shift_y = -view.horizontalScrollBar().value(), -view.verticalScrollBar().value()
        for block, _shift in view.visible_blocks(area):
            bounds = view.block_code_points(block)
            if bounds is None:
                continue
            for proposal in suggestions.proposals_between(*bounds):
                chosen = proposal == current
                pen = pens.get((proposal.label, chosen))
                if pen is None:
                    pen = QPen(view.label_color(proposal.label), 2 if chosen else 1, Qt.DashLine)
                    pen.setDashPattern([4, 2] if chosen else [3, 2])
                    pens[(proposal.label, chosen)] = pen
                painter.setPen(pen)
                for x, y, width, height in self._pieces(block, proposal, bounds):
                    rect = QRectF(x + shift_x, y + shift_y, width, height)
                    painter.drawRect(rect)
                    if chosen and tag is None:
                        tag = (rect, proposal.label, pen.color())
        painter.restore()
        if tag is not None:
            painter.save()
            self._tag(painter, *tag)
            painter.restore()

    def _check_cache(self) -> None:
        """Pieces are kept in document coordinates until the layout changes (a resize, zoom,
        another document, label names shown)."""
        view = self.view
        key = (id(view.document()), view.viewport().width(), view.zoom_steps, view.names.visible)
        if key != self._cache_key or len(self._cache) > 50_000:
            self._cache_key = key
            self._cache = {}

    def _pieces(self, block, proposal, bounds: tuple[int, int]) -> list[tuple[float, float, float, float]]:
        """The proposal's rectangles in ``block``, in document coordinates: one per line piece."""
        key = (proposal.start, proposal.end, block.blockNumber())
        found = self._cache.get(key)
        if found is not None:
            return found
        offsets = self.view.offsets
        layout = block.layout()
        origin = layout.position()
        position = block.position()
        s = offsets.to_utf16(max(proposal.start, bounds[0])) - position
        e = offsets.to_utf16(min(proposal.end, bounds[1])) - position
        first_line = layout.lineForTextPosition(s)
        last_line = layout.lineForTextPosition(max(s, e - 1))
        found = []
        if first_line.isValid() and last_line.isValid():
            for number in range(first_line.lineNumber(), last_line.lineNumber() + 1):
                line = layout.lineAt(number)
                line_start = line.textStart()
                line_end = line_start + line.textLength()
                x1 = origin.x() + _line_x(line, max(s, line_start))
                x2 = origin.x() + _line_x(line, min(e, line_end))
                top = origin.y() + line.y()
                found.append((min(x1, x2) - 1.5, top + 1, abs(x2 - x1) + 3, line.height() - 1))
        if layout.lineCount():  # laid out: worth keeping
            self._cache[key] = found
        return found

    def reset(self) -> None:
        self._cache = {}

    def _tag(self, painter: QPainter, rect: QRectF, label: str, color: QColor) -> None:
        """The current proposal's label name in a small dashed tag at its top left."""
        font = QFont(self.view.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.6))
        font.setBold(True)
        metrics = QFontMetricsF(font)
        name = one_line(label, 24) + "?"
        tag = QRectF(
            rect.left(),
            rect.top() - metrics.height() - 1,
            metrics.horizontalAdvance(name) + 8,
            metrics.height(),
        )
        painter.save()
        painter.setFont(font)
        painter.setBrush(self.view.palette().base())
        pen = QPen(color, 1, Qt.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(tag, 3, 3)
        painter.setPen(color.darker(130))
        painter.drawText(tag, Qt.AlignCenter, name)
        painter.restore()


class ArticleView(CodePointTextView):
    """The article, read-only, with the open layer's spans painted on it; reports clicks."""

    span_clicked = Signal(object)  # span id or None
    span_resize_requested = Signal(int, int, int)  # span id, new start, new end (code points)
    escaped = Signal()
    #: Tab (1) / Shift+Tab (-1) while the document has proposals.
    proposal_step_requested = Signal(int)

    #: Pixels either side of a boundary of the selected span that pick it up for dragging.
    EDGE_GRAB = 5

    def __init__(self, session: LayerSession, labels: LabelSet, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.selected_span: int | None = None
        self._label_colors: dict[str, QColor] = {}
        self._drag_edge: str | None = None  # "start" or "end" while a boundary is dragged
        self._style_pending = False
        self.setMouseTracking(True)
        self.highlighter = SpanHighlighter(self)
        self.spans = self.add_layer(SpanMarks(self))
        self.names = self.add_layer(LabelNames(self))
        self.find_marks = self.add_layer(FindMarks(self))
        #: The window's suggestions (a SuggestionController), once it has them.
        self.suggestions = None
        self.proposal_marks = self.add_layer(ProposalMarks(self))
        self.set_labels(labels)
        session.document_loaded.connect(self.show_document)
        session.spans_added.connect(self._spans_touched)
        session.spans_removed.connect(self._spans_touched)
        session.spans_changed.connect(lambda old, new: self._spans_touched(old + new))
        self.show_document()

    # -- appearance ---------------------------------------------------------------------------

    def set_labels(self, labels: LabelSet) -> None:
        self._label_colors = {label.name: QColor(label.color) for label in labels}
        self._restyle()

    def label_color(self, name: str) -> QColor:
        return self._label_colors.get(name, QColor(colors.UNKNOWN_LABEL))

    def label_colors(self) -> list[QColor]:
        return list(self._label_colors.values())

    def line_height_percent(self) -> int:
        return NAMES_LINE_HEIGHT_PERCENT if self.names.visible else self.LINE_HEIGHT_PERCENT

    def show_label_names(self, on: bool) -> None:
        """Label names above the spans (more room between lines for them), or not."""
        if self.names.visible != on:
            self.names.visible = on
            self.highlighter.styled.clear()  # a new document: its blocks are styled anew
            self.reformat()
            self.style_visible_blocks()

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
        self.layers_changed()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and self.highlighter.document() is not None:
            self._restyle()

    # -- the document -------------------------------------------------------------------------

    def show_document(self) -> None:
        """Show the session's text (plain text only, never markup) with its spans."""
        self.selected_span = None
        self.highlighter.styled.clear()
        self.set_text(self.session.text, self.session.offsets)
        self.style_visible_blocks()

    def _before_document_shown(self, document: QTextDocument) -> None:
        self.highlighter.setDocument(document)

    def style_visible_blocks(self) -> None:
        """Style the blocks on screen and one screen around it that are not styled yet."""
        any_spans = bool(self.session.spans)
        layout = self.document().documentLayout()
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

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
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

    def paintEvent(self, event) -> None:
        if self.session.spans and not self._style_pending:
            styled = self.highlighter.styled
            if any(block.blockNumber() not in styled for block, _ in self.visible_blocks(event.rect())):
                # Laid out after the last scroll (QTextEdit lays out lazily): style it next.
                self._style_pending = True
                QTimer.singleShot(0, self._style_later)
        super().paintEvent(event)

    def _style_later(self) -> None:
        self._style_pending = False
        self.style_visible_blocks()

    # -- spans --------------------------------------------------------------------------------

    def show_span(self, span_id: int | None, *, move_cursor: bool = True) -> None:
        """Make ``span_id`` the selected span (outlined); with ``move_cursor``, scrolled into
        view with the caret at its start."""
        self.selected_span = span_id
        span = self.session.spans.get(span_id) if span_id is not None else None
        if span is not None and move_cursor:
            self.set_cursor_offset(span.end)
            self.set_cursor_offset(span.start)
            self.ensureCursorVisible()
        self.viewport().update()

    def restore_position(self, cursor_position: int, scroll: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(cursor_position, self.document().characterCount() - 1)))
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(scroll)

    def set_find_matches(self, ranges: list[tuple[int, int]], current: int) -> None:
        self.find_marks.set_matches(ranges, current)
        if 0 <= current < len(ranges):
            self.select_range(*ranges[current])
            self.ensureCursorVisible()

    # -- the mouse ----------------------------------------------------------------------------

    def edge_at(self, point: QPoint) -> str | None:
        """ "start" or "end" when ``point`` is on that boundary of the selected span."""
        span = self.session.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is None:
            return None
        for edge, offset in (("start", span.start), ("end", span.end)):
            cursor = self.textCursor()
            cursor.setPosition(self.offsets.to_utf16(offset))
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
        offset = self.offset_at(point)
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
        offset = self.offset_at(event.position().toPoint())
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

    def proposal_tooltip_lines(self, offset: int) -> list[str]:
        """Tooltip lines of the proposals at ``offset``: label, text, source and why."""
        suggestions = self.suggestions
        if suggestions is None:
            return []
        lines = []
        for proposal in suggestions.proposals_at(offset):
            covered = one_line(proposal.text_in(self.session.text), 60)
            color = self.label_color(proposal.label).name()
            why = f" · {rich(one_line(proposal.detail, 120))}" if proposal.detail else ""
            score = f" · score {proposal.score:.2f}" if proposal.score is not None else ""
            lines.append(
                f"<span style='color:{color}'>┆</span> proposed <b>{rich(proposal.label)}</b> "
                f"“{rich(covered)}”<br>&nbsp;&nbsp;from <b>{rich(proposal.source)}</b>{why}{score}"
                "<br>&nbsp;&nbsp;<i>Enter accept · digit other label · Backspace reject</i>"
            )
        return lines

    def event(self, event) -> bool:
        # Tab and Shift+Tab walk the proposals while the document has any; without proposals
        # they move the focus as everywhere else (F6 always does).
        if (
            event.type() == QEvent.KeyPress
            and event.key() in (Qt.Key_Tab, Qt.Key_Backtab)
            and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier)
            and self.suggestions is not None
            and self.suggestions.proposals
        ):
            self.proposal_step_requested.emit(-1 if event.key() == Qt.Key_Backtab else 1)
            return True
        return super().event(event)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            offset = self.offset_at(event.pos())
            spans = self.session.spans_at(offset)
            proposed = self.proposal_tooltip_lines(offset)
            if spans or proposed:
                # Rich text of our own, every user string in it escaped and bidi-isolated.
                lines = list(proposed)
                for span in spans:
                    covered = one_line(self.session.text[span.start : span.end], 60)
                    color = self.label_color(span.label).name()
                    note = f"<br><i>{rich(one_line(span.note, 200))}</i>" if span.note else ""
                    lines.append(
                        f"<span style='color:{color}'>■</span> <b>{rich(span.label)}</b> "
                        f"“{rich(covered)}”{note}"
                    )
                QToolTip.showText(event.globalPos(), "<br>".join(lines), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and not event.modifiers():
            if self.textCursor().hasSelection() or self.selected_span is not None:
                self.clear_selection()
                self.span_clicked.emit(None)
            else:
                self.escaped.emit()
            return
        super().keyPressEvent(event)


def _line_x(line, position: int) -> float:
    result = line.cursorToX(position)
    return float(result[0] if isinstance(result, tuple) else result)


__all__ = ["ArticleView", "FindMarks", "LabelNames", "ProposalMarks", "SpanHighlighter", "SpanMarks"]
