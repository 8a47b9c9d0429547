"""Small widgets of the main window: the label bar, the find bar and the modal questions.

Every modal question sits behind a classmethod (``AnnotatorDialog.ask(parent, ...)``) that tests
monkeypatch, so no test ever blocks on a dialog (pytest-qt ``docs/note_dialogs.rst``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.model import LabelSet, validate_annotator_name
from annotator.gui.literal import isolate, mnemonic_safe, one_line, tooltip


def readable_text_on(color: QColor) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())
    )
    return "#000000" if luminance > 0.35 else "#FFFFFF"


class ElidedLabel(QLabel):
    """A one-line hint that is cut with "…" instead of widening its parent."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self._full = text
        self.setTextFormat(Qt.PlainText)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setMinimumWidth(0)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.ElideRight, max(0, self.width()))
        # A hint cut to a stub says nothing: show it whole or not at all.
        super().setText(shown if shown == self._full or len(shown) > 24 else "")
        self.setToolTip(self._full)


class LabelBar(QWidget):
    """A row of label chips: colour, name and hotkey; clicking one applies the label."""

    label_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.setSpacing(8)
        self.buttons: dict[str, QToolButton] = {}
        self.hint = ElidedLabel()
        self.hint.setObjectName("labelHint")
        self.hint.setStyleSheet("color: palette(placeholder-text);")

    def set_labels(self, labels: LabelSet) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self.hint:
                widget.deleteLater()
        self.buttons = {}
        for label in labels:
            color = QColor(label.color)
            button = QToolButton(self)
            key = label.hotkey or ""
            name = mnemonic_safe(one_line(label.name))  # "&" would be a mnemonic
            button.setText(f" {key}  {name} " if key else f" {name} ")
            button.setToolTip(
                tooltip(
                    f"Label the selection (or the selected span) as “{isolate(label.name)}”"
                    + (f" — key {key}" if key else "")
                )
            )
            button.setCursor(Qt.PointingHandCursor)
            button.setFocusPolicy(Qt.NoFocus)
            fg = readable_text_on(color)
            button.setStyleSheet(
                f"QToolButton {{ background: {color.name()}; color: {fg}; border: none;"
                " border-radius: 11px; padding: 3px 10px; font-weight: 600; }"
                f"QToolButton:hover {{ background: {color.lighter(115).name()}; }}"
                f"QToolButton:pressed {{ background: {color.darker(115).name()}; }}"
            )
            button.clicked.connect(lambda _=False, name=label.name: self.label_chosen.emit(name))
            self._layout.addWidget(button)
            self.buttons[label.name] = button
        self.hint.setText("Select text, then press a label's key · click a span to select it")
        self._layout.addWidget(self.hint, 1)


class FindBar(QWidget):
    """Find in the document: text, options, match count, next/previous, label all."""

    search_changed = Signal()
    next_requested = Signal()
    previous_requested = Signal()
    label_all_requested = Signal()
    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(6)
        layout.addWidget(QLabel("Find:"))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Text to find in this document")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(140)
        self.edit.textChanged.connect(self.search_changed)
        self.edit.returnPressed.connect(self.next_requested)
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit, 1)
        # Compact toggles (as in most editors) so the bar fits a narrow article pane.
        self.case = QToolButton()
        self.case.setText("Aa")
        self.case.setToolTip("Match case")
        self.whole = QToolButton()
        self.whole.setText("Word")
        self.whole.setToolTip("Whole words only")
        for toggle in (self.case, self.whole):
            toggle.setCheckable(True)
            toggle.setAutoRaise(True)
            toggle.toggled.connect(self.search_changed)
        self.count = QLabel("")
        self.count.setMinimumWidth(70)
        previous = QToolButton()
        previous.setText("↑")
        previous.setToolTip("Previous match (Shift+F3, Shift+Enter)")
        previous.clicked.connect(self.previous_requested)
        nxt = QToolButton()
        nxt.setText("↓")
        nxt.setToolTip("Next match (F3, Enter)")
        nxt.clicked.connect(self.next_requested)
        self.label_all = QPushButton("Label all…")
        self.label_all.setToolTip("Label every match with one label, in one undoable step (Ctrl+L)")
        self.label_all.clicked.connect(self.label_all_requested)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_bar)
        for widget in (self.case, self.whole, self.count, previous, nxt, self.label_all, close):
            layout.addWidget(widget)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.edit and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ShiftModifier:
                self.previous_requested.emit()
                return True
        return super().eventFilter(watched, event)

    def open_with(self, text: str | None) -> None:
        self.show()
        if text:
            self.edit.setText(text)
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def set_count(self, current: int, total: int) -> None:
        if not self.edit.text():
            self.count.setText("")
        elif total == 0:
            self.count.setText("no matches")
        else:
            self.count.setText(f"{current + 1} of {total}" if current >= 0 else f"{total} matches")


class AnnotatorDialog(QDialog):
    """Asks who is annotating (once on first start; again from Settings)."""

    def __init__(self, current: str, first_start: bool, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is annotating?")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Your spans are kept in your own layer, under this name, so several people can "
            "annotate the same documents and be compared."
            if first_start
            else "Spans you create from now on go into this annotator's layer."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit(current)
        self.name.selectAll()
        form.addRow("Annotator name:", self.name)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setTextFormat(Qt.PlainText)  # it quotes the name as typed
        self.error.setStyleSheet("color: #C0392B;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        layout.setSizeConstraint(QVBoxLayout.SetFixedSize)
        intro.setFixedWidth(400)

    def accept(self) -> None:
        try:
            validate_annotator_name(self.name.text())
        except AnnotatorError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()

    @classmethod
    def ask(cls, parent, current: str, first_start: bool = False) -> str | None:
        dialog = cls(current, first_start, parent)
        if dialog.exec() != QDialog.Accepted:
            return None
        return validate_annotator_name(dialog.name.text())


class NoteDialog(QDialog):
    """Edits the note of one span."""

    def __init__(self, covered: str, note: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Span note")
        layout = QVBoxLayout(self)
        quote = QLabel(f"“{covered}”")
        quote.setWordWrap(True)
        quote.setTextFormat(Qt.PlainText)
        layout.addWidget(quote)
        self.edit = QPlainTextEdit(note)
        self.edit.setPlaceholderText("A note for this span (empty removes the note)")
        self.edit.setTabChangesFocus(True)
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(440, 220)

    @classmethod
    def ask(cls, parent, covered: str, note: str) -> str | None:
        dialog = cls(covered, note, parent)
        if dialog.exec() != QDialog.Accepted:
            return None
        return dialog.edit.toPlainText()


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every shortcut of the window in one table."""

    def __init__(self, rows: list[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.setSelectionMode(QTableWidget.NoSelection)
        for row, (keys, action) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(one_line(action)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 620)
        self.table = table


def shortcut_text(sequence: QKeySequence | str) -> str:
    return QKeySequence(sequence).toString(QKeySequence.NativeText)
