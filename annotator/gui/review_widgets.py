"""Painted widgets of the review window: the two-layer text view and the per-label F1 chart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QTextEdit, QWidget

from annotator.core.agreement import SpanTuple
from annotator.core.utf16 import OffsetMap

#: Line height (percent of the font's) that leaves room for A's bar above and B's below a line.
LINE_HEIGHT = 210
BAR = 4  # thickness of a disagreeing span's bar, pixels
THIN_BAR = 2  # an agreed span's bar
GAP = 2


@dataclass(frozen=True)
class LayerMarks:
    """What the text view draws: both layers, which of their spans disagree, gold, the focus."""

    a: Sequence[SpanTuple] = ()
    b: Sequence[SpanTuple] = ()
    disputed_a: frozenset[SpanTuple] = frozenset()
    disputed_b: frozenset[SpanTuple] = frozenset()
    gold: Sequence[SpanTuple] = ()
    current: tuple[int, int] | None = None


def tint(color: QColor, share: float, base: QColor | None = None) -> QColor:
    """``color`` mixed into ``base`` (white by default): light backgrounds from label colours."""
    base = base or QColor("#FFFFFF")
    return QColor(
        round(base.red() + (color.red() - base.red()) * share),
        round(base.green() + (color.green() - base.green()) * share),
        round(base.blue() + (color.blue() - base.blue()) * share),
    )


def lanes(spans: Sequence[SpanTuple], most: int = 3) -> list[int]:
    """A lane per span so that overlapping spans of one layer are drawn side by side, not on
    top of each other: the first lane whose previous span has ended (at most ``most`` lanes)."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1]))
    ends: list[int] = []
    result = [0] * len(spans)
    for i in order:
        start, end, _label = spans[i]
        lane = next((k for k, e in enumerate(ends) if e <= start), None)
        if lane is None:
            lane = min(len(ends), most - 1)
            if lane == len(ends):
                ends.append(end)
        ends[lane] = max(ends[lane], end) if lane == most - 1 else end
        result[i] = lane
    return result


