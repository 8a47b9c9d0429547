"""The document pane of the main window: a status filter, the documents, and the progress.

It knows the documents only through :class:`~annotator.gui.models.DocumentListModel` and the
filter over it; moving to the next or previous document walks the rows the filter shows.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import DocumentSummary, Status
from annotator.gui.models import DOC_ID_ROLE, DocumentFilter, DocumentListModel


class DocumentPane(QWidget):
    """Documents with the annotator's status and span count, filtered by status."""

    #: The user picked a document (click, Enter).
    document_chosen = Signal(str)
    #: The status filter changed (its key: "all", "unfinished", "todo", ...).
    filter_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DocumentListModel(self)
        self.filter = DocumentFilter(self)
        self.filter.setSourceModel(self.model)
        self.view = QTreeView()
        self.view.setObjectName("documentList")
        self.view.setModel(self.filter)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        # Fixed widths: sizing to contents re-measures every row on each change (slow at 100,000).
        for column, sample in ((1, "◐ In progress"), (2, "Spans")):
            header.setSectionResizeMode(column, QHeaderView.Interactive)
            header.resizeSection(column, self.view.fontMetrics().horizontalAdvance(sample) + 14)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setToolTip("Show documents with this status")
        for key, text in DocumentFilter.CHOICES:
            self.status_filter.addItem(text, key)
        self.status_filter.currentIndexChanged.connect(self._filter_chosen)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(QLabel("<b>Documents</b>"))
        layout.addWidget(self.status_filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress_label)

    # -- contents -----------------------------------------------------------------------------

    def set_summaries(self, summaries: list[DocumentSummary], annotator: str) -> None:
        self.model.set_summaries(summaries, annotator)
        self.show_progress()

    def update_document(self, doc_id: str, status: Status, span_count: int) -> None:
        self.model.update_document(doc_id, status, span_count)
        self.show_progress()

    def show_progress(self) -> None:
        done, total = self.model.progress()
        self.progress_label.setText(
            f"{done} of {total} done" if total else "No documents yet — File → Import…"
        )

    def set_filter(self, key: str) -> None:
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(key)))

    # -- the current document -----------------------------------------------------------------

    def select(self, doc_id: str) -> None:
        """Show ``doc_id`` as the current row (if the filter shows it)."""
        row = self.model.row_of(doc_id)
        if row is None:
            return
        index = self.filter.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
            )
            self.view.scrollTo(index)

    def neighbour(self, doc_id: str | None, delta: int) -> str | None:
        """The document ``delta`` rows from ``doc_id`` among those the filter shows (round the
        end); the first (last) shown one when ``doc_id`` is not shown; None if none is."""
        count = self.filter.rowCount()
        if not count:
            return None
        row = self.model.row_of(doc_id) if doc_id is not None else None
        shown = self.filter.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
        if shown.isValid():
            target = (shown.row() + delta) % count
        else:
            target = 0 if delta > 0 else count - 1
        return self.filter.index(target, 0).data(DOC_ID_ROLE)

    def _activated(self, index: QModelIndex) -> None:
        doc_id = index.data(DOC_ID_ROLE)
        if doc_id:
            self.document_chosen.emit(doc_id)

    def _filter_chosen(self) -> None:
        key = self.status_filter.currentData()
        self.filter.set_status(key)
        self.filter_changed.emit(key)

    def focus_list(self) -> None:
        self.view.setFocus(Qt.ShortcutFocusReason)
