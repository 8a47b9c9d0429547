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