class ReviewTextView(QTextEdit):
    """One read-only text: A's spans as bars above each line, B's below, gold as a background.

    Spans where the layers disagree are drawn thick and saturated, agreed ones thin and faint,
    so the eye goes to the disagreements. The current disagreement is outlined.
    """

    label_key_pressed = Signal(str)  # a digit typed while the view has focus

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.setLineWrapMode(QTextEdit.WidgetWidth)
        self.setAcceptRichText(False)
        self.setObjectName("reviewText")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.12)
        self.setFont(font)
        self._text = ""
        self._offsets = OffsetMap.for_qt_document("")
        self._marks = LayerMarks()
        self._colors: Mapping[str, str] = {}

    # -- content ----------------------------------------------------------------------------

    @property
    def offsets(self) -> OffsetMap:
        return self._offsets

    def set_text(self, text: str) -> None:
        """Show ``text``, plain. The document is filled and formatted before the view gets it:
        formatting a shown document re-lays it out at each step (16 s for the 2,500 pieces of
        a 10 MB line)."""
        self._text = text
        self._offsets = OffsetMap.for_qt_document(text)
        self._marks = LayerMarks()
        old = self.document()
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self.font())
        document.setDocumentMargin(22)
        # A very long line comes as several paragraphs (see OffsetMap.qt_text), joined up.
        document.setPlainText(self._offsets.qt_text(text))
        cursor = QTextCursor(document)
        cursor.select(QTextCursor.Document)
        block = QTextBlockFormat()
        block.setLineHeight(LINE_HEIGHT, int(QTextBlockFormat.LineHeightTypes.ProportionalHeight.value))
        block.setBottomMargin(6)
        cursor.mergeBlockFormat(block)
        if self._offsets.breaks:
            joined = QTextBlockFormat()
            joined.setBottomMargin(0)
            for k in self._offsets.breaks:
                QTextCursor(document.findBlock(self._offsets.to_utf16(k) - 1)).mergeBlockFormat(joined)
        self.setDocument(document)
        self.setExtraSelections([])
        self.moveCursor(QTextCursor.Start)
        # The first document is the control's own (it deletes it); ours we delete when replaced.
        if old is not None and shiboken6.isValid(old) and old.parent() is self:
            old.deleteLater()

    def set_marks(self, marks: LayerMarks, colors: Mapping[str, str]) -> None:
        self._marks = marks
        self._colors = colors
        selections = []
        for start, end, label in marks.gold:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(tint(QColor(colors.get(label, "#888888")), 0.28))
            fmt.setProperty(QTextFormat.FullWidthSelection, False)
            selection.format = fmt
            cursor = QTextCursor(self.document())
            q_start, q_end = self._offsets.span_to_utf16(start, end)
            cursor.setPosition(q_start)
            cursor.setPosition(q_end, QTextCursor.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)
        self.viewport().update()

    def selection_code_points(self) -> tuple[int, int] | None:
        """The selected text as a code-point range, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._offsets.span_to_code_points(cursor.selectionStart(), cursor.selectionEnd())

    def selected_text(self) -> str:
        """The selected code points of the text, exactly (not Qt's view of them)."""
        selection = self.selection_code_points()
        return self._text[selection[0] : selection[1]] if selection is not None else ""

    def copy(self) -> None:
        """Copy :meth:`selected_text` (see ``TextView.copy`` for why this is not a mime override)."""
        if self.textCursor().hasSelection():
            QApplication.clipboard().setText(self.selected_text())

    def select_range(self, start: int, end: int) -> None:
        q_start, q_end = self._offsets.span_to_utf16(start, end)
        cursor = QTextCursor(self.document())
        cursor.setPosition(q_start)
        cursor.setPosition(q_end, QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)

    def show_range(self, start: int, end: int) -> None:
        """Scroll [start, end) into the upper middle of the view, leaving the caret at its start."""
        q_start = self._offsets.to_utf16(start)
        cursor = QTextCursor(self.document())
        cursor.setPosition(q_start)
        self.setTextCursor(cursor)
        top = self.cursorRect(cursor).top()
        height = self.viewport().height()
        if not height * 0.15 <= top <= height * 0.7:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + top - round(height * 0.35))
        self.ensureCursorVisible()

    # -- keys ---------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.Copy):
            self.copy()
            event.accept()
            return
        text = event.text()
        if len(text) == 1 and text.isdigit() and not event.modifiers() & ~Qt.KeypadModifier:
            self.label_key_pressed.emit(text)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- painting -----------------------------------------------------------------------------

    def _line_segments(self, start: int, end: int) -> Iterable[tuple[float, float, float, float]]:
        """(x1, x2, top, bottom) in viewport coordinates of each line piece of a code-point range."""
        q_start, q_end = self._offsets.span_to_utf16(start, end)
        document = self.document()
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        block = document.findBlock(q_start)
        while block.isValid() and block.position() < q_end:
            layout = block.layout()
            origin = layout.position()
            base = block.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                line_start = base + line.textStart()
                line_end = line_start + line.textLength()
                lo, hi = max(q_start, line_start), min(q_end, line_end)
                if hi <= lo:
                    continue
                x1 = line.cursorToX(lo - base)[0]
                x2 = line.cursorToX(hi - base)[0]
                top = origin.y() + line.y() + dy
                yield (
                    origin.x() + min(x1, x2) + dx,
                    origin.x() + max(x1, x2) + dx,
                    top,
                    top + line.ascent() + line.descent(),
                )
            block = block.next()

    def _visible(self) -> tuple[int, int]:
        """Code-point range shown in the viewport (with a line of slack)."""
        rect = self.viewport().rect()
        first = self.cursorForPosition(QPoint(0, 0)).position()
        last = self.cursorForPosition(QPoint(rect.width(), rect.height())).position()
        first_cp = self._offsets.to_code_point(max(0, min(first, self._offsets.utf16_length)))
        last_cp = self._offsets.to_code_point(max(0, min(last, self._offsets.utf16_length)))
        return max(0, first_cp - 200), min(self._offsets.length, last_cp + 200)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        marks = self._marks
        if not (marks.a or marks.b or marks.current) or not self._text:
            return
        lo, hi = self._visible()
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.Antialiasing, True)
        if marks.current is not None:
            self._paint_current(painter, *marks.current)
        for spans, disputed, above in ((marks.a, marks.disputed_a, True), (marks.b, marks.disputed_b, False)):
            for span, lane in zip(spans, lanes(spans), strict=True):
                start, end, label = span
                if end < lo or start > hi:
                    continue
                color = QColor(self._colors.get(label, "#888888"))
                strong = span in disputed
                thickness = BAR if strong else THIN_BAR
                if not strong:
                    color = tint(color, 0.45)
                shift = GAP + lane * (BAR + 1)
                for x1, x2, top, bottom in self._line_segments(start, end):
                    y = top - shift - thickness if above else bottom + shift
                    rect = QRectF(x1 + 1, y, max(2.0, x2 - x1 - 2), thickness)
                    painter.fillRect(rect, color)
        painter.end()

    def _paint_current(self, painter: QPainter, start: int, end: int) -> None:
        accent = self.palette().color(QPalette.Highlight)
        path = QPainterPath()
        for x1, x2, top, bottom in self._line_segments(start, end):
            path.addRoundedRect(
                QRectF(x1 - 3, top - BAR - GAP - 2, x2 - x1 + 6, bottom - top + 2 * (BAR + GAP + 2)), 4, 4
            )
        fill = QColor(accent)
        fill.setAlpha(28)
        painter.fillPath(path.simplified(), fill)
        pen = QPen(accent, 1.6)
        painter.setPen(pen)
        painter.drawPath(path.simplified())


