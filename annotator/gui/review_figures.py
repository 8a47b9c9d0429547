"""The review window's figures: this document beside all documents, the per-label F1 chart and
table, and the confusion matrix. Read-only views over :class:`~annotator.core.agreement.Agreement`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QAbstractItemModel, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.agreement import Agreement, Figures
from annotator.core.report import format_number
from annotator.gui import colors
from annotator.gui.literal import one_line, rich
from annotator.gui.review_models import ConfusionModel, LabelFiguresModel

#: (key, name, tooltip) of the figures shown for this document and for all of them.
FIGURES = (
    ("exact", "Exact-span F1", "F1 of spans with the same start, end and label"),
    ("lenient", "Lenient F1", "F1 where overlapping spans of the same label count"),
    ("char_kappa", "Character κ", "Cohen's kappa over characters (label or outside)"),
    ("char_alpha", "Character α", "Krippendorff's alpha over characters"),
    ("alpha_u", "Unitizing αU", "Krippendorff's unitizing alpha over the spans"),
)


def table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only table of the review window: rows selected whole, no grid, one line a row."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setShowGrid(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    return view


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(2, 6, 2, 2)
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
    label.setMinimumWidth(60)
    return label


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
        metrics = QFontMetrics(self.font())
        text_color = self.palette().color(QPalette.WindowText)
        muted = QColor(text_color)
        muted.setAlpha(120)
        if not self._rows:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignCenter, "no labels to compare")
            painter.end()
            return
        shown = [one_line(name, 20) for name, *_ in self._rows]
        name_width = max(metrics.horizontalAdvance(name) for name in shown) + 12
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
        for i, ((_name, color, exact, lenient), name) in enumerate(zip(self._rows, shown, strict=True)):
            y = top + i * self.ROW
            bar = QRectF(left, y + 4, 0, self.ROW - 8)
            painter.setPen(text_color)
            painter.drawText(QRectF(0, y, name_width - 8, self.ROW), Qt.AlignRight | Qt.AlignVCenter, name)
            if lenient is not None and (exact is None or lenient > exact):
                faint = QRectF(bar)
                faint.setWidth(width * lenient)
                painter.fillRect(faint, colors.pale(color, 0.35))
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


class FiguresPanel(QWidget):
    """The figures page (scrolls when the window is small) and the confusion matrix page."""

    def __init__(self, a: str, b: str, documents: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure_labels: dict[tuple[str, str], QLabel] = {}
        box = QFrame()
        grid = QGridLayout(box)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(3)
        grid.addWidget(QLabel("<b>This document</b>"), 0, 1, Qt.AlignRight)
        grid.addWidget(
            QLabel(f"<b>All {documents} document{'s' if documents != 1 else ''}</b>"), 0, 2, Qt.AlignRight
        )
        for row, (key, title, tip) in enumerate(FIGURES, start=1):
            name = QLabel(title)
            name.setToolTip(tip)
            grid.addWidget(name, row, 0)
            for column, scope in ((1, "doc"), (2, "all")):
                value = QLabel("n/a")
                value.setObjectName(f"figure_{scope}_{key}")
                value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
                value.setToolTip(tip)
                self.figure_labels[(scope, key)] = value
                grid.addWidget(value, row, column)
        grid.setColumnStretch(0, 1)

        self.label_model = LabelFiguresModel(self)
        self.label_view = table(self.label_model, "reviewLabelFigures")
        self.label_view.verticalHeader().hide()
        self.label_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.label_view.horizontalHeader().setStretchLastSection(True)
        self.label_view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.chart = F1Chart()
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(box)
        layout.addWidget(heading("F1 per label (all documents)"))
        layout.addWidget(self.chart)
        layout.addWidget(heading("Per label (all documents)"))
        layout.addWidget(self.label_view)
        layout.addStretch(1)
        self.page = QScrollArea()
        self.page.setObjectName("reviewFiguresPage")
        self.page.setWidgetResizable(True)
        self.page.setFrameShape(QFrame.NoFrame)
        self.page.setWidget(content)

        self.confusion_model = ConfusionModel(self)
        self.confusion_view = table(self.confusion_model, "reviewConfusion")
        self.confusion_view.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.confusion_view.setShowGrid(True)
        self.confusion_view.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.confusion_view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.confusion_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        self.confusion_page = QWidget()
        confusion_layout = QVBoxLayout(self.confusion_page)
        confusion_layout.setContentsMargins(6, 6, 6, 6)
        explain = QLabel(
            f"Rows: <b>{rich(one_line(a))}</b> (A) · columns: <b>{rich(one_line(b))}</b> (B) · ∅ = no span. "
            "Green: the same label; red: a confusion."
        )
        explain.setWordWrap(True)
        confusion_layout.addWidget(explain)
        confusion_layout.addWidget(self.confusion_view, 1)

    def set_document(self, figures: Figures | None) -> None:
        self._show("doc", figures)

    def set_corpus(self, agreement: Agreement, label_colors: Mapping[str, str]) -> None:
        self._show("all", agreement.overall)
        self.label_model.set_figures(agreement.labels, label_colors)
        rows = self.label_model.rowCount()
        header = self.label_view.horizontalHeader().height()
        self.label_view.setFixedHeight(
            header + rows * self.label_view.verticalHeader().defaultSectionSize() + 4
        )
        self.confusion_model.set_confusion(agreement.confusion)
        self.chart.set_values(
            [
                (name, label_colors.get(name, colors.UNKNOWN_LABEL), figures.exact.f1, figures.lenient.f1)
                for name, figures in agreement.labels.items()
            ]
        )

    def _show(self, scope: str, figures: Figures | None) -> None:
        values = {
            "exact": figures.exact.f1 if figures else None,
            "lenient": figures.lenient.f1 if figures else None,
            "char_kappa": figures.char_kappa if figures else None,
            "char_alpha": figures.char_alpha if figures else None,
            "alpha_u": figures.alpha_u if figures else None,
        }
        muted = self.palette().color(QPalette.PlaceholderText).name()
        for key, value in values.items():
            label = self.figure_labels[(scope, key)]
            label.setText(format_number(value))
            label.setStyleSheet(f"color: {muted};" if value is None else "")
            if value is None:
                label.setToolTip("Undefined here (e.g. no spans, or one category everywhere)")
