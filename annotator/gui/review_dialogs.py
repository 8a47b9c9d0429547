"""The review window's questions, behind classmethods that tests replace: which two annotators,
and where to save the agreement report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import GOLD_LAYER
from annotator.gui import colors
from annotator.gui.widgets import answer


class AnnotatorPairDialog(QDialog):
    """Choose annotator A (the key) and annotator B."""

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review two annotators")
        self.first = QComboBox()
        self.second = QComboBox()
        self.first.addItems(list(names))
        self.second.addItems(list(names))
        if len(names) > 1:
            self.second.setCurrentIndex(1)
        intro = QLabel(
            "Compare two annotators' layers and adjudicate their disagreements into the "
            f"<b>{GOLD_LAYER}</b> layer. A is the key: precision is measured against B."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Annotator &A:", self.first)
        form.addRow("Annotator &B:", self.second)
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {colors.ERROR};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Review")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.first.currentIndexChanged.connect(self._check)
        self.second.currentIndexChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(380)

    def pair(self) -> tuple[str, str]:
        return self.first.currentText(), self.second.currentText()

    def _check(self) -> None:
        a, b = self.pair()
        same = a == b
        self.problem.setText("Choose two different annotators." if same else "")
        self.problem.setVisible(same)
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not same)

    @classmethod
    def ask(cls, parent: QWidget | None, names: Sequence[str]) -> tuple[str, str] | None:
        """The chosen (A, B), or None if the user cancelled."""
        dialog = cls(names, parent)
        return answer(dialog, dialog.pair)


class ReportPathDialog:
    """Asks where to write the agreement report."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save agreement report", suggested, "HTML report (*.html);;Markdown report (*.md)"
        )
        return Path(path) if path else None
