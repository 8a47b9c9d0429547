"""The label set editor: add, rename, recolour, reorder, re-key and delete labels.

Each change is one core operation, committed at once; renaming keeps the spans (the store
cascades the new name), and deleting a label that spans use asks what to do with them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from annotator.core.errors import AnnotatorError
from annotator.core.model import HOTKEYS
from annotator.core.store import Project
from annotator.gui import colors, messages
from annotator.gui.widgets import answer


def swatch(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class DeleteLabelDialog(QDialog):
    """What to do with the spans of a label being deleted: move them, or delete them."""

    def __init__(self, name: str, used: int, others: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Delete label “{name}”")
        layout = QVBoxLayout(self)
        text = QLabel(f"{used} span(s) use the label “{name}”. What should happen to them?")
        text.setTextFormat(Qt.PlainText)  # a label name is never markup
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.move = QRadioButton("Change their label to")
        self.target = QComboBox()
        self.target.addItems(others)
        row.addWidget(self.move)
        row.addWidget(self.target, 1)
        layout.addLayout(row)
        self.delete = QRadioButton("Delete them")
        layout.addWidget(self.delete)
        if others:
            self.move.setChecked(True)
        else:
            self.move.setEnabled(False)
            self.target.setEnabled(False)
            self.delete.setChecked(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Delete label")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent, name: str, used: int, others: list[str]) -> tuple[str, str | None] | None:
        """("move", target) or ("delete", None); None if cancelled."""
        dialog = cls(name, used, others, parent)
        return answer(
            dialog,
            lambda: ("move", dialog.target.currentText()) if dialog.move.isChecked() else ("delete", None),
        )


class LabelSetEditor(QDialog):
    """Edits the project's label set; ``changed`` tells whether anything was saved,
    ``spans_changed`` whether spans may have changed.

    Every change is written through ``write`` (the window's "Waiting to save" path: it waits
    while another program holds the project's write lock).
    """

    def __init__(
        self, project: Project, parent=None, write: Callable[[Callable[[], object]], object] | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.write = write if write is not None else (lambda operation: operation())
        self.changed = False
        self.spans_changed = False
        self.setWindowTitle("Labels")
        layout = QHBoxLayout(self)
        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.list.itemDoubleClicked.connect(lambda _item: self._rename())
        layout.addWidget(self.list, 1)
        column = QVBoxLayout()
        self.buttons = {}
        for key, text, slot, tip in (
            ("add", "Add…", self._add, "Add a new label"),
            ("rename", "Rename…", self._rename, "Rename; spans keep the label under its new name"),
            ("color", "Colour…", self._recolor, "Choose the label's colour"),
            ("hotkey", "Hotkey…", self._rehotkey, "Choose the digit key that applies the label"),
            ("up", "Move up", lambda: self._move(-1), "Earlier in the label bar"),
            ("down", "Move down", lambda: self._move(1), "Later in the label bar"),
            ("delete", "Delete…", self._delete, "Delete the label (asks what to do with its spans)"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            column.addWidget(button)
            self.buttons[key] = button
        column.addStretch(1)
        self.error = QLabel("")
        self.error.setTextFormat(Qt.PlainText)  # errors quote label names
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {colors.ERROR};")
        self.error.setMaximumWidth(220)
        column.addWidget(self.error)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.accept)
        column.addWidget(close)
        layout.addLayout(column)
        self.refresh()
        self.resize(520, 360)

    def refresh(self, select: str | None = None) -> None:
        current = select or self.current_name()
        self.list.clear()
        for label in self.project.labels():
            used = self.project.label_usage(label.name)
            item = QListWidgetItem(
                swatch(label.color),
                f"{label.hotkey or '–'}   {label.name}   ({used} span{'s' if used != 1 else ''})",
            )
            item.setData(Qt.UserRole, label.name)
            self.list.addItem(item)
            if label.name == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item is not None else None

    def _run(self, operation, select: str | None = None) -> bool:
        try:
            self.write(operation)
        except AnnotatorError as exc:
            self.error.setText(str(exc))
            return False
        self.changed = True
        self.error.setText("")
        self.refresh(select)
        return True

    # Operations (also what tests call).

    def add_label(self, name: str) -> bool:
        return self._run(lambda: self.project.add_label(name.strip()), name.strip())

    def rename_label(self, old: str, new: str) -> bool:
        return self._run(lambda: self.project.update_label(old, new_name=new.strip()), new.strip())

    def recolor_label(self, name: str, color: str) -> bool:
        return self._run(lambda: self.project.update_label(name, color=color.upper()), name)

    def set_hotkey(self, name: str, hotkey: str | None) -> bool:
        return self._run(lambda: self.project.update_label(name, hotkey=hotkey), name)

    def move_label(self, name: str, delta: int) -> bool:
        names = self.project.labels().names
        i = names.index(name)
        j = max(0, min(len(names) - 1, i + delta))
        if i == j:
            return False
        names[i], names[j] = names[j], names[i]
        return self._run(lambda: self.project.reorder_labels(names), name)

    def delete_label(self, name: str, *, reassign_to: str | None = None, delete_spans: bool = False) -> bool:
        ok = self._run(
            lambda: self.project.delete_label(name, reassign_to=reassign_to, delete_spans=delete_spans)
        )
        if ok:
            self.spans_changed = True
        return ok

    # Buttons.

    def _add(self) -> None:
        name, ok = QInputDialog.getText(self, "Add label", "Name of the new label:")
        if ok and name.strip():
            self.add_label(name)

    def _rename(self) -> None:
        name = self.current_name()
        if name is None:
            return
        new, ok = QInputDialog.getText(self, "Rename label", f"New name for “{name}”:", text=name)
        if ok and new.strip() and new.strip() != name:
            if self.rename_label(name, new):
                self.spans_changed = True

    def _recolor(self) -> None:
        name = self.current_name()
        if name is None:
            return
        color = QColorDialog.getColor(
            QColor(self.project.labels().get(name).color), self, f"Colour of “{name}”"
        )
        if color.isValid():
            self.recolor_label(name, color.name())

    def _rehotkey(self) -> None:
        name = self.current_name()
        if name is None:
            return
        labels = self.project.labels()
        current = labels.get(name).hotkey
        choices = ["none"] + [
            k for k in HOTKEYS if labels.by_hotkey(k) is None or labels.by_hotkey(k).name == name
        ]
        choice, ok = QInputDialog.getItem(
            self,
            "Hotkey",
            f"Key that applies “{name}”:",
            choices,
            choices.index(current) if current in choices else 0,
            False,
        )
        if ok:
            self.set_hotkey(name, None if choice == "none" else choice)

    def _move(self, delta: int) -> None:
        name = self.current_name()
        if name is not None:
            self.move_label(name, delta)

    def _delete(self) -> None:
        name = self.current_name()
        if name is None:
            return
        used = self.project.label_usage(name)
        if used:
            others = [n for n in self.project.labels().names if n != name]
            answer = DeleteLabelDialog.ask(self, name, used, others)
            if answer is None:
                return
            action, target = answer
            if action == "move":
                self.delete_label(name, reassign_to=target)
            else:
                self.delete_label(name, delete_spans=True)
        else:
            if messages.confirm(self, "Delete label", f"Delete the label “{name}”?"):
                self.delete_label(name)
