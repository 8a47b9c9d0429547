"""Find in the open document: the find bar, and the controller that keeps its matches.

The bar is a widget (text, match case, whole words, count, next/previous, label all); the
:class:`FindController` runs the search over the session's text (code points, through the core's
``find_all``), keeps the current match and shows the matches on the article view.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from annotator.core.text_ops import find_all
from annotator.gui.editor import ArticleView
from annotator.gui.session import LayerSession

#: Longest selection that opens the find bar with itself as the text to find.
LONGEST_NEEDLE = 200


class FindBar(QWidget):
    """Find in the document: text, options, match count, next/previous, label all."""

    search_changed = Signal()
    next_requested = Signal()
    previous_requested = Signal()
    label_all_requested = Signal()
    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(6)
        layout.addWidget(QLabel("Find:"))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Text to find in this document")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(120)
        self.edit.textChanged.connect(self.search_changed)
        self.edit.returnPressed.connect(self.next_requested)
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit, 1)
        # Compact toggles (as in most editors) so the bar fits a narrow article pane.
        self.case = self._tool("Aa", "Match case", checkable=True)
        self.whole = self._tool("Word", "Whole words only", checkable=True)
        self.count = QLabel("")
        self.count.setMinimumWidth(70)
        previous = self._tool("↑", "Previous match (Shift+F3, Shift+Enter)")
        previous.clicked.connect(self.previous_requested)
        nxt = self._tool("↓", "Next match (F3, Enter)")
        nxt.clicked.connect(self.next_requested)
        self.label_all = QPushButton("Label all…")
        self.label_all.setToolTip("Label every match with one label, in one undoable step (Ctrl+L)")
        self.label_all.clicked.connect(self.label_all_requested)
        close = self._tool("✕", "Close (Esc)")
        close.clicked.connect(self.close_bar)
        for widget in (self.case, self.whole, self.count, previous, nxt, self.label_all, close):
            layout.addWidget(widget)

    def _tool(self, text: str, tip: str, *, checkable: bool = False) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        if checkable:
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.toggled.connect(self.search_changed)
        return button

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


class FindController(QObject):
    """The matches of the find bar's text in the open document, and which one is current."""

    def __init__(self, bar: FindBar, view: ArticleView, session: LayerSession, parent=None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.view = view
        self.session = session
        self.matches: list[tuple[int, int]] = []
        self.current = -1
        bar.search_changed.connect(self.search)
        bar.next_requested.connect(lambda: self.step(1))
        bar.previous_requested.connect(lambda: self.step(-1))
        bar.closed.connect(self._closed)
        view.escaped.connect(lambda: bar.close_bar() if bar.isVisible() else None)

    @property
    def active(self) -> bool:
        """The bar is open with something to find."""
        return self.bar.isVisible() and bool(self.bar.edit.text())

    def options(self) -> tuple[str, bool, bool]:
        """(text, match case, whole words) as set in the bar."""
        return self.bar.edit.text(), self.bar.case.isChecked(), self.bar.whole.isChecked()

    def open(self) -> None:
        """Open the bar, with the selected text (if short and on one line) to find."""
        selection = self.view.selection_range()
        text = None
        if selection is not None and selection[1] - selection[0] <= LONGEST_NEEDLE:
            text = self.session.text[selection[0] : selection[1]]
            if "\n" in text or "\r" in text:
                text = None
        self.bar.open_with(text)
        self.search()

    def search(self) -> None:
        needle, case_sensitive, whole_word = self.options()
        self.matches = find_all(
            self.session.text, needle, case_sensitive=case_sensitive, whole_word=whole_word
        )
        if not self.matches:
            self.current = -1
        else:
            caret = self.session.offsets.to_code_point(self.view.textCursor().selectionStart())
            self.current = next((i for i, (s, _e) in enumerate(self.matches) if s >= caret), 0)
        self._show()

    def step(self, delta: int) -> None:
        """The next (previous) match; opens the bar when it is closed."""
        if not self.bar.isVisible():
            self.open()
            return
        if self.matches:
            self.current = (self.current + delta) % len(self.matches)
            self._show()

    def _show(self) -> None:
        self.view.set_find_matches(self.matches, self.current)
        self.bar.set_count(self.current, len(self.matches))

    def document_changed(self) -> None:
        """Another document is open: its own matches, if the bar is open."""
        self.matches, self.current = [], -1
        self.view.set_find_matches([], -1)
        if self.bar.isVisible() and self.session.doc_id is not None:
            self.search()

    def _closed(self) -> None:
        self.matches, self.current = [], -1
        self.view.set_find_matches([], -1)
        self.view.setFocus()
