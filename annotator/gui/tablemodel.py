"""The row/column/header plumbing that every flat table model in the window shares."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

ROOT = QModelIndex()
ROW_FLAGS = Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemNeverHasChildren


class RowTableModel(QAbstractTableModel):
    """A read-mostly table over a Python list of rows (``self._rows``) with fixed columns."""

    COLUMNS: tuple[str, ...] = ()
    #: Header tooltips, one per column ("" for none).
    TIPS: tuple[str, ...] = ()

    def _row_count(self) -> int:
        return len(self._rows)  # type: ignore[attr-defined]

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def index(self, row: int, column: int, parent=ROOT) -> QModelIndex:
        # QAbstractTableModel.index checks the row through rowCount() and columnCount(), two
        # calls into Python for every index a proxy or a view creates: check it here instead.
        if parent.isValid() or not (0 <= row < self._row_count() and 0 <= column < len(self.COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def hasChildren(self, parent=ROOT) -> bool:
        # Views and proxies may ask this of every row; the default answer calls rowCount() and
        # columnCount() (into Python) for each. Rows never have children here.
        return not parent.isValid()

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ToolTipRole and section < len(self.TIPS):
            return self.TIPS[section] or None
        return None

    def flags(self, index):
        return ROW_FLAGS if index.isValid() else Qt.NoItemFlags
