"""The document pane of the main window: a status filter, the documents, and the progress.

It knows the documents only through :class:`LazyDocumentModel` (the rows of
:class:`~annotator.gui.models.DocumentListModel`, read a page at a time from the project's
:class:`~annotator.core.store.DocumentList`, filtered by the project's status index) and the
pass-through proxy over it; moving to the next or previous document walks the rows shown.
A project of 100,000 documents opens with a count and one page, not 100,000 rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QIdentityProxyModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import DocumentSummary, Status
from annotator.core.store import DocumentList
from annotator.gui.models import DOC_ID_ROLE, DocumentFilter, DocumentListModel

#: Rows read from the project at once, as they come into view.
PAGE = 200


class _ShownRows(Sequence[DocumentSummary]):
    """The rows one status filter shows for one annotator: from the project's indexes (a lazy
    :class:`DocumentList`) a page at a time, or filtered in memory from a plain list."""

    def __init__(self, summaries: Sequence[DocumentSummary], annotator: str, status: str) -> None:
        self.annotator, self.status = annotator, status
        self.project = summaries.project if isinstance(summaries, DocumentList) and summaries.lazy else None
        self._pages: dict[int, list[DocumentSummary]] = {}
        self._all: list[DocumentSummary] = []
        self._shown: list[DocumentSummary] = []
        self._row_of: dict[str, int] = {}
        if self.project is None:
            self._all = list(summaries)
        self.refresh()

    def refresh(self) -> None:
        """Count again and forget the pages read (after a write)."""
        self._pages.clear()
        if self.project is not None:
            self._length = self.project.document_count(annotator=self.annotator, status=self.status)
            counts = self.project.status_counts(self.annotator)
            self.done, self.total = counts[Status.DONE], sum(counts.values())
            return
        self._shown = [s for s in self._all if self._keeps(s)]
        self._row_of = {s.id: i for i, s in enumerate(self._shown)}
        self._length = len(self._shown)
        self.done = sum(1 for s in self._all if s.status_for(self.annotator) is Status.DONE)
        self.total = len(self._all)

    def _keeps(self, summary: DocumentSummary) -> bool:
        status = summary.status_for(self.annotator)
        if self.status == "all":
            return True
        if self.status == "unfinished":
            return status is not Status.DONE
        return status.value == self.status

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, row):  # type: ignore[override]
        if self.project is None:
            return self._shown[row]
        page = self._pages.get(row // PAGE)
        if page is None:
            page = self.project.summary_page(
                row - row % PAGE, PAGE, annotator=self.annotator, status=self.status
            )
            self._pages[row // PAGE] = page
        return page[row % PAGE]

    def row_of(self, doc_id: str) -> int | None:
        if self.project is None:
            return self._row_of.get(doc_id)
        return self.project.document_row(doc_id, annotator=self.annotator, status=self.status)

    def update(self, doc_id: str, annotator: str, status: Status, span_count: int) -> None:
        """A write of this window changed a row (the project has it already)."""
        if self.project is None:
            for i, old in enumerate(self._all):
                if old.id == doc_id:
                    self._all[i] = DocumentSummary(
                        old.id,
                        old.title,
                        old.length,
                        old.position,
                        {**old.status, annotator: status},
                        {**old.span_counts, annotator: span_count},
                    )
                    break
        self.refresh()


class LazyDocumentModel(DocumentListModel):
    """:class:`DocumentListModel` over the rows the status filter shows, read as they come
    into view (the filtering is the project's, by index: no pass over every row)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._status = "all"
        self._source: Sequence[DocumentSummary] = []
        self._rows = _ShownRows([], "", "all")  # type: ignore[assignment]

    @property
    def status(self) -> str:
        return self._status

    def set_summaries(self, summaries: Sequence[DocumentSummary], annotator: str) -> None:  # type: ignore[override]
        self.beginResetModel()
        self._source, self._annotator = summaries, annotator
        self._rows = _ShownRows(summaries, annotator, self._status)  # type: ignore[assignment]
        self._size_hints = {}
        self.endResetModel()

    def set_status(self, status: str) -> None:
        if status not in dict(DocumentFilter.CHOICES):
            status = "all"
        self.beginResetModel()
        self._status = status
        self._rows = _ShownRows(self._source, self._annotator, status)  # type: ignore[assignment]
        self.endResetModel()

    def update_document(self, doc_id: str, status: Status, span_count: int) -> None:
        rows: _ShownRows = self._rows  # type: ignore[assignment]
        before = rows.row_of(doc_id)
        if self._status == "all":
            rows.update(doc_id, self._annotator, status, span_count)
            if before is not None:
                self.dataChanged.emit(self.index(before, 0), self.index(before, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()  # the row may leave or join the filtered list
        rows.update(doc_id, self._annotator, status, span_count)
        self.endResetModel()

    def row_of(self, doc_id: str) -> int | None:
        return self._rows.row_of(doc_id)  # type: ignore[attr-defined]

    def summaries(self) -> list[DocumentSummary]:
        return list(self._rows)

    def progress(self) -> tuple[int, int]:
        rows: _ShownRows = self._rows  # type: ignore[assignment]
        return rows.done, rows.total

    def status_value(self, row: int) -> str:
        return self._rows[row].status_for(self._annotator).value

    def data(self, index, role=Qt.DisplayRole):
        try:
            return super().data(index, role)
        except IndexError:  # another program removed documents since the count: until the reload
            return None


class ShownDocuments(QIdentityProxyModel):
    """What the view shows: the model's rows as they are (the model filters, by index), with
    the status filter's interface (:class:`~annotator.gui.models.DocumentFilter`'s)."""

    CHOICES = DocumentFilter.CHOICES

    @property
    def status(self) -> str:
        return self.sourceModel().status

    def set_status(self, status: str) -> None:
        self.sourceModel().set_status(status)


class DocumentPane(QWidget):
    """Documents with the annotator's status and span count, filtered by status."""

    #: The user picked a document (click, Enter).
    document_chosen = Signal(str)
    #: The status filter changed (its key: "all", "unfinished", "todo", ...).
    filter_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LazyDocumentModel(self)
        self.filter = ShownDocuments(self)
        self.filter.setSourceModel(self.model)
        # A table, not a tree: a tree view lays out every row when shown (50,000 index() and
        # 100,000 flags() calls into Python for 100,000 documents, 1.9 s); a table with fixed
        # row heights asks only for the rows in view.
        self.view = QTableView()
        self.view.setObjectName("documentList")
        self.view.setModel(self.filter)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.Fixed)
        rows.setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
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

    def set_summaries(self, summaries: Sequence[DocumentSummary], annotator: str) -> None:
        """Show ``summaries`` (a project's :class:`DocumentList` is read a page at a time)."""
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