class F1Chart(QWidget):
    """Horizontal bars of per-label F1 (exact, and lenient as a paler extension)."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, QColor, float | None, float | None]] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("F1 per label: solid = exact span matches, pale = lenient (overlap) matches")
        self.setObjectName("f1Chart")

    def set_values(self, rows: Sequence[tuple[str, str, float | None, float | None]]) -> None:
        """(label, colour, exact F1, lenient F1) per label; None where undefined."""
        self._rows = [(name, QColor(color), exact, lenient) for name, color, exact, lenient in rows]
        self.updateGeometry()
        self.update()

    def values(self) -> list[tuple[str, float | None]]:
        return [(name, exact) for name, _c, exact, _l in self._rows]

    def sizeHint(self) -> QSize:
        return QSize(260, 18 + self.ROW * max(1, len(self._rows)) + 18)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing, True)
        palette = self.palette()
        metrics = QFontMetrics(self.font())
        text_color = palette.color(QPalette.WindowText)
        muted = QColor(text_color)
        muted.setAlpha(120)
        if not self._rows:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignCenter, "no labels to compare")
            painter.end()
            return
        name_width = max(metrics.horizontalAdvance(name) for name, *_ in self._rows) + 12
        value_width = metrics.horizontalAdvance("0.00 ") + 6
        left = name_width
        right = self.width() - value_width
        width = max(20, right - left)
        top = 8
        # Grid at 0, 0.5 and 1.
        grid = QColor(text_color)
        grid.setAlpha(40)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        bottom = top + self.ROW * len(self._rows)
        for fraction in (0.0, 0.5, 1.0):
            x = left + width * fraction
            painter.setPen(QPen(grid, 1, Qt.DashLine if fraction == 0.5 else Qt.SolidLine))
            painter.drawLine(round(x), top - 2, round(x), bottom)
            painter.setPen(muted)
            painter.setFont(small)
            painter.drawText(
                QRectF(x - 20, bottom + 1, 40, 16), Qt.AlignHCenter | Qt.AlignTop, f"{fraction:g}"
            )
        painter.setFont(self.font())
        for i, (name, color, exact, lenient) in enumerate(self._rows):
            y = top + i * self.ROW
            bar = QRectF(left, y + 4, 0, self.ROW - 8)
            painter.setPen(text_color)
            painter.drawText(QRectF(0, y, name_width - 8, self.ROW), Qt.AlignRight | Qt.AlignVCenter, name)
            if lenient is not None and (exact is None or lenient > exact):
                pale = QRectF(bar)
                pale.setWidth(width * lenient)
                painter.fillRect(pale, tint(color, 0.35))
            if exact is not None:
                bar.setWidth(width * exact)
                painter.fillRect(bar, color)
            painter.setPen(text_color if exact is not None else muted)
            painter.drawText(
                QRectF(right + 6, y, value_width, self.ROW),
                Qt.AlignLeft | Qt.AlignVCenter,
                "n/a" if exact is None else f"{exact:.2f}",
            )
        painter.end()
