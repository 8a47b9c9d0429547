"""The span pane of the main window: the open layer's spans in text order, one row each.

A row the user picks (click, arrow keys) selects its span; a row that moves because the span
list changed (a relabel re-sorts it, a neighbour is deleted) does not: the window keeps the
span it had selected and the pane follows it.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from annotator.gui.models import SPAN_ID_ROLE, SpanListModel
from annotator.gui.session import LayerSession


class SpanPane(QWidget):
    """The spans table with its heading; says which span the user picked."""

    #: The user picked a span in the list.
    span_picked = Signal(int)

    def __init__(self, session: LayerSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SpanListModel(session, self)
        self.view = QTableView()
        self.view.setObjectName("spanList")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.set_column_widths()
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.view.clicked.connect(lambda index: self._row_changed(index, QModelIndex()))
        self.heading = QLabel("<b>Spans</b>")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)

    def set_column_widths(self) -> None:
        """Label, offsets and note as narrow as they read; the covered text takes the rest."""
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(28)
        metrics = self.view.fontMetrics()
        icon = self.view.style().pixelMetric(self.view.style().PixelMetric.PM_SmallIconSize)
        widths = {
            SpanListModel.LABEL: metrics.horizontalAdvance("number") + icon + 14,
            SpanListModel.START: metrics.horizontalAdvance("00000") + 10,
            SpanListModel.END: metrics.horizontalAdvance("00000") + 10,
            SpanListModel.NOTE: metrics.horizontalAdvance("Note") + 14,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(SpanListModel.TEXT, QHeaderView.Stretch)

    def restore_header(self, state) -> None:
        """A saved header layout: the user's widths, but the text column still stretches."""
        header = self.view.horizontalHeader()
        if state is None or not header.restoreState(state):
            return
        header.setStretchLastSection(False)
        for column in range(self.model.columnCount()):
            if column != SpanListModel.TEXT:
                header.setSectionResizeMode(column, QHeaderView.Interactive)
        header.setSectionResizeMode(SpanListModel.TEXT, QHeaderView.Stretch)

    def show_count(self, count: int | None) -> None:
        self.heading.setText("<b>Spans</b>" if count is None else f"<b>Spans</b> ({count})")

    def current_span(self) -> int | None:
        """The span the current row shows, if any."""
        index = self.view.selectionModel().currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row(), index.parent()):
            return None
        return self.model.span_at(index.row()).id

    def select(self, span_id: int | None) -> None:
        """Show ``span_id`` as the current row (none for None), without reporting it back."""
        row = self.model.row_of(span_id) if span_id is not None else None
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        try:
            if row is None:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.NoUpdate)
            else:
                index = self.model.index(row, 0)
                selection.setCurrentIndex(
                    index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
                )
                self.view.scrollTo(index)
        finally:
            selection.blockSignals(False)
        self.view.viewport().update()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # While the model inserts or removes rows the current row moves by itself.
        if current.isValid() and not self.model.updating:
            self.span_picked.emit(current.data(SPAN_ID_ROLE))
