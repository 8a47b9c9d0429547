"""Qt item models over the core: the span list and the document list (both pass qtmodeltester)."""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication

from annotator.core.model import DocumentSummary, LabelSet, Span, Status
from annotator.gui import colors
from annotator.gui.literal import isolate, one_line, tooltip
from annotator.gui.session import LayerSession
from annotator.gui.tablemodel import ROOT, ROW_FLAGS, RowTableModel

SPAN_ID_ROLE = Qt.UserRole + 1
DOC_ID_ROLE = Qt.UserRole + 2
STATUS_ROLE = Qt.UserRole + 3

# Plain ints: data() and flags() run for every visible cell on every repaint, and comparing or
# combining Qt enum objects there costs more than the rest of the work.
_DISPLAY = int(Qt.DisplayRole.value)
_EDIT = int(Qt.EditRole.value)
_DECORATION = int(Qt.DecorationRole.value)
_TOOLTIP = int(Qt.ToolTipRole.value)
_ALIGNMENT = int(Qt.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ForegroundRole.value)
_SIZE_HINT = int(Qt.SizeHintRole.value)
_SPAN_ID = int(SPAN_ID_ROLE)
_DOC_ID = int(DOC_ID_ROLE)
_STATUS = int(STATUS_ROLE)
_RIGHT = int((Qt.AlignRight | Qt.AlignVCenter).value)
_EDITABLE_FLAGS = ROW_FLAGS | Qt.ItemIsEditable
_DOCUMENT_ROLES = frozenset((_DISPLAY, _TOOLTIP, _FOREGROUND, _ALIGNMENT, _SIZE_HINT, _DOC_ID, _STATUS))


def _key(span: Span) -> tuple[int, int, str, int]:
    return (span.start, span.end, span.label, span.id)


