"""Small widgets of the main window: the label bar and the modal questions.

Every modal question sits behind a classmethod (``AnnotatorDialog.ask(parent, ...)``) that tests
monkeypatch, so no test ever blocks on a dialog (pytest-qt ``docs/note_dialogs.rst``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD_LAYER, LabelSet, validate_annotator_name
from annotator.gui import colors
from annotator.gui.literal import isolate, mnemonic_safe, one_line, tooltip

T = TypeVar("T")


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
            fg = colors.readable_text_on(color)
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


def answer(dialog: QDialog, result: Callable[[], T]) -> T | None:
    """Run a modal question: ``result()`` if the user accepted, None if not; then delete it."""
    try:
        return result() if dialog.exec() == QDialog.Accepted else None
    finally:
        dialog.deleteLater()


def annotator_problem(name: str) -> str | None:
    """Why ``name`` cannot be the window's annotator, or None if it can.

    Besides the rules of every annotator name, ``gold`` is refused: the adjudicated layer is
    written by review decisions, not annotated directly.
    """
    try:
        cleaned = validate_annotator_name(name)
    except AnnotatorError as exc:
        return str(exc)
    if cleaned == GOLD_LAYER:
        return (
            f"“{GOLD_LAYER}” is the adjudicated layer: it is written by review decisions "
            "(Document → Review two annotators…), not annotated directly. Choose your own name."
        )
    return None


class AnnotatorDialog(QDialog):
    """Asks who is annotating (once on first start; again from File → Change annotator…)."""

    def __init__(self, current: str, first_start: bool, parent=None, problem: str = "") -> None:
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
        self.error = QLabel(problem)
        self.error.setObjectName("annotatorProblem")
        self.error.setTextFormat(Qt.PlainText)  # it quotes the name as typed
        self.error.setStyleSheet(f"color: {colors.ERROR};")
        self.error.setWordWrap(True)
        self.error.setVisible(bool(problem))
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        layout.setSizeConstraint(QVBoxLayout.SetFixedSize)
        intro.setFixedWidth(400)
        self.error.setFixedWidth(400)

    def accept(self) -> None:
        problem = annotator_problem(self.name.text())
        if problem is not None:
            self.error.setText(problem)
            self.error.show()
            return
        super().accept()

    @classmethod
    def ask(cls, parent, current: str, first_start: bool = False, problem: str = "") -> str | None:
        """A valid annotator name, or None if the user cancelled; ``problem`` says first why
        the name in use cannot be used."""
        dialog = cls(current, first_start, parent, problem)
        return answer(dialog, lambda: validate_annotator_name(dialog.name.text()))


class NoteDialog(QDialog):
    """Edits the note of one span; Ctrl+Enter saves it (Enter starts a new line)."""

    def __init__(self, covered: str, note: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Span note")
        self.setObjectName("noteDialog")
        layout = QVBoxLayout(self)
        quote = QLabel(f"“{covered}”")
        quote.setWordWrap(True)
        quote.setTextFormat(Qt.PlainText)
        layout.addWidget(quote)
        self.edit = QPlainTextEdit(note)
        self.edit.setPlaceholderText("A note for this span (empty removes the note)")
        self.edit.setTabChangesFocus(True)
        layout.addWidget(self.edit)
        hint = QLabel("Ctrl+Enter saves the note, Esc cancels.")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # The text box takes Ctrl+Enter as a line break before any shortcut sees it.
        self.edit.installEventFilter(self)
        self.resize(440, 240)

    def eventFilter(self, watched, event) -> bool:
        if (
            watched is self.edit
            and event.type() == QEvent.KeyPress
            and event.key() in (Qt.Key_Return, Qt.Key_Enter)
            and event.modifiers() & Qt.ControlModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    @classmethod
    def ask(cls, parent, covered: str, note: str) -> str | None:
        dialog = cls(covered, note, parent)
        return answer(dialog, dialog.edit.toPlainText)
