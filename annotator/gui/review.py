"""Review mode: compare two annotators' layers, walk their disagreements, adjudicate into gold.

``open_review(parent, project)`` asks for the two annotators and opens a :class:`ReviewWindow`.
The window is a thin view over :mod:`annotator.core.adjudication` and
:mod:`annotator.core.agreement`: every decision is one core operation (committed at once),
pushed on a ``QUndoStack`` whose commands call that operation and its inverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core import adjudication as adj
from annotator.core.agreement import Agreement, Figures, SpanTuple, compute_agreement
from annotator.core.errors import AnnotatorError
from annotator.core.layers import layers_from_project, shared_documents
from annotator.core.model import GOLD_LAYER
from annotator.core.pairing import Disagreement
from annotator.core.report import format_number, write_report
from annotator.core.store import Project
from annotator.gui.literal import html_text, isolate, mnemonic_safe, one_line, tooltip
from annotator.gui.review_models import (
    KIND_HINTS,
    ConfusionModel,
    DisagreementModel,
    DocumentFiguresModel,
    LabelFiguresModel,
    agreement_colors,
)
from annotator.gui.review_widgets import F1Chart, LayerMarks, ReviewTextView

__all__ = ["AnnotatorPairDialog", "ReviewWindow", "inform", "open_review"]

#: Review windows opened without a parent, kept alive until closed.
_open_windows: list[ReviewWindow] = []


def _message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
    # Plain text: the messages quote names and errors, which may look like HTML.
    box = QMessageBox(icon, title, text, QMessageBox.Ok, parent)
    box.setTextFormat(Qt.PlainText)
    box.exec()
    box.deleteLater()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """A message box; tests replace this function so that nothing blocks."""
    _message_box(parent, QMessageBox.Information, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """An error the user can act on; tests replace this function so that nothing blocks."""
    _message_box(parent, QMessageBox.Warning, title, text)


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
        self.problem.setStyleSheet("color: #B3261E;")
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
        try:
            if dialog.exec() == QDialog.Accepted:
                return dialog.pair()
            return None
        finally:
            dialog.deleteLater()


class ReportPathDialog:
    """Asks where to write the agreement report (behind a classmethod so tests can answer)."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save agreement report", suggested, "HTML report (*.html);;Markdown report (*.md)"
        )
        return Path(path) if path else None


def open_review(parent: QWidget | None, project: Project) -> None:
    """Ask for two annotators and open the review window on their shared documents."""
    names = [name for name in project.annotators() if name != GOLD_LAYER]
    if len(names) < 2:
        inform(
            parent,
            "Review",
            "Review compares two annotators' layers, but this project has "
            + (f"only {isolate(names[0])}'s." if names else "no annotations yet.")
            + "\nImport or merge another annotator's work first (annotator merge OTHER.db).",
        )
        return
    pair = AnnotatorPairDialog.ask(parent, names)
    if pair is None:
        return
    a, b = pair
    if not shared_documents(project, a, b):
        inform(parent, "Review", f"There are no documents annotated by both {isolate(a)} and {isolate(b)}.")
        return
    try:
        window = ReviewWindow(project, a, b, parent)
    except AnnotatorError as exc:
        warn(parent, "Review", f"Cannot review {isolate(a)} and {isolate(b)}: {exc}")
        return
    external = getattr(parent, "changed_elsewhere", None)
    if external is not None:  # the main window watches the project for other programs' changes
        external.connect(window.pick_up_external_changes)
        window.gold_changed.connect(lambda _doc_id: parent.pick_up_own_changes())
    if parent is None:
        _open_windows.append(window)
        window.destroyed.connect(lambda *_: _open_windows.remove(window) if window in _open_windows else None)
    window.show()
    window.activateWindow()