class SpanListModel(RowTableModel):
    """The open layer's spans in text order: label, covered text, offsets and note.

    Follows the session's signals row by row (never a reset for one edit), so a document with
    20,000 spans keeps its selection and scroll position while it is annotated.
    """

    COLUMNS = ("Label", "Text", "Start", "End", "Note")
    LABEL, TEXT, START, END, NOTE = range(5)

    def __init__(self, session: LayerSession, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self._spans: list[Span] = []
        self._keys: list[tuple[int, int, str, int]] = []
        self._colors: dict[str, QColor] = {}
        #: True while rows are inserted or removed: a view's current row moves then by itself,
        #: which is not the user choosing another span.
        self.updating = False
        self.set_labels(session.project.labels())
        session.document_loaded.connect(self.reload)
        session.spans_added.connect(self._on_added)
        session.spans_removed.connect(self._on_removed)
        session.spans_changed.connect(self._on_changed)
        self.reload()

    def set_labels(self, labels: LabelSet) -> None:
        self._colors = {label.name: QColor(label.color) for label in labels}
        if self._spans:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._spans) - 1, 0))

    def reload(self) -> None:
        self.updating = True
        try:
            self.beginResetModel()
            self._spans = self.session.sorted_spans()
            self._keys = [_key(s) for s in self._spans]
            self.endResetModel()
        finally:
            self.updating = False

    def span_at(self, row: int) -> Span:
        return self._spans[row]

    def row_of(self, span_id: int) -> int | None:
        span = self.session.spans.get(span_id)
        if span is None:
            return None
        row = bisect_left(self._keys, _key(span))
        if row < len(self._spans) and self._spans[row].id == span_id:
            return row
        return next((r for r, s in enumerate(self._spans) if s.id == span_id), None)

    def _insert(self, span: Span) -> None:
        row = bisect_left(self._keys, _key(span))
        self.updating = True
        try:
            self.beginInsertRows(ROOT, row, row)
            self._spans.insert(row, span)
            self._keys.insert(row, _key(span))
            self.endInsertRows()
        finally:
            self.updating = False

    def _remove(self, span: Span) -> None:
        row = bisect_left(self._keys, _key(span))
        if not (row < len(self._spans) and self._spans[row].id == span.id):
            found = next((r for r, s in enumerate(self._spans) if s.id == span.id), None)
            if found is None:
                return
            row = found
        self.updating = True
        try:
            self.beginRemoveRows(ROOT, row, row)
            del self._spans[row]
            del self._keys[row]
            self.endRemoveRows()
        finally:
            self.updating = False

    def _on_added(self, spans: list[Span]) -> None:
        for span in spans:
            self._insert(span)

    def _on_removed(self, spans: list[Span]) -> None:
        for span in spans:
            self._remove(span)

    def _on_changed(self, old: list[Span], new: list[Span]) -> None:
        for before, after in zip(old, new, strict=True):
            if _key(before) == _key(after):
                row = bisect_left(self._keys, _key(before))
                if row < len(self._spans) and self._spans[row].id == before.id:
                    self._spans[row] = after
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
                    continue
            self._remove(before)
            self._insert(after)

    # -- Qt model interface -------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._spans)

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        return _EDITABLE_FLAGS if index.column() == self.NOTE else ROW_FLAGS

    def data(self, index, role=_DISPLAY):
        role = int(role)
        if role not in (_DISPLAY, _EDIT, _DECORATION, _TOOLTIP, _ALIGNMENT, _SPAN_ID):
            return None
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._spans):
            return None
        span = self._spans[row]
        column = index.column()
        if role == _DISPLAY or role == _EDIT:
            # One line each, controls made visible; the note is edited as it is.
            if column == self.LABEL:
                return one_line(span.label)
            if column == self.TEXT:
                return one_line(self.session.text[span.start : min(span.end, span.start + 400)], 80)
            if column == self.START:
                return span.start
            if column == self.END:
                return span.end
            if column == self.NOTE:
                return (span.note or "") if role == _EDIT else one_line(span.note or "")
        elif role == _DECORATION and column == self.LABEL:
            return self._colors.get(span.label)
        elif role == _TOOLTIP:
            # Tooltips take text that looks like HTML as HTML: give them escaped rich text.
            if column == self.NOTE and span.note:
                return tooltip(span.note)
            covered = self.session.text[span.start : min(span.end, span.start + 300)]
            return tooltip(f"{isolate(span.label)}: {isolate(covered)}")
        elif role == _ALIGNMENT and (column == self.START or column == self.END):
            return _RIGHT
        elif role == _SPAN_ID:
            return span.id
        return None

    def setData(self, index, value, role=Qt.EditRole):
        if not index.isValid() or index.column() != self.NOTE or role != Qt.EditRole:
            return False
        span = self._spans[index.row()]
        self.session.set_note(span.id, str(value) if value is not None else None)
        return True


