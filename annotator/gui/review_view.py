"""The review window's text: both annotators' layers as bars, gold as a background.

A :class:`~annotator.gui.textview.CodePointTextView` (the same reading font, code points and
exact copy as the article view) with three layers: :class:`GoldShading` under the text,
:class:`LayerBars` (A's spans above each line, B's below) and :class:`CurrentOutline` over it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen, QTextCharFormat
from PySide6.QtWidgets import QTextEdit, QWidget

from annotator.core.pairing import SpanTuple
from annotator.core.text_ops import assign_lanes
from annotator.gui import colors
from annotator.gui.textview import CodePointTextView, Layer

BAR = 4  # thickness of a disagreeing span's bar, pixels
THIN_BAR = 2  # an agreed span's bar
GAP = 2
#: Overlapping spans of one layer get lanes side by side, at most this many.
LANES = 3


@dataclass(frozen=True)
class LayerMarks:
    """What the text view draws: both layers, which of their spans disagree, gold, the focus."""

    a: Sequence[SpanTuple] = ()
    b: Sequence[SpanTuple] = ()
    disputed_a: frozenset[SpanTuple] = frozenset()
    disputed_b: frozenset[SpanTuple] = frozenset()
    gold: Sequence[SpanTuple] = ()
    current: tuple[int, int] | None = None


def lanes(spans: Sequence[SpanTuple], most: int = LANES) -> list[int]:
    """A lane per span so that overlapping spans of one layer are drawn side by side."""
    assigned = assign_lanes(((i, s, e) for i, (s, e, _label) in enumerate(spans)), most=most)
    return [assigned[i] for i in range(len(spans))]


class GoldShading(Layer):
    """Gold spans as a tint of their label colour under the text (on screen only)."""

    view: ReviewTextView

    def selections(self, top: int, bottom: int) -> list[QTextEdit.ExtraSelection]:
        view = self.view
        palette = view.palette()
        found = []
        for start, end, label in view.marks.gold:
            q_start, q_end = view.offsets.span_to_utf16(start, end)
            if q_end < top or q_start > bottom:
                continue
            fmt = QTextCharFormat()
            fmt.setBackground(colors.tint(view.color(label), palette, 2))
            found.append(view.selection_for(q_start, q_end, fmt))
        return found


class LayerBars(Layer):
    """A's spans as bars above each line, B's below; thick and saturated where the two
    disagree, thin and pale where they agree."""

    view: ReviewTextView

    def paint(self, painter: QPainter, area: QRect) -> None:
        view = self.view
        marks = view.marks
        lo, hi = view.visible_code_points()
        for spans, disputed, above in ((marks.a, marks.disputed_a, True), (marks.b, marks.disputed_b, False)):
            for span, lane in zip(spans, lanes(spans), strict=True):
                start, end, label = span
                if end < lo or start > hi:
                    continue
                strong = span in disputed
                color = view.color(label) if strong else colors.pale(view.color(label), 0.45, view.palette())
                thickness = BAR if strong else THIN_BAR
                shift = GAP + lane * (BAR + 1)
                for segment in view.segments(start, end):
                    y = segment.top - shift - thickness if above else segment.bottom + shift
                    painter.fillRect(
                        QRectF(segment.x1 + 1, y, max(2.0, segment.x2 - segment.x1 - 2), thickness), color
                    )


class CurrentOutline(Layer):
    """The current disagreement, outlined with room for both bars."""

    view: ReviewTextView

    def paint(self, painter: QPainter, area: QRect) -> None:
        current = self.view.marks.current
        if current is None:
            return
        accent = self.view.palette().color(QPalette.Highlight)
        path = QPainterPath()
        reach = BAR + GAP + 2
        for segment in self.view.segments(*current):
            rect = QRectF(
                segment.x1 - 3,
                segment.top - reach,
                segment.x2 - segment.x1 + 6,
                segment.bottom - segment.top + 2 * reach,
            )
            path.addRoundedRect(rect, 4, 4)
        fill = QColor(accent)
        fill.setAlpha(28)
        outline = path.simplified()
        painter.fillPath(outline, fill)
        painter.setPen(QPen(accent, 1.6))
        painter.drawPath(outline)


class ReviewTextView(CodePointTextView):
    """One read-only text with both layers, gold and the current disagreement marked."""

    #: A digit typed while the view has focus (a label's key, for an edit).
    label_key_pressed = Signal(str)
    #: Esc while the view has focus.
    escaped = Signal()

    #: Room for A's bar above a line and B's below it.
    LINE_HEIGHT_PERCENT = 210
    MARGIN = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewText")
        self.marks = LayerMarks()
        self._colors: Mapping[str, str] = {}
        self.add_layer(GoldShading(self))
        self.add_layer(LayerBars(self))
        self.add_layer(CurrentOutline(self))

    def color(self, label: str) -> QColor:
        return QColor(self._colors.get(label, colors.UNKNOWN_LABEL))

    def set_text(self, text: str, offsets=None, *, keep_layers: bool = False) -> None:
        if not keep_layers:
            self.marks = LayerMarks()
        super().set_text(text, offsets, keep_layers=keep_layers)

    def set_marks(self, marks: LayerMarks, label_colors: Mapping[str, str]) -> None:
        self.marks = marks
        self._colors = label_colors
        self.layers_changed()

    def selection_code_points(self) -> tuple[int, int] | None:
        return self.selection_range()

    def keyPressEvent(self, event) -> None:
        text = event.text()
        if len(text) == 1 and text.isdigit() and not event.modifiers() & ~Qt.KeypadModifier:
            self.label_key_pressed.emit(text)
            event.accept()
            return
        if event.key() == Qt.Key_Escape and not event.modifiers():
            self.escaped.emit()
            event.accept()
            return
        super().keyPressEvent(event)