class _GoldCommand(QUndoCommand):
    """An adjudication step: redo performs one core operation, undo reverts what it did.

    The operation has already been performed (and checked) before the command is pushed, so
    the first redo, run by ``QUndoStack.push``, does nothing.
    """

    def __init__(self, window: ReviewWindow, change, text: str, again) -> None:
        super().__init__(text)
        self._window = window
        self._change = change
        self._again = again
        self._pushed = False
        self._skip_undo = False  # a redo failed: the stack's step back must not revert anything

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        try:
            self._change = self._again()
        except AnnotatorError as exc:
            self._window.show_error(f"Could not redo “{self.text()}”", str(exc))
            self._skip_undo = True
            self._step_back(redo=False)
            return
        self._window.after_change(self._change)

    def undo(self) -> None:
        if self._skip_undo:
            self._skip_undo = False
            return
        try:
            adj.revert(self._window.project, self._change)
        except AnnotatorError as exc:
            self._window.show_error(f"Could not undo “{self.text()}”", str(exc))
            self._pushed = False  # the stack's step forward must not perform it again
            self._step_back(redo=True)
            return
        self._window.after_change(self._change)

    def _step_back(self, *, redo: bool) -> None:
        """After a failed step, move the stack's index back (on the next event-loop turn) so it
        matches the project file again and the user can simply try again."""
        stack = self._window.undo_stack
        QTimer.singleShot(0, stack, stack.redo if redo else stack.undo)


def _html(text: str) -> str:
    """A user string inside our rich text: one line, escaped, bidi-isolated."""
    return html_text(isolate(one_line(text)))


def _key_hint(key: str) -> str:
    return f"<span style='color: palette(mid)'>[{key}]</span>"


