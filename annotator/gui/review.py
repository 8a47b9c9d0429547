"""Review mode: compare two annotators' layers, walk their disagreements, adjudicate into gold.

``open_review(parent, project)`` asks for the two annotators and opens a :class:`ReviewWindow`,
a thin view over a :class:`~annotator.gui.review_session.ReviewSession`: the text with both
layers and the decision bar on the left, the disagreements and the documents and figures on the
right. Its commands are one table (:mod:`annotator.gui.actions`), like the main window's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core import adjudication as adj
from annotator.core.errors import AnnotatorError
from annotator.core.layers import shared_documents
from annotator.core.model import GOLD_LAYER
from annotator.core.pairing import Disagreement, SpanTuple
from annotator.core.report import write_report
from annotator.core.store import Project
from annotator.gui import colors, messages
from annotator.gui.actions import ActionTable, ShortcutsDialog, key_text
from annotator.gui.literal import isolate, one_line, rich
from annotator.gui.review_commands import BUTTONS, COMMANDS
from annotator.gui.review_dialogs import AnnotatorPairDialog, ReportPathDialog
from annotator.gui.review_figures import FiguresPanel, heading, table
from annotator.gui.review_models import DisagreementModel, DocumentFiguresModel, describe
from annotator.gui.review_session import ReviewSession
from annotator.gui.review_view import LayerMarks, ReviewTextView
from annotator.gui.saving import SaveIndicator, SaveWaiter, explain_failure
from annotator.gui.undo import bind_undo_actions
from annotator.gui.watcher import ProjectWatcher
from annotator.gui.windows import place

__all__ = ["AnnotatorPairDialog", "ReportPathDialog", "ReviewWindow", "open_review"]

#: The window's first size, on a screen that has room for it.
PREFERRED_SIZE = QSize(1360, 860)


def open_review(parent: QWidget | None, project: Project) -> ReviewWindow | None:
    """Ask for two annotators and open the review window on their shared documents."""
    names = [name for name in project.annotators() if name != GOLD_LAYER]
    if len(names) < 2:
        messages.inform(
            parent,
            "Review",
            "Review compares two annotators' layers, but this project has "
            + (f"only {isolate(names[0])}'s." if names else "no annotations yet.")
            + "\nImport or merge another annotator's work first (annotator merge OTHER.db).",
        )
        return None
    pair = AnnotatorPairDialog.ask(parent, names)
    if pair is None:
        return None
    a, b = pair
    if not shared_documents(project, a, b):
        messages.inform(
            parent, "Review", f"There are no documents annotated by both {isolate(a)} and {isolate(b)}."
        )
        return None
    zoom = getattr(getattr(parent, "text_view", None), "zoom_steps", 0)
    try:
        window = ReviewWindow(project, a, b, parent, zoom=zoom)
    except AnnotatorError as exc:
        messages.warn(parent, "Review", f"Cannot review {isolate(a)} and {isolate(b)}: {exc}")
        return None
    window.show()
    window.activateWindow()
    return window


class ReviewWindow(QMainWindow):
    """The reviewer's window for one pair of annotators."""

    #: Review windows opened without a parent, kept alive until closed.
    _orphans: list[ReviewWindow] = []

    def __init__(
        self, project: Project, a: str, b: str, parent: QWidget | None = None, zoom: int = 0
    ) -> None:
        super().__init__(parent)
        self.session = ReviewSession(project, a, b, self)
        self.saver = SaveWaiter(self)
        self.session.wait_for_lock = self.saver.wait
        self.closing = False
        self.editing = False
        self.setAttribute(Qt.WA_DeleteOnClose, True)
        self.setWindowTitle(f"Review: {isolate(one_line(a))} (A) vs {isolate(one_line(b))} (B) — Annotator")
        self.setObjectName("reviewWindow")
        self._build(a, b)
        self.text_view.set_zoom(zoom)
        self.commands = ActionTable(self, COMMANDS)
        self.commands.build_menus()
        bind_undo_actions(self.undo_action, self.redo_action, self.session.undo_stack)
        self._build_buttons()
        self._connect()
        self._fill()
        place(self, PREFERRED_SIZE)
        if self.session.doc_ids:
            self.select_document(self.session.doc_ids[0])
        self.watcher = ProjectWatcher.of(project, parent if parent is not None else self)
        self.watcher.changed_elsewhere.connect(self.pick_up_external_changes)
        self.watcher.changed_here.connect(self._changed_here)
        self.watcher.start()
        # The main window's edits to A's or B's layer, gathered up: one reload for a burst.
        self._reload_later = QTimer(self)
        self._reload_later.setSingleShot(True)
        self._reload_later.setInterval(300)
        self._reload_later.timeout.connect(lambda: self.pick_up_external_changes("the annotation window"))
        if parent is None:
            ReviewWindow._orphans.append(self)

    # -- building -----------------------------------------------------------------------------

    def _build(self, a: str, b: str) -> None:
        session = self.session
        self.pair_label = QLabel(
            f"<b>A</b> {rich(one_line(a))} &nbsp;⟷&nbsp; <b>B</b> {rich(one_line(b))} "
            f"&nbsp;→&nbsp; {GOLD_LAYER}"
        )
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.PlainText)  # a title is never markup
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.legend = QLabel(
            f"Bars <b>above</b> a line: <b>A</b> = {rich(one_line(a))} · bars <b>below</b>: "
            f"<b>B</b> = {rich(one_line(b))} · thick = disagreement, thin = agreed · shaded = {GOLD_LAYER}"
        )
        self.legend.setTextFormat(Qt.RichText)
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: palette(placeholder-text);")
        self.text_view = ReviewTextView()
        self.text_view.setMinimumWidth(320)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("currentDisagreement")
        self.kind_label.setTextFormat(Qt.RichText)
        self.kind_label.setWordWrap(True)
        self.kind_label.setMinimumHeight(self.kind_label.fontMetrics().height() * 2 + 8)
        self.decision_bar = QHBoxLayout()
        self.decision_bar.setSpacing(6)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 6, 4, 6)
        left_layout.setSpacing(4)
        for widget in (self.pair_label, self.title_label, self.legend):
            left_layout.addWidget(widget)
        left_layout.addWidget(self.text_view, 1)

        self.disagreement_model = DisagreementModel(self)
        self.disagreement_model.set_names(session.a, session.b)
        self.disagreement_view = table(self.disagreement_model, "reviewDisagreements")
        self.disagreement_view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.disagreement_view.horizontalHeader()
        header.setMinimumSectionSize(24)
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        self.disagreement_heading = heading("Disagreements")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(4, 6, 8, 4)
        top_layout.addWidget(self.disagreement_heading)
        top_layout.addWidget(self.disagreement_view, 1)

        self.documents_model = DocumentFiguresModel(self)
        self.documents_view = table(self.documents_model, "reviewDocuments")
        self.documents_view.verticalHeader().hide()
        header = self.documents_view.horizontalHeader()
        # Fixed widths: a content-sized column would be re-measured over every row on each change.
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column, sample in ((1, "0.00"), (2, "0000/0000")):
            header.setSectionResizeMode(column, QHeaderView.Fixed)
            header.resizeSection(column, self.fontMetrics().horizontalAdvance(sample) + 18)
        self.figures = FiguresPanel(session.a, session.b, len(session.doc_ids))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.documents_view, f"Documents ({len(session.doc_ids)})")
        self.tabs.addTab(self.figures.page, "Figures")
        self.tabs.addTab(self.figures.confusion_page, "Confusion matrix")

        right = QSplitter(Qt.Vertical)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("reviewSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # The current disagreement and the decision buttons span the window's width, so that
        # all of them fit a 1024-pixel screen.
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.splitter, 1)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(10, 4, 10, 6)
        bottom.setSpacing(4)
        bottom.addWidget(self.kind_label)
        bottom.addLayout(self.decision_bar)
        central_layout.addLayout(bottom)
        self.setCentralWidget(central)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("adjudicationProgress")
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel("Adjudication:")
        self.message_label = QLabel()
        self.message_label.setTextFormat(Qt.PlainText)  # messages quote errors and names
        self.status_saved = SaveIndicator()
        self.statusBar().addWidget(self.message_label, 1)
        for widget in (self.status_saved, self.progress_label, self.progress_bar):
            self.statusBar().addPermanentWidget(widget)

    def _build_buttons(self) -> None:
        self.buttons: dict[str, QToolButton] = {}
        for number, (name, object_name) in enumerate(BUTTONS):
            action = self.commands.actions[name]
            button = QToolButton()
            button.setDefaultAction(action)
            title = {"previous": "◀ Previous", "next": "Next ▶", "agreed": "All agreed"}.get(
                name, action.text().replace("&", "")
            )
            button.setText(f"{title}  [{key_text(action.shortcuts()[0])}]")
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            button.setObjectName(object_name)
            button.setMinimumHeight(button.sizeHint().height() + 6)
            button.setFocusPolicy(Qt.NoFocus)
            self.buttons[object_name] = button
            if number in (2, 7):
                self.decision_bar.addSpacing(8)
            if number == 7:
                self.decision_bar.addStretch(1)
            self.decision_bar.addWidget(button)

    def _connect(self) -> None:
        session = self.session
        session.document_loaded.connect(self._document_loaded)
        session.decided.connect(self._decided)
        session.reloaded.connect(self._reloaded)
        session.saved.connect(self._write_finished)
        self.text_view.label_key_pressed.connect(self.edit_with_label)
        self.text_view.escaped.connect(self.escape)
        self.documents_view.selectionModel().currentRowChanged.connect(self._document_row_changed)
        self.disagreement_view.selectionModel().currentRowChanged.connect(self._disagreement_row_changed)
        # A label's digit key puts the selected text into gold with that label (an edit),
        # wherever the focus is in this window.
        for label in session.project.labels():
            if label.hotkey:
                action = self.addAction(f"Gold span: {label.name}")
                action.setShortcut(label.hotkey)
                action.triggered.connect(lambda _=False, key=label.hotkey: self.edit_with_label(key))

    def _fill(self) -> None:
        session = self.session
        self.documents_model.set_documents(
            [(doc_id, session.titles.get(doc_id, doc_id)) for doc_id in session.doc_ids],
            session.agreement.per_document,
            session.progress.per_document,
        )
        self.figures.set_corpus(session.agreement, session.colors)
        self._show_progress()

    # -- documents ----------------------------------------------------------------------------

    def select_document(self, doc_id: str) -> None:
        row = self.documents_model.row_of(doc_id)
        if row is None:
            return
        index = self.documents_model.index(row, 0)
        self.documents_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        )
        if self.session.doc_id != doc_id:
            self.session.load(doc_id)

    def _document_row_changed(self, current, _previous) -> None:
        if current.isValid() and self.documents_model.doc_id(current.row()) != self.session.doc_id:
            self.session.load(self.documents_model.doc_id(current.row()))

    def step_document(self, step: int) -> None:
        doc_ids, doc_id = self.session.doc_ids, self.session.doc_id
        if doc_id is None or not doc_ids:
            return
        i = doc_ids.index(doc_id) + step
        if 0 <= i < len(doc_ids):
            self.select_document(doc_ids[i])

    def _document_loaded(self) -> None:
        session = self.session
        self.leave_edit(quietly=True)
        self.title_label.setText(one_line(session.title))
        self.text_view.set_text(session.text)
        self.figures.set_document(session.agreement.per_document.get(session.doc_id))
        row = self.documents_model.row_of(session.doc_id)
        if row is not None and self.documents_view.currentIndex().row() != row:
            self.documents_view.selectionModel().blockSignals(True)
            self.documents_view.selectionModel().setCurrentIndex(
                self.documents_model.index(row, 0),
                QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows,
            )
            self.documents_view.selectionModel().blockSignals(False)
            self.documents_view.viewport().update()
        self._show_items(None, first_undecided=True)

    def _show_items(self, key, first_undecided: bool = False) -> None:
        """Fill the disagreement list from the session; select ``key`` (else the current row,
        or the first undecided one)."""
        session = self.session
        if key is None and not first_undecided:
            item = self.current_disagreement()
            key = (item.a, item.b) if item is not None else None
        self.disagreement_model.set_disagreements(
            session.items, session.text, session.decisions, session.colors
        )
        decided = sum(1 for d in session.items if session.decision(d) is not None)
        self.disagreement_heading.setText(f"Disagreements: {decided} of {len(session.items)} decided")
        row = self.disagreement_model.row_of(key) if key is not None else None
        if row is None and (first_undecided or key is not None):
            row = next(
                (i for i, d in enumerate(session.items) if session.decision(d) is None),
                0 if session.items else None,
            )
        if row is not None and session.items:
            self.select_disagreement(row)
        else:
            self._show_current(None)

    # -- disagreements ------------------------------------------------------------------------

    def current_row(self) -> int | None:
        index = self.disagreement_view.selectionModel().currentIndex()
        return index.row() if index.isValid() else None

    def current_disagreement(self) -> Disagreement | None:
        row = self.current_row()
        return (
            self.disagreement_model.item(row)
            if row is not None and row < self.disagreement_model.rowCount()
            else None
        )

    def select_disagreement(self, row: int) -> None:
        index = self.disagreement_model.index(row, 0)
        self.disagreement_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        )
        self.disagreement_view.scrollTo(index)
        self._show_current(self.disagreement_model.item(row))

    def _disagreement_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.leave_edit(quietly=True)
            self._show_current(self.disagreement_model.item(current.row()))

    def _show_current(self, item: Disagreement | None) -> None:
        session = self.session
        items = session.items
        marks = LayerMarks(
            a=session.layer(session.a),
            b=session.layer(session.b),
            disputed_a=frozenset(d.a for d in items if d.a is not None),
            disputed_b=frozenset(d.b for d in items if d.b is not None),
            gold=session.gold(),
            current=(item.start, item.end) if item is not None else None,
        )
        self.text_view.set_marks(marks, session.colors)
        if item is None:
            self.kind_label.setText(
                f"<span style='color:{colors.GOOD}'><b>No disagreements in this document.</b></span> "
                "Accept all agreed [G] to copy the shared spans into gold."
                if not items
                else ""
            )
            return
        self.text_view.show_range(item.start, item.end)
        row = self.current_row()
        number = f"{row + 1} of {self.disagreement_model.rowCount()}" if row is not None else ""
        self.kind_label.setText(describe(item, self.session.decision(item), number, session))

    def step_disagreement(self, step: int) -> None:
        """Move within the document; past its end (or start) go on in the next (previous) one."""
        session = self.session
        if session.doc_id is None:
            return
        count = self.disagreement_model.rowCount()
        row = self.current_row()
        target = (0 if step > 0 else count - 1) if row is None else row + step
        if 0 <= target < count:
            self.select_disagreement(target)
            return
        i = session.doc_ids.index(session.doc_id)
        for j in range(i + step, len(session.doc_ids) if step > 0 else -1, step):
            if session.has_disagreements(session.doc_ids[j]):
                self.select_document(session.doc_ids[j])
                rows = self.disagreement_model.rowCount()
                if rows:
                    self.select_disagreement(0 if step > 0 else rows - 1)
                return
        self.message("That was the last disagreement." if step > 0 else "This is the first disagreement.")

    # -- deciding -----------------------------------------------------------------------------

    def message(self, text: str) -> None:
        self.message_label.setText(text)

    def decide(self, decision: adj.Decision, edited: list[SpanTuple] | None = None) -> bool:
        """Record ``decision`` for the current disagreement; undoable; moves on to the next undecided."""
        item = self.current_disagreement()
        if item is None:
            self.message("No disagreement selected.")
            return False
        if not self.session.decide(item, decision, edited or ()):
            return False
        self.message(f"Decided: {decision.caption} at {item.start}–{item.end}. Saved.")
        return True

    def start_edit(self) -> None:
        item = self.current_disagreement()
        if item is None:
            self.message("No disagreement selected.")
            return
        self.editing = True
        self.text_view.select_range(item.start, item.end)
        self.text_view.setFocus(Qt.ShortcutFocusReason)
        keys = ", ".join(
            f"{label.hotkey} {isolate(label.name)}" for label in self.session.project.labels() if label.hotkey
        )
        self.message(
            "Editing: adjust the selection (Shift+arrows or the mouse), then press a label key "
            f"({keys}); Esc leaves edit mode."
        )

    def leave_edit(self, quietly: bool = False) -> None:
        """Leave edit mode: the selection goes, nothing is decided."""
        if not self.editing:
            return
        self.editing = False
        self.text_view.clear_selection()
        self.disagreement_view.setFocus(Qt.OtherFocusReason)
        if not quietly:
            self.message("Left edit mode; nothing was decided.")

    def escape(self) -> None:
        """Esc: leave edit mode (or drop a selection) if in it, else close the window."""
        if self.editing:
            self.leave_edit()
        elif self.text_view.textCursor().hasSelection():
            self.text_view.clear_selection()
            self.message("Selection cleared.")
        else:
            self.close()

    def edit_with_label(self, key: str) -> None:
        label = self.session.project.labels().by_hotkey(key)
        if label is None:
            self.message(f"No label has the key {key}.")
            return
        selection = self.text_view.selection_range()
        if selection is None:
            self.message("Select the text for the gold span first (E selects the disagreement).")
            return
        if self.decide(adj.Decision.EDIT, [(*selection, label.name)]):
            self.editing = False
            self.disagreement_view.setFocus(Qt.OtherFocusReason)

    def accept_all_agreed(self) -> None:
        change = self.session.accept_all_agreed()
        if change is None:
            return
        if not change.added:
            self.message("Gold already has every span both annotators agree on here.")
            return
        self.message(f"Copied {len(change.added)} agreed span(s) into {GOLD_LAYER}. Saved.")

    def _decided(self, key, advance: bool) -> None:
        """After a decision, an undo or a redo (the session is on the document it changed)."""
        session = self.session
        self.documents_model.set_progress(session.doc_id, *session.progress.per_document[session.doc_id])
        self._show_progress()
        self._show_items(key)
        if advance:
            self._advance_to_undecided()
        self.watcher.announce(self)

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

    def _show_progress(self) -> None:
        progress = self.session.progress
        self.progress_bar.setMaximum(max(progress.total, 1))
        self.progress_bar.setValue(progress.resolved if progress.total else 1)
        self.progress_bar.setFormat(f"{progress.resolved} / {progress.total} decided")

    def _write_finished(self, ok: bool, error, what: str) -> None:
        if ok:
            self.status_saved.show_state(True)
            return
        self.message(f"{what}: {error}")
        if explain_failure(self, error, self.session.project.path):
            self.status_saved.show_state(False)
        else:
            messages.warn(self, what, str(error))

    def show_error(self, title: str, text: str) -> None:
        self.message(f"{title}: {text}")
        messages.warn(self, title, text)

    # -- other programs -----------------------------------------------------------------------

    def pick_up_external_changes(self, where: str = "another program") -> None:
        """Another program (or the annotation window) saved changes to the annotators' layers
        or gold: figures, lists and the open document are read again, keeping the document and
        disagreement in view."""
        item = self.current_disagreement()
        self._key_before_reload = (item.a, item.b) if item is not None else None
        self._reloaded_from = where
        self.session.reload()

    def _changed_here(self, origin: object) -> None:
        if origin is not self and not self.closing:
            self._reload_later.start()

    def _reloaded(self) -> None:
        session = self.session
        self._fill()
        if session.doc_id is not None:
            self.select_document(session.doc_id)
            self.figures.set_document(session.agreement.per_document.get(session.doc_id))
            self._show_items(getattr(self, "_key_before_reload", None), first_undecided=True)
        elif session.doc_ids:
            self.select_document(session.doc_ids[0])
        self.message(f"Updated with changes saved by {getattr(self, '_reloaded_from', 'another program')}")

    # -- the rest -----------------------------------------------------------------------------

    def zoom(self, steps: int) -> None:
        self.text_view.set_zoom(self.text_view.zoom_steps + steps if steps else 0)

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.commands.shortcut_rows(), self)
        dialog.exec()
        dialog.deleteLater()

    def save_report(self) -> Path | None:
        """Write the agreement report a team can share; says where it went or why it failed."""
        session = self.session
        suggested = f"agreement-{session.a}-{session.b}.html"
        if session.project.path is not None:
            suggested = str(session.project.path.with_name(suggested))
        path = ReportPathDialog.ask(self, suggested)
        if path is None:
            return None
        try:
            written = write_report(session.agreement, path)
        except AnnotatorError as exc:
            messages.warn(self, "Save report", str(exc))
            return None
        self.message(f"Report written to {written}")
        return written

    def closeEvent(self, event) -> None:
        self.closing = True
        self.session.close()
        if self in ReviewWindow._orphans:
            ReviewWindow._orphans.remove(self)
        super().closeEvent(event)