class DocumentListModel(RowTableModel):
    """Every document with the current annotator's status and span count.

    Built for 100,000 documents: ``data`` answers only the roles it has (the view asks up to
    ten per cell), the status and span columns give a constant size hint (sizing a column to
    its contents asks every cell of up to 1,000 rows, on every change), and the progress count
    is kept up to date rather than recounted.
    """

    COLUMNS = ("Title", "Status", "Spans")
    TITLE, STATUS, SPANS = range(3)

    # (on a light base, on a dark base): readable either way.
    _STATUS_COLORS = {Status.TODO: None, Status.IN_PROGRESS: colors.IN_PROGRESS, Status.DONE: colors.DONE}
    _STATUS_MARKS = {Status.TODO: "○", Status.IN_PROGRESS: "◐", Status.DONE: "●"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[DocumentSummary] = []
        self._annotator = ""
        self._row_of: dict[str, int] = {}
        self._done = 0
        self._size_hints: dict[int, QSize] = {}

    def set_summaries(self, summaries: list[DocumentSummary], annotator: str) -> None:
        self.beginResetModel()
        self._rows = list(summaries)
        self._annotator = annotator
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self._done = sum(1 for s in self._rows if s.status.get(annotator) is Status.DONE)
        self._size_hints = {}
        self.endResetModel()

    def update_document(self, doc_id: str, status: Status, span_count: int) -> None:
        row = self._row_of.get(doc_id)
        if row is None:
            return
        old = self._rows[row]
        self._done += (status is Status.DONE) - (old.status_for(self._annotator) is Status.DONE)
        self._rows[row] = DocumentSummary(
            old.id,
            old.title,
            old.length,
            old.position,
            {**old.status, self._annotator: status},
            {**old.span_counts, self._annotator: span_count},
        )
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def row_of(self, doc_id: str) -> int | None:
        return self._row_of.get(doc_id)

    def doc_id(self, row: int) -> str:
        return self._rows[row].id

    def summaries(self) -> list[DocumentSummary]:
        return list(self._rows)

    def progress(self) -> tuple[int, int]:
        """(documents done, documents) for the current annotator."""
        return self._done, len(self._rows)

    def status_value(self, row: int) -> str:
        """The current annotator's status of the document in ``row`` ("todo", "done", ...)."""
        return self._rows[row].status_for(self._annotator).value

    def _size_hint(self, column: int) -> QSize:
        """The widest the status or span column can be (what sizing to contents would find)."""
        hint = self._size_hints.get(column)
        if hint is None:
            metrics = QFontMetrics(QGuiApplication.font())
            if column == self.STATUS:
                texts = [f"{mark} {status.display_name}" for status, mark in self._STATUS_MARKS.items()]
            else:
                texts = ["000000"]
            hint = QSize(max(metrics.horizontalAdvance(text) for text in texts) + 12, 0)
            self._size_hints[column] = hint
        return hint

    def data(self, index, role=_DISPLAY):
        role = int(role)
        if role not in _DOCUMENT_ROLES:
            return None
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._rows):
            return None
        column = index.column()
        if role == _SIZE_HINT:
            return None if column == self.TITLE else self._size_hint(column)
        summary = self._rows[row]
        if role == _DISPLAY:
            if column == self.TITLE:
                return one_line(summary.title)
            status = summary.status_for(self._annotator)
            if column == self.STATUS:
                return f"{self._STATUS_MARKS[status]} {status.display_name}"
            if column == self.SPANS:
                return summary.span_counts.get(self._annotator, 0)
        elif role == _TOOLTIP:
            status = summary.status_for(self._annotator)
            return tooltip(
                f"{isolate(summary.title)}\nid: {isolate(summary.id)}\n{summary.length:,} characters\n"
                f"{status.display_name} for {isolate(self._annotator)}"
            )
        elif role == _FOREGROUND and column == self.STATUS:
            pair = self._STATUS_COLORS[summary.status_for(self._annotator)]
            return None if pair is None else colors.status_color(pair, QGuiApplication.palette())
        elif role == _ALIGNMENT and column == self.SPANS:
            return _RIGHT
        elif role == _DOC_ID:
            return summary.id
        elif role == _STATUS:
            return summary.status_for(self._annotator).value
        return None


class DocumentFilter(QSortFilterProxyModel):
    """Shows documents with one status ("todo", "in_progress", "done"), unfinished ones, or all."""

    CHOICES = (
        ("all", "All documents"),
        ("unfinished", "Unfinished"),
        ("todo", "To do"),
        ("in_progress", "In progress"),
        ("done", "Done"),
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._status = "all"

    @property
    def status(self) -> str:
        return self._status

    def set_status(self, status: str) -> None:
        if status not in dict(self.CHOICES):
            status = "all"
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10 deprecates invalidateFilter()
            self.beginFilterChange()
            self._status = status
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._status = status
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._status == "all":
            return True
        source = self.sourceModel()
        if isinstance(source, DocumentListModel):
            status = source.status_value(source_row)  # no QModelIndex per row: 100,000 rows
        else:
            status = source.index(source_row, 0, source_parent).data(STATUS_ROLE)
        if self._status == "unfinished":
            return status != Status.DONE.value
        return status == self._status