class ReviewWindow(QMainWindow):
    """The reviewer's window for one pair of annotators."""

    gold_changed = Signal(str)  # document id

    def __init__(self, project: Project, a: str, b: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        adj.check_pair(project, a, b)
        self.project = project
        self.a = a
        self.b = b
        self.setAttribute(Qt.WA_DeleteOnClose, True)
        self.setWindowTitle(f"Review: {isolate(one_line(a))} (A) vs {isolate(one_line(b))} (B) — Annotator")
        self.setObjectName("reviewWindow")
        self.undo_stack = QUndoStack(self)
        self.doc_id: str | None = None
        self._text = ""
        self._colors = {label.name: label.color for label in project.labels()}

        self._compute()
        self._build()
        self._build_actions()
        self._fill()
        self.resize(1360, 820)
        if self.doc_ids:
            self.select_document(self.doc_ids[0])

    def _compute(self) -> None:
        """The shared documents and every agreement figure, from the project as it is now."""
        self._colors = {label.name: label.color for label in self.project.labels()}
        self.doc_ids = shared_documents(self.project, self.a, self.b)
        self.agreement: Agreement = compute_agreement(
            layers_from_project(self.project, self.a, self.b, self.doc_ids), annotators=(self.a, self.b)
        )
        self._colors.update(agreement_colors(self.agreement, self._colors))

    def _fill(self) -> None:
        summaries = {s.id: s.title for s in self.project.summaries()}
        self.progress = adj.progress(self.project, self.doc_ids, self.a, self.b)
        self.documents_model.set_documents(
            [(doc_id, summaries.get(doc_id, doc_id)) for doc_id in self.doc_ids],
            self.agreement.per_document,
            self.progress.per_document,
        )
        self._fill_corpus_figures()
        self._show_progress()

    def pick_up_external_changes(self) -> None:
        """Another program saved changes (the annotators' layers, gold): figures, lists and the
        open document are recomputed, keeping the document and disagreement in view."""
        current = self.doc_id
        item = self.current_disagreement()
        key = (item.a, item.b) if item is not None else None
        self._compute()
        self._fill()
        if current is not None and current in self.doc_ids:
            self.select_document(current)
            self._set_figures("doc", self.agreement.per_document.get(current))
            self._refresh_document(select=key, first_undecided=True)
        elif self.doc_ids:
            self.doc_id = None
            self.select_document(self.doc_ids[0])
        self.message("Updated with changes saved by another program")

    # -- building -----------------------------------------------------------------------------

    def _table(self, model, name: str) -> QTableView:
        view = QTableView()
        view.setObjectName(name)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.setSelectionMode(QAbstractItemView.SingleSelection)
        view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        view.setAlternatingRowColors(False)
        view.setShowGrid(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.setWordWrap(False)
        view.setTabKeyNavigation(False)
        return view

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(2, 6, 2, 2)
        label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        label.setMinimumWidth(60)
        return label

    def _build(self) -> None:
        # Documents.
        self.documents_model = DocumentFiguresModel(self)
        self.documents_view = self._table(self.documents_model, "reviewDocuments")
        self.documents_view.verticalHeader().hide()
        header = self.documents_view.horizontalHeader()
        # Fixed widths: a content-sized column would be re-measured over every row on each change.
        digits = self.fontMetrics().horizontalAdvance("0000/0000") + 16
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.Fixed)
        header.setSectionResizeMode(2, QHeaderView.Fixed)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("0.00") + 18)
        header.resizeSection(2, digits)
        self.documents_view.selectionModel().currentRowChanged.connect(self._document_row_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 4, 4, 8)
        left_layout.addWidget(self._heading(f"Documents annotated by both ({len(self.doc_ids)})"))
        left_layout.addWidget(self.documents_view)

        # Text with both layers.
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.PlainText)  # a title is never markup
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.legend = QLabel(self._legend_html())
        self.legend.setTextFormat(Qt.RichText)
        self.text_view = ReviewTextView()
        self.text_view.setMinimumWidth(360)
        self.text_view.label_key_pressed.connect(self.edit_with_label)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("currentDisagreement")
        self.kind_label.setTextFormat(Qt.RichText)
        self.kind_label.setWordWrap(True)
        self.kind_label.setMinimumHeight(self.kind_label.fontMetrics().height() * 2 + 8)

        self.decision_bar = QHBoxLayout()
        self.decision_bar.setSpacing(6)
        self.buttons: dict[str, QToolButton] = {}
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(4, 4, 4, 8)
        middle_layout.addWidget(self.title_label)
        middle_layout.addWidget(self.legend)
        middle_layout.addWidget(self.text_view, 1)
        middle_layout.addWidget(self.kind_label)
        middle_layout.addLayout(self.decision_bar)

        # Disagreements and figures.
        self.disagreement_model = DisagreementModel(self)
        self.disagreement_model.set_names(self.a, self.b)
        self.disagreement_view = self._table(self.disagreement_model, "reviewDisagreements")
        header = self.disagreement_view.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeToContents)
        self.disagreement_view.selectionModel().currentRowChanged.connect(self._disagreement_row_changed)
        self.disagreement_heading = self._heading("Disagreements")

        self.figure_labels: dict[tuple[str, str], QLabel] = {}
        figures_box = QFrame()
        grid = QGridLayout(figures_box)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(3)
        self.doc_column_heading = QLabel("<b>This document</b>")
        grid.addWidget(self.doc_column_heading, 0, 1, Qt.AlignRight)
        n = len(self.doc_ids)
        grid.addWidget(QLabel(f"<b>All {n} document{'s' if n != 1 else ''}</b>"), 0, 2, Qt.AlignRight)
        rows = (
            ("exact", "Exact-span F1", "F1 of spans with the same start, end and label"),
            ("lenient", "Lenient F1", "F1 where overlapping spans of the same label count"),
            ("char_kappa", "Character κ", "Cohen's kappa over characters (label or outside)"),
            ("char_alpha", "Character α", "Krippendorff's alpha over characters"),
            ("alpha_u", "Unitizing αU", "Krippendorff's unitizing alpha over the spans"),
        )
        for row, (key, title, tip) in enumerate(rows, start=1):
            name = QLabel(title)
            name.setToolTip(tip)
            grid.addWidget(name, row, 0)
            for column, scope in ((1, "doc"), (2, "all")):
                value = QLabel("n/a")
                value.setObjectName(f"figure_{scope}_{key}")
                value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
                value.setToolTip(tip)
                self.figure_labels[(scope, key)] = value
                grid.addWidget(value, row, column)
        grid.setColumnStretch(0, 1)

        self.label_model = LabelFiguresModel(self)
        self.label_view = self._table(self.label_model, "reviewLabelFigures")
        self.label_view.verticalHeader().hide()
        self.label_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.label_view.horizontalHeader().setStretchLastSection(True)
        self.chart = F1Chart()
        figures_page = QWidget()
        figures_layout = QVBoxLayout(figures_page)
        figures_layout.setContentsMargins(6, 6, 6, 6)
        figures_layout.addWidget(figures_box)
        figures_layout.addWidget(self._heading("F1 per label (all documents)"))
        figures_layout.addWidget(self.chart)
        figures_layout.addWidget(self._heading("Per label (all documents)"))
        figures_layout.addWidget(self.label_view, 1)

        self.confusion_model = ConfusionModel(self)
        self.confusion_view = self._table(self.confusion_model, "reviewConfusion")
        self.confusion_view.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.confusion_view.setShowGrid(True)
        self.confusion_view.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.confusion_view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.confusion_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        confusion_page = QWidget()
        confusion_layout = QVBoxLayout(confusion_page)
        confusion_layout.setContentsMargins(6, 6, 6, 6)
        explain = QLabel(
            f"Rows: <b>{_html(self.a)}</b> (A) · columns: <b>{_html(self.b)}</b> (B) · ∅ = no span. "
            "Green: the same label; red: a confusion."
        )
        explain.setWordWrap(True)
        confusion_layout.addWidget(explain)
        confusion_layout.addWidget(self.confusion_view, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(figures_page, "Figures")
        self.tabs.addTab(confusion_page, "Confusion matrix")

        right = QSplitter(Qt.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(4, 4, 8, 4)
        self.disagreement_bar = QHBoxLayout()
        self.disagreement_bar.setSpacing(4)
        self.disagreement_bar.addWidget(self.disagreement_heading, 1)
        top_layout.addLayout(self.disagreement_bar)
        top_layout.addWidget(self.disagreement_view)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setSizes([270, 510])
        right.setChildrenCollapsible(False)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([230, 640, 480])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        # Status bar: adjudication progress.
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("adjudicationProgress")
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setTextFormat(Qt.PlainText)  # messages quote errors and names
        self.statusBar().addWidget(self.message_label, 1)
        self.statusBar().addPermanentWidget(self.progress_label)
        self.statusBar().addPermanentWidget(self.progress_bar)

    def _legend_html(self) -> str:
        return (
            f"<span style='color:#444'>Bars <b>above</b> a line: <b>A</b> = {_html(self.a)} &nbsp;·&nbsp; "
            f"bars <b>below</b>: <b>B</b> = {_html(self.b)} &nbsp;·&nbsp; thick = disagreement, "
            f"thin = agreed &nbsp;·&nbsp; shaded = {GOLD_LAYER}</span>"
        )

    def _action(self, text: str, keys: Sequence[str], slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.WindowShortcut)
        action.triggered.connect(slot)
        shown = " / ".join(QKeySequence(k).toString(QKeySequence.NativeText) for k in keys)
        action.setToolTip(tooltip(f"{tip or text} ({shown})"))
        self.addAction(action)
        return action

    def _button(self, action: QAction, key: str, name: str) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setText(f"{action.text()}  [{key}]")
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setObjectName(name)
        button.setMinimumHeight(button.sizeHint().height() + 6)
        button.setFocusPolicy(Qt.NoFocus)
        self.buttons[name] = button
        return button

    def _build_actions(self) -> None:
        self.previous_action = self._action(
            "◀", ["P", "K", "Shift+F8"], self.previous_disagreement, "Previous disagreement"
        )
        self.next_action = self._action(
            "Next ▶", ["N", "J", "F8"], self.next_disagreement, "Next disagreement"
        )
        self.accept_a_action = self._action(
            "Accept A",
            ["A"],
            lambda: self.decide(adj.Decision.A),
            f"Put {isolate(self.a)}'s span (A) in gold",
        )
        self.accept_b_action = self._action(
            "Accept B",
            ["B"],
            lambda: self.decide(adj.Decision.B),
            f"Put {isolate(self.b)}'s span (B) in gold",
        )
        self.both_action = self._action(
            "Both", ["T"], lambda: self.decide(adj.Decision.BOTH), "Take both spans into gold"
        )
        self.neither_action = self._action(
            "Neither", ["X"], lambda: self.decide(adj.Decision.NEITHER), "Put neither span in gold"
        )
        self.edit_action = self._action(
            "Edit",
            ["E"],
            self.start_edit,
            "Select the disagreement's text to adjust it; a label key (1–9, 0) then puts it in gold",
        )
        self.agreed_action = self._action(
            "All agreed",
            ["G"],
            self.accept_all_agreed,
            "Copy every span both annotators agree on in this document into gold",
        )
        self.next_document_action = self._action(
            "Next document", ["Ctrl+PgDown"], lambda: self._step_document(1)
        )
        self.previous_document_action = self._action(
            "Previous document", ["Ctrl+PgUp"], lambda: self._step_document(-1)
        )
        self.close_action = self._action("Close review", ["Ctrl+W"], self.close)
        self.report_action = self._action(
            "Save report…",
            ["Ctrl+S"],
            self.save_report,
            "Write the figures, per-label table and confusion matrix to an HTML or Markdown file",
        )
        # A label's digit key puts the selected text into gold with that label (edit), wherever
        # the focus is in this window.
        self.label_actions = [
            self._action(
                f"Gold span: {mnemonic_safe(one_line(label.name))}",
                [label.hotkey],
                lambda _checked=False, key=label.hotkey: self.edit_with_label(key),
                f"Put the selected text in gold as {isolate(label.name)}",
            )
            for label in self.project.labels()
            if label.hotkey
        ]
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts(QKeySequence.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addActions([self.undo_action, self.redo_action])

        self.disagreement_bar.addWidget(self._button(self.previous_action, "P", "previousButton"))
        self.disagreement_bar.addWidget(self._button(self.next_action, "N", "nextButton"))
        bar = self.decision_bar
        bar.addWidget(self._button(self.accept_a_action, "A", "acceptAButton"))
        bar.addWidget(self._button(self.accept_b_action, "B", "acceptBButton"))
        bar.addWidget(self._button(self.both_action, "T", "bothButton"))
        bar.addWidget(self._button(self.neither_action, "X", "neitherButton"))
        bar.addWidget(self._button(self.edit_action, "E", "editButton"))
        bar.addStretch(1)
        bar.addWidget(self._button(self.agreed_action, "G", "acceptAgreedButton"))

        toolbar = self.addToolBar("Review")
        toolbar.setObjectName("reviewToolbar")
        toolbar.setMovable(False)
        pair = QLabel(
            f"&nbsp;<b>A</b> {_html(self.a)} &nbsp;⟷&nbsp; <b>B</b> {_html(self.b)}&nbsp;&nbsp;"
            f"<span style='color:#666'>→ {GOLD_LAYER}</span>&nbsp;"
        )
        toolbar.addWidget(pair)
        toolbar.addSeparator()
        toolbar.addAction(self.previous_document_action)
        toolbar.addAction(self.next_document_action)
        toolbar.addSeparator()
        toolbar.addAction(self.undo_action)
        toolbar.addAction(self.redo_action)
        toolbar.addSeparator()
        toolbar.addAction(self.report_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        toolbar.addWidget(spacer)
        keys = QLabel(
            "<span style='color:#555'>N/P next/previous · A/B accept · T both · X neither · "
            "E edit · G all agreed · Ctrl+Z undo</span>&nbsp;"
        )
        toolbar.addWidget(keys)

    def save_report(self) -> Path | None:
        """Write the agreement report a team can share; says where it went or why it failed."""
        suggested = f"agreement-{self.a}-{self.b}.html"
        if self.project.path is not None:
            suggested = str(self.project.path.with_name(suggested))
        path = ReportPathDialog.ask(self, suggested)
        if path is None:
            return None
        try:
            written = write_report(self.agreement, path)
        except AnnotatorError as exc:
            warn(self, "Save report", str(exc))
            return None
        self.statusBar().showMessage(f"Report written to {written}", 8000)
        return written

    # -- figures ------------------------------------------------------------------------------

    def _set_figures(self, scope: str, figures: Figures | None) -> None:
        values = {
            "exact": figures.exact.f1 if figures else None,
            "lenient": figures.lenient.f1 if figures else None,
            "char_kappa": figures.char_kappa if figures else None,
            "char_alpha": figures.char_alpha if figures else None,
            "alpha_u": figures.alpha_u if figures else None,
        }
        muted = self.palette().color(QPalette.PlaceholderText).name()
        for key, value in values.items():
            label = self.figure_labels[(scope, key)]
            text = format_number(value)
            label.setText(text)
            label.setStyleSheet(f"color: {muted};" if value is None else "")
            if value is None:
                label.setToolTip("Undefined here (e.g. no spans, or one category everywhere)")

    def _fill_corpus_figures(self) -> None:
        self._set_figures("all", self.agreement.overall)
        self.label_model.set_figures(self.agreement.labels, self._colors)
        self.confusion_model.set_confusion(self.agreement.confusion)
        self.chart.set_values(
            [
                (name, self._colors.get(name, "#888888"), figures.exact.f1, figures.lenient.f1)
                for name, figures in self.agreement.labels.items()
            ]
        )

    def _update_progress(self, doc_id: str) -> None:
        """Recount the decided disagreements of ``doc_id`` after a change."""
        per_document = dict(self.progress.per_document)
        per_document.update(adj.progress(self.project, [doc_id], self.a, self.b).per_document)
        self.progress = adj.Progress(
            sum(done for done, _ in per_document.values()),
            sum(total for _, total in per_document.values()),
            per_document,
        )
        self.documents_model.set_progress(doc_id, *per_document[doc_id])
        self._show_progress()

    def _show_progress(self) -> None:
        progress = self.progress
        self.progress_bar.setMaximum(max(progress.total, 1))
        self.progress_bar.setValue(progress.resolved if progress.total else 1)
        self.progress_bar.setFormat(f"{progress.resolved} / {progress.total} decided")
        self.progress_label.setText("Adjudication:")

    # -- documents ----------------------------------------------------------------------------

    def select_document(self, doc_id: str) -> None:
        row = self.documents_model.row_of(doc_id)
        if row is None:
            return
        index = self.documents_model.index(row, 0)
        self.documents_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        )

    def _document_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.load_document(self.documents_model.doc_id(current.row()))

    def _step_document(self, step: int) -> None:
        if self.doc_id is None or not self.doc_ids:
            return
        i = self.doc_ids.index(self.doc_id) + step
        if 0 <= i < len(self.doc_ids):
            self.select_document(self.doc_ids[i])

    def load_document(self, doc_id: str, select: tuple | None = None) -> None:
        """Show ``doc_id``; select the disagreement keyed ``select`` or the first undecided one."""
        if doc_id != self.doc_id:
            document = self.project.document(doc_id)
            self.doc_id = doc_id
            self._text = document.text
            self.title_label.setText(one_line(document.title))
            self.text_view.set_text(document.text)
            self._set_figures("doc", self.agreement.per_document.get(doc_id))
        self._refresh_document(select, first_undecided=select is None)

    def _refresh_document(self, select: tuple | None = None, first_undecided: bool = False) -> None:
        assert self.doc_id is not None
        items = adj.document_disagreements(self.project, self.doc_id, self.a, self.b)
        decisions = adj.decisions(self.project, self.doc_id, self.a, self.b)
        self.disagreement_model.set_disagreements(items, self._text, decisions, self._colors)
        decided = sum(1 for d in items if (d.a, d.b) in decisions)
        self.disagreement_heading.setText(f"Disagreements: {decided} of {len(items)} decided")
        row = self.disagreement_model.row_of(select) if select is not None else None
        if row is None and first_undecided:
            row = next((i for i, d in enumerate(items) if (d.a, d.b) not in decisions), 0 if items else None)
        if row is not None and items:
            self.select_disagreement(row)
        else:
            self._show_current(None)

    # -- disagreements ------------------------------------------------------------------------

    def current_row(self) -> int | None:
        index = self.disagreement_view.selectionModel().currentIndex()
        return index.row() if index.isValid() else None

    def current_disagreement(self) -> Disagreement | None:
        row = self.current_row()
        return self.disagreement_model.item(row) if row is not None else None

    def select_disagreement(self, row: int) -> None:
        index = self.disagreement_model.index(row, 0)
        self.disagreement_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        )
        self.disagreement_view.scrollTo(index)
        self._show_current(self.disagreement_model.item(row))

    def _disagreement_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self._show_current(self.disagreement_model.item(current.row()))

    def _show_current(self, item: Disagreement | None) -> None:
        assert self.doc_id is not None
        a_spans = [s.key for s in self.project.spans(self.doc_id, self.a)]
        b_spans = [s.key for s in self.project.spans(self.doc_id, self.b)]
        gold = [s.key for s in self.project.spans(self.doc_id, GOLD_LAYER)]
        items = self.disagreement_model.items()
        marks = LayerMarks(
            a=a_spans,
            b=b_spans,
            disputed_a=frozenset(d.a for d in items if d.a is not None),
            disputed_b=frozenset(d.b for d in items if d.b is not None),
            gold=gold,
            current=(item.start, item.end) if item is not None else None,
        )
        self.text_view.set_marks(marks, self._colors)
        if item is None:
            self.kind_label.setText(
                "<span style='color:#1B7F45'><b>No disagreements in this document.</b></span> "
                "Accept all agreed [G] to copy the shared spans into gold."
                if not items
                else ""
            )
            return
        self.text_view.show_range(item.start, item.end)
        row = self.current_row()
        record = self.disagreement_model.decision(row) if row is not None else None
        self.kind_label.setText(self._describe(item, record, row))

    def _span_html(self, side: str, name: str, span: SpanTuple | None) -> str:
        if span is None:
            return f"<b>{side}</b> ({_html(name)}): <i>no span</i>"
        color = self._colors.get(span[2], "#888888")
        text = one_line(self._text[span[0] : min(span[1], span[0] + 400)], 70)
        return (
            f"<b>{side}</b> ({_html(name)}): <span style='background:{color}; color:white'>"
            f"&nbsp;{_html(span[2])}&nbsp;</span> “{_html(text)}”"
        )

    def _describe(self, item: Disagreement, record: adj.DecisionRecord | None, row: int | None) -> str:
        number = f"{row + 1} of {self.disagreement_model.rowCount()}" if row is not None else ""
        state = (
            f"<span style='color:#1B7F45'><b>✓ {record.decision.caption}</b></span>"
            if record is not None
            else "<span style='color:#9A5B00'><b>undecided</b></span>"
        )
        return (
            f"<b>{KIND_HINTS[item.kind]}</b> ({number}) — {state}<br>"
            f"{self._span_html('A', self.a, item.a)} &nbsp;&nbsp; {self._span_html('B', self.b, item.b)}"
        )

    def next_disagreement(self) -> None:
        self._step_disagreement(1)

    def previous_disagreement(self) -> None:
        self._step_disagreement(-1)

    def _step_disagreement(self, step: int) -> None:
        """Move within the document; past its end (or start) go on in the next (previous) one."""
        if self.doc_id is None:
            return
        count = self.disagreement_model.rowCount()
        row = self.current_row()
        target = (0 if step > 0 else count - 1) if row is None else row + step
        if 0 <= target < count:
            self.select_disagreement(target)
            return
        i = self.doc_ids.index(self.doc_id)
        for j in range(i + step, len(self.doc_ids) if step > 0 else -1, step):
            doc_id = self.doc_ids[j]
            if self.progress.per_document.get(doc_id, (0, 0))[1]:
                self.select_document(doc_id)
                rows = self.disagreement_model.rowCount()
                if rows:
                    self.select_disagreement(0 if step > 0 else rows - 1)
                return
        self.message("That was the last disagreement." if step > 0 else "This is the first disagreement.")

    # -- adjudication -------------------------------------------------------------------------

    def message(self, text: str) -> None:
        self.message_label.setText(text)

    def show_error(self, title: str, text: str) -> None:
        self.message(f"{title}: {text}")
        warn(self, title, text)

    def decide(self, decision: adj.Decision, edited: Sequence[SpanTuple] = ()) -> bool:
        """Record ``decision`` for the current disagreement; undoable; moves on to the next undecided."""
        item = self.current_disagreement()
        if item is None or self.doc_id is None:
            self.message("No disagreement selected.")
            return False
        doc_id, a, b, project = self.doc_id, self.a, self.b, self.project
        edited = list(edited)

        def again():
            return adj.resolve(project, doc_id, a, b, item, decision, edited)

        try:
            change = again()
        except AnnotatorError as exc:
            self.show_error("Could not record the decision", str(exc))
            return False
        text = f"{decision.caption} at {item.start}–{item.end}"
        self.undo_stack.push(_GoldCommand(self, change, text, again))
        self.after_change(change, advance=True)
        self.message(f"Decided: {text}. Saved.")
        return True

    def start_edit(self) -> None:
        item = self.current_disagreement()
        if item is None:
            self.message("No disagreement selected.")
            return
        self.text_view.select_range(item.start, item.end)
        self.text_view.setFocus(Qt.ShortcutFocusReason)
        keys = ", ".join(
            f"{label.hotkey} {isolate(label.name)}" for label in self.project.labels() if label.hotkey
        )
        self.message(f"Adjust the selection (Shift+arrows or the mouse), then press a label key: {keys}.")

    def edit_with_label(self, key: str) -> None:
        label = self.project.labels().by_hotkey(key)
        if label is None:
            self.message(f"No label has the key {key}.")
            return
        selection = self.text_view.selection_code_points()
        if selection is None:
            self.message("Select the text for the gold span first (E selects the disagreement).")
            return
        start, end = selection
        if self.decide(adj.Decision.EDIT, [(start, end, label.name)]):
            self.disagreement_view.setFocus(Qt.OtherFocusReason)

    def accept_all_agreed(self) -> None:
        if self.doc_id is None:
            return
        doc_id, a, b, project = self.doc_id, self.a, self.b, self.project

        def again():
            return adj.accept_all_agreed(project, doc_id, a, b)

        try:
            change = again()
        except AnnotatorError as exc:
            self.show_error("Could not accept the agreed spans", str(exc))
            return
        if not change.added:
            self.message("Gold already has every span both annotators agree on here.")
            return
        self.undo_stack.push(_GoldCommand(self, change, f"accept {len(change.added)} agreed span(s)", again))
        self.after_change(change)
        self.message(f"Copied {len(change.added)} agreed span(s) into {GOLD_LAYER}. Saved.")

    def after_change(self, change, advance: bool = False) -> None:
        """Show the state after a decision, an undo or a redo (switching to its document)."""
        doc_id = change.document_id
        key = (
            (change.disagreement.a, change.disagreement.b) if isinstance(change, adj.ResolveChange) else None
        )
        if doc_id != self.doc_id:
            self.select_document(doc_id)
        self._update_progress(doc_id)
        if key is None:
            key = (item.a, item.b) if (item := self.current_disagreement()) else None
        self._refresh_document(select=key)
        if advance:
            self._advance_to_undecided()
        self.gold_changed.emit(doc_id)

    def _advance_to_undecided(self) -> None:
        row = self.current_row()
        count = self.disagreement_model.rowCount()
        if row is None or not count:
            return
        for offset in range(1, count + 1):
            candidate = (row + offset) % count
            if self.disagreement_model.decision(candidate) is None:
                self.select_disagreement(candidate)
                return

    def closeEvent(self, event) -> None:
        self.undo_stack.clear()
        super().closeEvent(event)
