"""The annotation window: documents on the left, the article in the middle, spans on the right.

A view over a :class:`~annotator.gui.session.LayerSession` (the open layer, its undo stack and
its writes). Its parts live beside it: the commands in :mod:`annotator.gui.main_commands`,
span editing in :mod:`annotator.gui.span_editing`, the panes in
:mod:`annotator.gui.documents`, :mod:`annotator.gui.span_list` and :mod:`annotator.gui.find`.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator import APP_NAME, __version__
from annotator.core.errors import AnnotatorError
from annotator.core.model import Status
from annotator.core.store import Project
from annotator.gui import messages
from annotator.gui.actions import ActionTable, Keys, ShortcutsDialog
from annotator.gui.documents import DocumentPane
from annotator.gui.editor import ArticleView
from annotator.gui.find import FindBar, FindController
from annotator.gui.literal import isolate, mnemonic_safe, one_line
from annotator.gui.main_commands import COMMANDS
from annotator.gui.saving import BUSY_SLICE_MS, SaveIndicator, SaveWaiter, explain_failure
from annotator.gui.session import LayerSession
from annotator.gui.settings import Settings
from annotator.gui.span_editing import HINT_MS, SpanEditing
from annotator.gui.span_list import SpanPane
from annotator.gui.suggest_panel import SuggestionsPanel
from annotator.gui.suggestions import SuggestionController
from annotator.gui.undo import bind_undo_actions
from annotator.gui.watcher import ProjectWatcher
from annotator.gui.widgets import AnnotatorDialog, LabelBar
from annotator.gui.windows import place

PROJECT_FILTER = "Annotator projects (*.db *.annotator.db *.sqlite);;All files (*)"
#: The window's first size, on a screen that has room for it.
PREFERRED_SIZE = QSize(1280, 800)


class ProjectFileDialog:
    """File choosers for projects, behind classmethods that tests replace."""

    @classmethod
    def ask_open(cls, parent) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open project", "", PROJECT_FILTER)
        return Path(path) if path else None

    @classmethod
    def ask_new(cls, parent) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, "New project", "untitled.annotator.db", PROJECT_FILTER)
        return Path(path) if path else None


class MainWindow(SpanEditing, QMainWindow):
    """Annotate the current annotator's layer of one document at a time."""

    #: Another project is shown (review windows of the old one have been closed).
    project_changed = Signal()

    def __init__(self, project: Project, settings: Settings, annotator: str) -> None:
        super().__init__()
        self.project = project
        self.settings = settings
        self.session = LayerSession(project, annotator, self)
        self.saver = SaveWaiter(self)
        self.session.wait_for_lock = self.saver.wait
        project.set_busy_timeout(BUSY_SLICE_MS)
        self.setObjectName("MainWindow")

        self.documents = DocumentPane()
        self.doc_model, self.doc_filter = self.documents.model, self.documents.filter
        self.doc_view, self.status_filter = self.documents.view, self.documents.status_filter
        self.progress_label = self.documents.progress_label

        self.text_view = ArticleView(self.session, project.labels())
        self.text_view.setObjectName("articleText")
        self.text_view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.label_bar = LabelBar()
        self.label_bar.setObjectName("labelBar")
        self.find_bar = FindBar()
        self.find_bar.hide()
        self.finder = FindController(self.find_bar, self.text_view, self.session, self)
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(0)
        center_layout.addWidget(self.label_bar)
        center_layout.addWidget(self.text_view, 1)
        center_layout.addWidget(self.find_bar)

        self.span_pane = SpanPane(self.session)
        self.span_model, self.span_view = self.span_pane.model, self.span_pane.view

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        for pane, stretch in ((self.documents, 0), (center, 1), (self.span_pane, 0)):
            self.splitter.addWidget(pane)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.splitter.splitterMoved.connect(self._splitter_moved)

        self.status_annotator = QLabel()
        self.status_document = QLabel()
        self.status_counts = QLabel()
        self.status_saved = SaveIndicator()
        for widget in (self.status_annotator, self.status_document, self.status_counts):
            widget.setTextFormat(Qt.PlainText)  # they quote titles and names, never markup
            widget.setContentsMargins(8, 0, 8, 0)
        for widget in (self.status_annotator, self.status_document, self.status_counts, self.status_saved):
            self.statusBar().addPermanentWidget(widget)

        self.suggestions = SuggestionController(self.session, settings, self)
        self.text_view.suggestions = self.suggestions
        self.suggestions_panel = SuggestionsPanel(self.suggestions)
        self.suggestions_dock = QDockWidget("Suggestions", self)
        self.suggestions_dock.setObjectName("suggestionsDock")
        self.suggestions_dock.setWidget(self.suggestions_panel)
        self.suggestions_dock.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable)
        self.addDockWidget(Qt.RightDockWidgetArea, self.suggestions_dock)
        self.suggestions_dock.hide()
        self.suggestions_dock.setMinimumWidth(300)
        self.resizeDocks([self.suggestions_dock], [340], Qt.Horizontal)

        self.commands = ActionTable(self, COMMANDS)
        self.commands.bind_widgets(self)
        self.commands.build_menus()
        self.recent_menu = self.commands.menus["recent"]
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.label_menu = self.commands.menus["label"]
        self.label_actions: list[QAction] = []
        bind_undo_actions(self.undo_action, self.redo_action, self.session.undo_group)
        self._connect()

        self._shown_labels = project.labels()
        self.label_bar.set_labels(self._shown_labels)
        self._rebuild_label_actions()
        self.text_view.set_zoom(settings.zoom)
        self.snap_action.setChecked(settings.snapping)
        self.suggestions_panel_action.setChecked(settings.text_value("view/suggestions_panel", "0") == "1")
        self.label_names_action.setChecked(settings.label_names)
        self._restore_window_state()
        self.documents.set_filter(settings.status_filter)
        self.reload_documents()
        self._update_title()
        self.text_view.setFocus()  # keyboard selection works right away

        self.watcher = ProjectWatcher(project, self)
        self._subscribe(self.watcher)
        self.watcher.start()

    def _connect(self) -> None:
        view, session = self.text_view, self.session
        view.span_clicked.connect(self._span_clicked)
        view.span_resize_requested.connect(self._span_dragged)
        view.customContextMenuRequested.connect(self._text_context_menu)
        self.label_bar.label_chosen.connect(self.apply_label)
        self.find_bar.label_all_requested.connect(self.label_all_menu)
        self.documents.document_chosen.connect(self.open_document)
        self.documents.filter_changed.connect(self._filter_changed)
        self.span_pane.span_picked.connect(self._span_picked)
        session.saved.connect(self._write_finished)
        session.status_changed.connect(self._document_status_changed)
        for signal in (session.spans_added, session.spans_removed, session.spans_changed):
            signal.connect(self._keep_selection)
        session.step_applied.connect(self._step_applied)
        suggestions = self.suggestions
        view.proposal_step_requested.connect(self.step_proposal)
        view.selectionChanged.connect(self._text_selection_changed)
        suggestions.proposals_changed.connect(self._proposals_changed)
        suggestions.message.connect(lambda text: self.statusBar().showMessage(text, HINT_MS))
        suggestions.training_changed.connect(self._training_changed)
        self.suggestions_panel.proposal_picked.connect(self.go_to_proposal)
        self.suggestions_panel.proposal_activated.connect(self._proposal_activated)
        self.suggestions_dock.visibilityChanged.connect(self._dock_visibility)
        self._proposals_changed()
        self._training_changed(*suggestions.training_state)

    @property
    def busy_wait_s(self) -> float:
        """How long a write waits for another program's write, in all (the dialog can cancel)."""
        return self.saver.wait_s

    @busy_wait_s.setter
    def busy_wait_s(self, seconds: float) -> None:
        self.saver.wait_s = seconds

    # -- label keys and help ------------------------------------------------------------------

    def _rebuild_label_actions(self) -> None:
        for action in self.label_actions:
            self.removeAction(action)
            action.deleteLater()
        self.label_actions = []
        self.label_menu.clear()
        for label in self.project.labels():
            action = QAction(mnemonic_safe(one_line(label.name)), self)
            if label.hotkey:
                action.setShortcut(QKeySequence(label.hotkey))
            action.setToolTip(f"Label the selection or the selected span as {label.name}")
            action.triggered.connect(lambda _=False, name=label.name: self.apply_label(name))
            self.addAction(action)
            self.label_menu.addAction(action)
            self.label_actions.append(action)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, command) for Help → Keyboard shortcuts, from the action table."""
        keys = [
            Keys(label.hotkey, f"Label the selection as “{label.name}”, or relabel the selected span")
            for label in self.project.labels()
            if label.hotkey
        ]
        return self.commands.shortcut_rows(keys)

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.shortcut_rows(), self)
        dialog.exec()
        dialog.deleteLater()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Label spans of text for machine-learning corpora.</p>"
            f"<p>Project: {html.escape(str(self.project.path or 'in memory'))}<br>"
            f"Annotator: {html.escape(self.session.annotator)}</p>"
            "<p>MIT licence.</p>",
        )

    # -- documents ----------------------------------------------------------------------------

    def reload_documents(self) -> None:
        """Re-read the document list (after an import or a project switch)."""
        current = self.session.doc_id
        self.documents.set_summaries(self.project.summaries(), self.session.annotator)
        if current is not None and self.project.has_document(current):
            self.documents.select(current)
        self._update_status()

    def open_initial_document(self) -> None:
        """The last document open in this project, at the same place; else the first."""
        doc_id = self.settings.last_document(self.project.path)
        if doc_id is None or not self.project.has_document(doc_id):
            ids = self.project.document_ids()
            doc_id = ids[0] if ids else None
        if doc_id is not None:
            self.open_document(doc_id, restore=True)
        else:
            self._update_status()

    def open_document(self, doc_id: str, *, restore: bool = True) -> None:
        if doc_id == self.session.doc_id:
            return
        self.remember_position()
        try:
            self.session.load(doc_id)
        except AnnotatorError as exc:
            messages.error(self, "Cannot open the document", str(exc))
            return
        self.finder.document_changed()
        self.settings.set_last_document(self.project.path, doc_id)
        self.documents.select(doc_id)
        if restore:
            cursor, scroll = self.settings.position(self.project.path, doc_id)
            self.text_view.restore_position(cursor, scroll)
            # The scroll range is known only once the new text is laid out.
            QTimer.singleShot(0, lambda: self._restore_scroll(doc_id, scroll))
        self._update_status()
        self._update_title()

    def _restore_scroll(self, doc_id: str, scroll: int) -> None:
        if self.session.doc_id == doc_id:
            self.text_view.verticalScrollBar().setValue(scroll)

    def remember_position(self) -> None:
        if self.session.doc_id is None:
            return
        self.settings.set_position(
            self.project.path,
            self.session.doc_id,
            self.text_view.textCursor().position(),
            self.text_view.verticalScrollBar().value(),
        )

    def _filter_changed(self, key: str) -> None:
        self.settings.status_filter = key
        if self.session.doc_id:
            self.documents.select(self.session.doc_id)

    def _document_status_changed(self, doc_id: str) -> None:
        if doc_id == self.session.doc_id:
            self.documents.update_document(doc_id, self.session.status(), len(self.session.spans))
        else:
            self.reload_documents()
        self._update_status()

    def toggle_done(self) -> None:
        if self.session.doc_id is None:
            return
        new = Status.IN_PROGRESS if self.session.status() is Status.DONE else Status.DONE
        if self.session.set_status(new):
            title = isolate(one_line(self.session.document.title))
            self.statusBar().showMessage(f"Marked “{title}” {new.display_name.lower()}", HINT_MS)

    def done_and_next(self) -> None:
        if self.session.doc_id is None:
            return
        if self.session.status() is not Status.DONE and not self.session.set_status(Status.DONE):
            return
        self.next_unfinished()

    def next_unfinished(self) -> None:
        doc_id = self.project.next_unfinished(self.session.annotator, after=self.session.doc_id)
        if doc_id is None:
            self.statusBar().showMessage("Every document is done. 🎉", 6000)
            return
        self.open_document(doc_id)

    def step_document(self, delta: int) -> None:
        """The next (previous) document among those the document list shows."""
        doc_id = self.documents.neighbour(self.session.doc_id, delta)
        if doc_id is None:
            self.statusBar().showMessage("The document list shows no documents (see its filter)", HINT_MS)
            return
        self.open_document(doc_id)

    # -- small commands -----------------------------------------------------------------------

    def open_find(self) -> None:
        self.finder.open()

    def find_step(self, delta: int) -> None:
        self.finder.step(delta)

    def zoom(self, steps: int) -> None:
        self.text_view.set_zoom(self.text_view.zoom_steps + steps if steps else 0)

    def _snap_toggled(self, on: bool) -> None:
        self.settings.snapping = on

    def _label_names_toggled(self, on: bool) -> None:
        self.settings.label_names = on
        self.text_view.show_label_names(on)

    def focus_next_pane(self) -> None:
        panes = [self.doc_view, self.text_view, self.span_view]
        current = next((i for i, p in enumerate(panes) if p.hasFocus()), -1)
        panes[(current + 1) % len(panes)].setFocus()

    # -- suggestions --------------------------------------------------------------------------

    def _suggestions_panel_toggled(self, on: bool) -> None:
        self.settings.set_text_value("view/suggestions_panel", "1" if on else "0")
        self.suggestions_dock.setVisible(on)

    def _dock_visibility(self, visible: bool) -> None:
        # Closed with its own button (not because the window is being hidden): the menu follows.
        if not visible and self.isVisible() and not self.suggestions_dock.isVisible():
            if self.suggestions_dock.isHidden() and self.suggestions_panel_action.isChecked():
                self.suggestions_panel_action.setChecked(False)

    def _proposals_changed(self) -> None:
        """Redraw the proposals; the keys that act on the current one work only when there is one."""
        controller = self.suggestions
        current = controller.current
        for action in (
            self.accept_proposal_action,
            self.reject_proposal_action,
            self.accept_all_proposals_action,
        ):
            action.setEnabled(current is not None)
        for action in (self.next_proposal_action, self.previous_proposal_action):
            action.setEnabled(bool(controller.proposals))
        self.train_model_action.setEnabled(not controller.training)
        self.text_view.viewport().update()
        if current is None and self.statusBar().currentMessage().startswith("Proposal "):
            self.statusBar().clearMessage()
        if current is not None:
            position = controller.proposals.index(current) + 1 if current in controller.proposals else 0
            covered = one_line(current.text_in(self.session.text), 40)
            self.statusBar().showMessage(
                f"Proposal {position} of {len(controller.proposals)}: {current.label} “{isolate(covered)}” "
                f"from {current.source} — Enter accept · label key: other label · Backspace/X reject · "
                "Shift+Enter accept all from this source"
            )

    def _training_changed(self, state: str, *_rest) -> None:
        running = state == "running"
        self.train_model_action.setEnabled(not running)
        self.cancel_training_action.setEnabled(running)

    def step_proposal(self, delta: int) -> None:
        """Tab / Shift+Tab: the next (previous) proposal becomes current, shown on screen."""
        proposal = self.suggestions.step(delta, self.text_view.cursor_offset())
        if proposal is None:
            self.statusBar().showMessage("No proposals in this document", HINT_MS)
            return
        self.go_to_proposal(proposal)

    def go_to_proposal(self, proposal) -> None:
        if self.selected_span is not None:
            self.select_span(None, move_cursor=False)
        self.suggestions.set_current(proposal)
        self.text_view.show_range(proposal.start, proposal.end)
        self.text_view.setFocus()
        self._proposals_changed()

    def _proposal_activated(self, proposal) -> None:
        self.go_to_proposal(proposal)
        self.suggestions.accept(proposal)

    def _text_selection_changed(self) -> None:
        # Selecting text means labelling by hand: the label keys label the selection.
        if self.text_view.textCursor().hasSelection() and self.suggestions.current is not None:
            self.suggestions.set_current(None)
            self._proposals_changed()

    def accept_current_proposal(self, label: str | None = None) -> None:
        current = self.suggestions.current
        if current is None:
            self.statusBar().showMessage("No current proposal: Tab goes to the next one", HINT_MS)
            return
        self.suggestions.accept(current, label)
        self._after_decision()

    def reject_current_proposal(self) -> None:
        current = self.suggestions.current
        if current is None:
            self.statusBar().showMessage("No current proposal: Tab goes to the next one", HINT_MS)
            return
        self.suggestions.reject(current)
        self._after_decision()

    def accept_all_current_source(self) -> None:
        current = self.suggestions.current
        if current is None:
            self.statusBar().showMessage("No current proposal: Tab goes to the next one", HINT_MS)
            return
        self.suggestions.accept_all(current.source)
        self._after_decision()

    def _after_decision(self) -> None:
        """Go on with the next proposal, shown on screen (or nothing current: the last is gone)."""
        current = self.suggestions.current
        if current is not None:
            self.text_view.show_range(current.start, current.end)
        self._proposals_changed()

    def train_model(self) -> None:
        self.suggestions_panel_action.setChecked(True)
        self.suggestions.train()

    def cancel_training(self) -> None:
        self.suggestions.cancel_training()

    # -- other programs and the review window -------------------------------------------------

    def _subscribe(self, watcher: ProjectWatcher) -> None:
        watcher.changed_elsewhere.connect(self.pick_up_external_changes)
        watcher.changed_here.connect(lambda origin: origin is self or self.pick_up_own_changes())

    def pick_up_external_changes(self) -> bool:
        """Show what another program saved meanwhile (documents, labels, the open layer)."""
        if self.project.labels() != self._shown_labels:
            self._labels_changed(spans_changed=False)
        self.reload_documents()
        if self.session.document is not None and not self.project.has_document(self.session.document.id):
            self.session.unload()
            self.open_initial_document()
        elif self.session.document is None:
            self.open_initial_document()
        else:
            self.session.refresh()
        self.suggestions.rebuild(memory_only=True)  # the memory learns what was saved elsewhere
        self._update_status()
        self.statusBar().showMessage("Updated with changes saved by another program", 6000)
        return True

    def pick_up_own_changes(self) -> None:
        """The review window (same connection) changed gold: show it if this is the gold layer."""
        self.reload_documents()
        self.session.refresh()
        if self.suggestions.option("memory_gold") == "1":
            self.suggestions.rebuild(memory_only=True)  # the memory learns from gold too
        self._update_status()

    # -- saving state -------------------------------------------------------------------------

    def _write_finished(self, ok: bool, error) -> None:
        if ok:
            self.status_saved.show_state(True)
            self.watcher.announce(self)
        elif explain_failure(self, error, self.project.path):
            self.status_saved.show_state(False)
        else:
            self.statusBar().showMessage(str(error), 6000)

    def _update_status(self) -> None:
        self.status_annotator.setText(f"Annotator: {self.session.annotator}")
        document = self.session.document
        if document is None:
            self.status_document.setText("No document")
            self.status_counts.setText("")
            self.span_pane.show_count(None)
            return
        row = self.doc_model.row_of(document.id)
        done, total = self.doc_model.progress()
        self.status_document.setText(f"{isolate(one_line(document.title, 60))} ({(row or 0) + 1} of {total})")
        n = len(self.session.spans)
        self.status_counts.setText(
            f"{n} span{'s' if n != 1 else ''} · {self.session.status().display_name} · {done}/{total} done"
        )
        self.span_pane.show_count(n)

    def _update_title(self) -> None:
        project = isolate(one_line(self.project.path.name)) if self.project.path else "in memory"
        document = isolate(one_line(self.session.document.title, 80)) if self.session.document else ""
        self.setWindowTitle(f"{document} — {project} — {APP_NAME}" if document else f"{project} — {APP_NAME}")

    # -- project, annotator, labels -----------------------------------------------------------

    def review_windows(self) -> list[QMainWindow]:
        from annotator.gui.review import ReviewWindow

        return [w for w in self.findChildren(ReviewWindow) if not w.closing]

    def set_project(self, project: Project) -> None:
        """Show another project in this window (the caller closes the old one).

        Its labels and document list are read first: a project whose rows cannot be read (a
        damaged row) raises before anything in the window changed. Review windows of the old
        project close then: they would write to a closed file.
        """
        project.summaries()
        project.labels()
        reviews = self.review_windows()
        for window in reviews:
            window.close()
        self.remember_position()
        self.watcher.forget()
        self.watcher.deleteLater()
        self.project = project
        project.set_busy_timeout(BUSY_SLICE_MS)
        self.session.project = project
        self.session.forget_history()
        self.session.unload()
        if project.path:
            self.settings.add_recent_project(project.path)
            self.settings.last_project = project.path
        self._labels_changed()
        self.reload_documents()
        self.open_initial_document()
        self.suggestions.rebuild()
        self._update_title()
        self.watcher = ProjectWatcher(project, self)
        self._subscribe(self.watcher)
        self.watcher.start()
        if reviews:
            self.statusBar().showMessage("Closed the review window: it was reviewing the other project", 8000)
        self.project_changed.emit()

    def _switch_to(self, path: Path) -> None:
        from annotator.core.importing import open_project

        old = self.project
        try:
            project = open_project(path)
        except AnnotatorError as exc:
            messages.error(self, "Cannot open the project", str(exc))
            return
        try:
            self.set_project(project)
        except AnnotatorError as exc:
            project.close()
            messages.error(self, "Cannot open the project", str(exc))
            return
        old.close()

    def open_project_dialog(self) -> None:
        path = ProjectFileDialog.ask_open(self)
        if path is not None:
            self._switch_to(path)

    def new_project_dialog(self) -> None:
        path = ProjectFileDialog.ask_new(self)
        if path is None:
            return
        if path.exists():
            messages.error(
                self, "Cannot create the project", f"{path} already exists; use File → Open project."
            )
            return
        self._switch_to(path)

    def _open_recent(self, path: Path) -> None:
        """A recent project, only if it still exists (never a new, empty one in its place)."""
        if not path.is_file():
            messages.error(self, "Cannot open the project", f"{path}: no longer exists (moved or deleted?)")
            return
        self._switch_to(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        current = self.project.path.resolve() if self.project.path else None
        recent = [p for p in self.settings.recent_projects if p != current]
        for path in recent:
            action = self.recent_menu.addAction(mnemonic_safe(str(path)))
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        if not recent:
            self.recent_menu.addAction("No other recent projects").setEnabled(False)

    def change_annotator(self) -> None:
        name = AnnotatorDialog.ask(self, self.session.annotator)
        if name is None or name == self.session.annotator:
            return
        self.set_annotator(name)

    def set_annotator(self, name: str) -> None:
        self.settings.annotator = name
        self.session.set_annotator(name)
        self.reload_documents()
        self._update_status()

    def edit_labels(self) -> None:
        from annotator.gui.label_editor import LabelSetEditor

        editor = LabelSetEditor(self.project, self, write=self.saver.write)
        editor.exec()
        editor.deleteLater()
        self._labels_changed(spans_changed=editor.spans_changed)
        if editor.changed:
            self.watcher.announce(self)

    def _labels_changed(self, spans_changed: bool = True) -> None:
        labels = self.project.labels()
        self._shown_labels = labels
        self.label_bar.set_labels(labels)
        self._rebuild_label_actions()
        self.span_model.set_labels(labels)
        self.text_view.set_labels(labels)
        if spans_changed and self.session.document is not None:
            self.session.forget_history()
            self.session.reload()
            self.reload_documents()
        self.suggestions.rebuild()  # the memory and the sources know the labels as they were

    # -- import, export and review (imported on first use: they are not needed to start) ------

    def import_documents(self) -> None:
        from annotator.gui.transfer import import_interactively

        if import_interactively(self, self.project, self.session.annotator, self.saver.write):
            self.reload_documents()
            self.session.reload()
            if self.session.document is None:
                self.open_initial_document()
            self.watcher.announce(self)

    def export_documents(self) -> None:
        from annotator.gui.transfer import export_interactively

        export_interactively(self, self.project, self.session.annotator, self.saver.write)

    def open_review(self) -> None:
        from annotator.gui.review import open_review

        open_review(self, self.project)
        self.reload_documents()

    # -- window state -------------------------------------------------------------------------

    def _restore_window_state(self) -> None:
        geometry = self.settings.bytes_value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            place(self, PREFERRED_SIZE)
        state = self.settings.bytes_value("state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.bytes_value("splitter")
        self._splitter_restored = splitter is not None and self.splitter.restoreState(splitter)
        self.span_pane.restore_header(self.settings.bytes_value("span_header"))

    def save_window_state(self) -> None:
        self.remember_position()
        self.settings.set_bytes_value("geometry", self.saveGeometry())
        self.settings.set_bytes_value("state", self.saveState())
        self.settings.set_bytes_value("splitter", self.splitter.saveState())
        self.settings.set_bytes_value("span_header", self.span_view.horizontalHeader().saveState())
        self.settings.zoom = self.text_view.zoom_steps
        self.settings.sync()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._splitter_restored:
            # Until the user moves a splitter (or a saved layout exists), keep the default
            # proportions whatever size the window manager gives the window.
            width = self.width()  # the splitter itself is resized only after this event
            left, right = min(300, width // 5), min(440, width // 3)
            self.splitter.blockSignals(True)
            self.splitter.setSizes([left, width - left - right, right])
            self.splitter.blockSignals(False)

    def _splitter_moved(self, *_args) -> None:
        self._splitter_restored = True

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watcher.stop()
        self.suggestions.shutdown()
        self.save_window_state()
        super().closeEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if hasattr(self, "watcher"):
            self.watcher.start()


__all__ = ["MainWindow", "ProjectFileDialog"]
