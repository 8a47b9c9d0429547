"""The annotation window: documents on the left, the article in the middle, spans on the right."""

from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator import APP_NAME, __version__
from annotator.core.errors import AnnotatorError, ProjectBusyError, ProjectError
from annotator.core.model import Status
from annotator.core.store import Project
from annotator.core.text_ops import find_all, snap_to_words
from annotator.gui.editor import TextView
from annotator.gui.literal import isolate, mnemonic_safe, one_line
from annotator.gui.models import DOC_ID_ROLE, SPAN_ID_ROLE, DocumentFilter, DocumentListModel, SpanListModel
from annotator.gui.session import LayerSession
from annotator.gui.settings import Settings
from annotator.gui.widgets import (
    AnnotatorDialog,
    FindBar,
    LabelBar,
    NoteDialog,
    ShortcutsDialog,
    shortcut_text,
)

PROJECT_FILTER = "Annotator projects (*.db *.annotator.db *.sqlite);;All files (*)"


def show_error(parent, title: str, message: str) -> None:
    """A known error, shown as one clear message (tests replace this).

    Plain text: the message quotes file names and document text, never markup to render.
    """
    box = QMessageBox(QMessageBox.Critical, title, message, QMessageBox.Ok, parent)
    box.setTextFormat(Qt.PlainText)
    box.exec()


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


class MainWindow(QMainWindow):
    """Annotate the current annotator's layer of one document at a time."""

    project_changed = Signal()
    #: Another program (a second window, the command line) saved changes to the project.
    changed_elsewhere = Signal()

    #: How often the window looks for changes saved by other programs (a cheap PRAGMA).
    WATCH_INTERVAL_MS = 1000
    #: A write waits this long for another program's write before the waiting dialog appears...
    BUSY_SLICE_MS = 300
    #: ...and at most this long in all (the dialog has a Cancel button meanwhile).
    busy_wait_s = 120.0

    def __init__(self, project: Project, settings: Settings, annotator: str) -> None:
        super().__init__()
        self.project = project
        self.settings = settings
        self.session = LayerSession(project, annotator, self)
        self._find_matches: list[tuple[int, int]] = []
        self._find_current = -1
        self._last_write_ok = True
        self.setObjectName("MainWindow")
        self.resize(1280, 800)

        # Documents.
        self.doc_model = DocumentListModel(self)
        self.doc_filter = DocumentFilter(self)
        self.doc_filter.setSourceModel(self.doc_model)
        self.doc_view = QTreeView()
        self.doc_view.setObjectName("documentList")
        self.doc_view.setModel(self.doc_filter)
        self.doc_view.setRootIsDecorated(False)
        self.doc_view.setUniformRowHeights(True)
        self.doc_view.setAlternatingRowColors(True)
        self.doc_view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.doc_view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.doc_view.header().setStretchLastSection(False)
        self.doc_view.header().setSectionResizeMode(0, QHeaderView.Stretch)
        # Fixed widths: sizing to contents re-measures every row on each change (slow at 100,000).
        for column, sample in ((1, "◐ In progress"), (2, "Spans")):
            self.doc_view.header().setSectionResizeMode(column, QHeaderView.Interactive)
            self.doc_view.header().resizeSection(
                column, self.doc_view.fontMetrics().horizontalAdvance(sample) + 14
            )
        self.doc_view.activated.connect(self._document_activated)
        self.doc_view.clicked.connect(self._document_activated)
        self.status_filter = QComboBox()
        self.status_filter.setToolTip("Show documents with this status")
        for key, text in DocumentFilter.CHOICES:
            self.status_filter.addItem(text, key)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 0, 8)
        left_layout.setSpacing(6)
        heading = QLabel("<b>Documents</b>")
        left_layout.addWidget(heading)
        left_layout.addWidget(self.status_filter)
        left_layout.addWidget(self.doc_view, 1)
        left_layout.addWidget(self.progress_label)

        # The article.
        self.text_view = TextView(self.session, project.labels())
        self.text_view.setObjectName("articleText")
        self.text_view.span_clicked.connect(self._span_clicked)
        self.text_view.span_resize_requested.connect(self._span_dragged)
        self.text_view.escaped.connect(
            lambda: self.find_bar.close_bar() if self.find_bar.isVisible() else None
        )
        self.text_view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.text_view.customContextMenuRequested.connect(self._text_context_menu)
        self.label_bar = LabelBar()
        self.label_bar.setObjectName("labelBar")
        self.label_bar.label_chosen.connect(self.apply_label)
        self.find_bar = FindBar()
        self.find_bar.hide()
        self.find_bar.search_changed.connect(self._search)
        self.find_bar.next_requested.connect(lambda: self.find_step(1))
        self.find_bar.previous_requested.connect(lambda: self.find_step(-1))
        self.find_bar.label_all_requested.connect(self.label_all_menu)
        self.find_bar.closed.connect(self._find_closed)
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(0)
        center_layout.addWidget(self.label_bar)
        center_layout.addWidget(self.text_view, 1)
        center_layout.addWidget(self.find_bar)

        # Spans.
        self.span_model = SpanListModel(self.session, self)
        self.span_view = QTableView()
        self.span_view.setObjectName("spanList")
        self.span_view.setModel(self.span_model)
        self.span_view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.span_view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.span_view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.span_view.verticalHeader().hide()
        self.span_view.verticalHeader().setDefaultSectionSize(24)
        self.span_view.setShowGrid(False)
        self.span_view.setAlternatingRowColors(True)
        self.span_view.setWordWrap(False)
        self.span_view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.span_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(SpanListModel.TEXT, QHeaderView.Stretch)
        header.setMinimumSectionSize(36)
        for column, width in (
            (SpanListModel.LABEL, 84),
            (SpanListModel.START, 52),
            (SpanListModel.END, 52),
            (SpanListModel.NOTE, 72),
        ):
            header.resizeSection(column, width)
        self.span_view.selectionModel().currentRowChanged.connect(self._span_row_changed)
        self.span_view.clicked.connect(lambda index: self._span_row_changed(index, QModelIndex()))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 8, 8, 8)
        right_layout.setSpacing(6)
        self.span_heading = QLabel("<b>Spans</b>")
        right_layout.addWidget(self.span_heading)
        right_layout.addWidget(self.span_view, 1)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(center)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([290, 610, 380])
        self.setCentralWidget(self.splitter)
        self.splitter.splitterMoved.connect(self._splitter_moved)

        # Status bar.
        self.status_annotator = QLabel()
        self.status_document = QLabel()
        self.status_counts = QLabel()
        self.status_saved = QLabel()
        for widget in (self.status_annotator, self.status_document, self.status_counts, self.status_saved):
            widget.setTextFormat(Qt.PlainText)  # they quote titles and names, never markup
            widget.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(widget)

        self._build_actions()
        self._build_menus()

        self.session.saved.connect(self._write_finished)
        self.session.status_changed.connect(self._document_status_changed)
        self.session.spans_added.connect(lambda _spans: self._update_status())
        self.session.spans_removed.connect(lambda _spans: self._update_status())
        self.session.spans_changed.connect(lambda _old, _new: self._update_status())

        self._shown_labels = project.labels()
        self.label_bar.set_labels(self._shown_labels)
        self._rebuild_label_actions()
        self.text_view.set_zoom(settings.zoom)
        self.snap_action.setChecked(settings.snapping)
        self._restore_window_state()
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(settings.status_filter)))
        self.reload_documents()
        self._update_title()
        self._set_saved_state(True)
        self.text_view.setFocus()  # keyboard selection works right away

        self._waiting_for_lock = False
        self.session.wait_for_lock = self._wait_for_lock
        project.set_busy_timeout(self.BUSY_SLICE_MS)

        self._watch = QTimer(self)
        self._watch.setObjectName("externalChangeWatch")
        self._watch.setInterval(self.WATCH_INTERVAL_MS)
        self._watch.timeout.connect(self.pick_up_external_changes)
        self._watch.start()

    # -- actions and menus ------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "", *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        # A checkable action reports every change of state, from a click or from code.
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.open_action = a(
            "&Open project…", self.open_project_dialog, QKeySequence.Open, "Open another project file"
        )
        self.new_action = a(
            "&New project…", self.new_project_dialog, "Ctrl+Shift+N", "Create a new, empty project file"
        )
        self.import_action = a(
            "&Import…", self.import_documents, "Ctrl+I", "Import documents or annotations into this project"
        )
        self.export_action = a(
            "&Export…", self.export_documents, "Ctrl+Shift+E", "Export the corpus in a training format"
        )
        self.annotator_action = a(
            "Change &annotator…", self.change_annotator, None, "Set the name your spans are saved under"
        )
        self.quit_action = a("&Quit", self.close, "Ctrl+Q", "Close the window")

        group = self.session.undo_group
        self.undo_action = group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        self.delete_action = a(
            "&Delete span", self.delete_selected_span, ["Delete", "Backspace"], "Delete the selected span"
        )
        self.note_action = a("Edit &note…", self.edit_note, "Ctrl+E", "Attach a note to the selected span")
        self.label_all_action = a(
            "Label &all occurrences…",
            self.label_all_menu,
            "Ctrl+L",
            "Label every occurrence of the selected text (or the find text) in one undoable step",
        )
        self.find_action = a("&Find…", self.open_find, QKeySequence.Find, "Find text in this document")
        self.find_next_action = a("Find &next", lambda: self.find_step(1), "F3", "Next match")
        self.find_previous_action = a(
            "Find pre&vious", lambda: self.find_step(-1), "Shift+F3", "Previous match"
        )
        self.next_span_action = a("Ne&xt span", lambda: self.step_span(1), "]", "Select the next span")
        self.previous_span_action = a(
            "Pre&vious span", lambda: self.step_span(-1), "[", "Select the previous span"
        )
        self.grow_end_action = a(
            "Extend span end",
            lambda: self.adjust_span(0, 1),
            "Alt+Right",
            "Move the selected span's end one character right",
        )
        self.shrink_end_action = a(
            "Shrink span end",
            lambda: self.adjust_span(0, -1),
            "Alt+Left",
            "Move the selected span's end one character left",
        )
        self.grow_start_action = a(
            "Extend span start",
            lambda: self.adjust_span(-1, 0),
            "Alt+Shift+Left",
            "Move the selected span's start one character left",
        )
        self.shrink_start_action = a(
            "Shrink span start",
            lambda: self.adjust_span(1, 0),
            "Alt+Shift+Right",
            "Move the selected span's start one character right",
        )
        self.labels_action = a(
            "&Labels…", self.edit_labels, None, "Add, rename, recolour, reorder and re-key labels"
        )

        self.snap_action = a(
            "&Snap selections to words",
            self._snap_toggled,
            None,
            "Widen selections to whole words and trim spaces and punctuation",
            checkable=True,
        )
        self.zoom_in_action = a(
            "Zoom &in", lambda: self.text_view.zoomIn(1), [QKeySequence.ZoomIn, "Ctrl+="], "Larger text"
        )
        self.zoom_out_action = a(
            "Zoom &out", lambda: self.text_view.zoomOut(1), QKeySequence.ZoomOut, "Smaller text"
        )
        self.zoom_reset_action = a(
            "&Reset zoom", lambda: self.text_view.set_zoom(0), "Ctrl+0", "Default text size"
        )
        self.focus_action = a(
            "Next &pane", self.focus_next_pane, "F6", "Move the keyboard focus to the next pane"
        )

        self.done_action = a(
            "Mark &done", self.toggle_done, "Ctrl+D", "Mark this document done (again: back to in progress)"
        )
        self.done_next_action = a(
            "Mark done and go to &next unfinished",
            self.done_and_next,
            "Ctrl+Shift+D",
            "Mark this document done and open the next unfinished one",
        )
        self.next_unfinished_action = a(
            "Next &unfinished document",
            self.next_unfinished,
            "Ctrl+J",
            "Open the next document you have not marked done",
        )
        self.next_doc_action = a(
            "Ne&xt document", lambda: self.step_document(1), "Ctrl+PgDown", "Open the next document"
        )
        self.previous_doc_action = a(
            "Pre&vious document", lambda: self.step_document(-1), "Ctrl+PgUp", "Open the previous document"
        )
        self.review_action = a(
            "&Review two annotators…",
            self.open_review,
            "Ctrl+R",
            "Compare two annotators' layers and adjudicate",
        )

        self.shortcuts_action = a(
            "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.HelpContents, "Every keyboard shortcut"
        )
        self.about_action = a("&About Annotator", self.show_about, None, "Version and licence")
        self.label_actions: list[QAction] = []

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.new_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.annotator_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        self.label_menu = edit.addMenu("&Label selection as")
        edit.addAction(self.label_all_action)
        edit.addAction(self.delete_action)
        edit.addAction(self.note_action)
        boundaries = edit.addMenu("Span &boundaries")
        for action in (
            self.grow_start_action,
            self.shrink_start_action,
            self.shrink_end_action,
            self.grow_end_action,
        ):
            boundaries.addAction(action)
        edit.addAction(self.next_span_action)
        edit.addAction(self.previous_span_action)
        edit.addSeparator()
        edit.addAction(self.find_action)
        edit.addAction(self.find_next_action)
        edit.addAction(self.find_previous_action)
        edit.addSeparator()
        edit.addAction(self.labels_action)

        view = bar.addMenu("&View")
        view.addAction(self.snap_action)
        view.addSeparator()
        view.addAction(self.zoom_in_action)
        view.addAction(self.zoom_out_action)
        view.addAction(self.zoom_reset_action)
        view.addSeparator()
        view.addAction(self.focus_action)

        document = bar.addMenu("&Document")
        document.addAction(self.done_action)
        document.addAction(self.done_next_action)
        document.addAction(self.next_unfinished_action)
        document.addSeparator()
        document.addAction(self.next_doc_action)
        document.addAction(self.previous_doc_action)
        document.addSeparator()
        document.addAction(self.review_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _rebuild_label_actions(self) -> None:
        for action in self.label_actions:
            self.removeAction(action)
            action.deleteLater()
        self.label_actions = []
        self.label_menu.clear()
        for label in self.project.labels():
            action = QAction(mnemonic_safe(label.name), self)
            if label.hotkey:
                action.setShortcut(QKeySequence(label.hotkey))
            action.setToolTip(f"Label the selection or the selected span as {label.name}")
            action.triggered.connect(lambda _=False, name=label.name: self.apply_label(name))
            self.addAction(action)
            self.label_menu.addAction(action)
            self.label_actions.append(action)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for Help → Keyboard shortcuts and docs/gui.md."""
        rows = [("Shift+arrows, Ctrl+Shift+arrows, mouse drag", "Select text (keyboard or mouse)")]
        for label in self.project.labels():
            if label.hotkey:
                rows.append(
                    (label.hotkey, f"Label the selection as “{label.name}”, or relabel the selected span")
                )
        rows.append(("Click on a span", "Select it (click again to cycle through nested spans)"))
        rows.append(("Esc", "Clear the selection / close the find bar"))
        actions = [
            self.undo_action,
            self.redo_action,
            self.delete_action,
            self.note_action,
            self.label_all_action,
            self.grow_start_action,
            self.shrink_start_action,
            self.shrink_end_action,
            self.grow_end_action,
            self.next_span_action,
            self.previous_span_action,
            self.find_action,
            self.find_next_action,
            self.find_previous_action,
            self.done_action,
            self.done_next_action,
            self.next_unfinished_action,
            self.next_doc_action,
            self.previous_doc_action,
            self.review_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.zoom_reset_action,
            self.focus_action,
            self.open_action,
            self.new_action,
            self.import_action,
            self.export_action,
            self.shortcuts_action,
            self.quit_action,
        ]
        for action in actions:
            keys = ", ".join(shortcut_text(s) for s in action.shortcuts())
            if keys:
                rows.append((keys, action.text().replace("&", "")))
        rows.append(("Enter / Shift+Enter (in the find field)", "Next / previous match"))
        return rows

    # -- documents ----------------------------------------------------------------------------

    def reload_documents(self) -> None:
        """Re-read the document list (after an import or a project switch)."""
        current = self.session.doc_id
        self.doc_model.set_summaries(self.project.summaries(), self.session.annotator)
        self._refresh_progress()
        if current is not None and self.project.has_document(current):
            self._select_document_row(current)

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
            show_error(self, "Cannot open the document", str(exc))
            return
        self._clear_find_matches()
        self.settings.set_last_document(self.project.path, doc_id)
        self._select_document_row(doc_id)
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

    def _select_document_row(self, doc_id: str) -> None:
        row = self.doc_model.row_of(doc_id)
        if row is None:
            return
        index = self.doc_filter.mapFromSource(self.doc_model.index(row, 0))
        if index.isValid():
            self.doc_view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
            )
            self.doc_view.scrollTo(index)

    def _document_activated(self, index: QModelIndex) -> None:
        doc_id = index.data(DOC_ID_ROLE)
        if doc_id:
            self.open_document(doc_id)

    def _filter_changed(self) -> None:
        key = self.status_filter.currentData()
        self.doc_filter.set_status(key)
        self.settings.status_filter = key
        if self.session.doc_id:
            self._select_document_row(self.session.doc_id)

    def _document_status_changed(self, doc_id: str) -> None:
        if doc_id == self.session.doc_id:
            self.doc_model.update_document(doc_id, self.session.status(), len(self.session.spans))
        else:
            self.reload_documents()
        self._refresh_progress()
        self._update_status()

    def _refresh_progress(self) -> None:
        done, total = self.doc_model.progress()
        self.progress_label.setText(
            f"{done} of {total} done" if total else "No documents yet — File → Import…"
        )

    def toggle_done(self) -> None:
        if self.session.doc_id is None:
            return
        new = Status.IN_PROGRESS if self.session.status() is Status.DONE else Status.DONE
        if self.session.set_status(new):
            self.statusBar().showMessage(
                f"Marked “{isolate(one_line(self.session.document.title))}” {new.display_name.lower()}",
                4000,
            )

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
        count = self.doc_model.rowCount()
        if not count:
            return
        row = self.doc_model.row_of(self.session.doc_id) if self.session.doc_id else None
        current = row if row is not None else -delta
        self.open_document(self.doc_model.doc_id((current + delta) % count))

    # -- annotating ---------------------------------------------------------------------------

    @property
    def selected_span(self) -> int | None:
        return self.text_view.selected_span

    def select_span(self, span_id: int | None, *, move_cursor: bool = True, sync_list: bool = True) -> None:
        self.text_view.show_span(span_id, move_cursor=move_cursor)
        if sync_list:
            row = self.span_model.row_of(span_id) if span_id is not None else None
            selection = self.span_view.selectionModel()
            selection.blockSignals(True)
            if row is None:
                selection.clearSelection()
            else:
                index = self.span_model.index(row, 0)
                selection.setCurrentIndex(
                    index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
                )
                self.span_view.scrollTo(index)
            selection.blockSignals(False)
            self.span_view.viewport().update()
        self._update_status()

    def _span_clicked(self, span_id) -> None:
        self.select_span(span_id, move_cursor=False)

    def _span_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.select_span(current.data(SPAN_ID_ROLE), sync_list=False)

    def apply_label(self, label: str) -> None:
        """The label key: label the selection, or relabel the selected span."""
        selection = self.text_view.selection_range()
        if selection is not None:
            start, end = selection
            if self.snap_action.isChecked():
                snapped = snap_to_words(self.session.text, start, end)
                if snapped is None:
                    self.statusBar().showMessage("The selection is only spaces: nothing to label", 4000)
                    return
                start, end = snapped
            span = self.session.create_span(start, end, label)
            if span is not None:
                self.text_view.clear_selection()
                self.select_span(span.id, move_cursor=False)
            return
        if self.selected_span is not None:
            self.session.relabel([self.selected_span], label)
            self.select_span(self.selected_span, move_cursor=False)
            return
        self.statusBar().showMessage("Select some text first (or click a span to relabel it)", 4000)

    def delete_selected_span(self) -> None:
        span_id = self.selected_span
        if span_id is None:
            self.statusBar().showMessage("Click a span first to delete it", 4000)
            return
        row = self.span_model.row_of(span_id)
        if self.session.delete_spans([span_id]):
            # Keep going where the user was: select the span that followed the deleted one.
            rows = self.span_model.rowCount()
            if row is None or rows == 0:
                self.select_span(None)
            else:
                self.select_span(self.span_model.span_at(min(row, rows - 1)).id, move_cursor=False)

    def adjust_span(self, start_delta: int, end_delta: int) -> None:
        span = self.session.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is None:
            self.statusBar().showMessage("Click a span first to adjust its boundaries", 4000)
            return
        start, end = span.start + start_delta, span.end + end_delta
        if start < 0 or end > len(self.session.text) or end <= start:
            return
        if self.session.resize(span.id, start, end):
            self.select_span(span.id, move_cursor=False)

    def _span_dragged(self, span_id: int, start: int, end: int) -> None:
        """A boundary dragged with the mouse: snapped to words (when on), then one resize."""
        span = self.session.spans.get(span_id)
        if span is None:
            return
        if self.snap_action.isChecked():
            snapped = snap_to_words(self.session.text, start, end)
            if snapped is None:
                return
            # Only the dragged boundary moves; the other stays exactly where it was.
            start = snapped[0] if start != span.start else start
            end = snapped[1] if end != span.end else end
        if self.session.resize(span_id, start, end):
            self.select_span(span_id, move_cursor=False)

    def step_span(self, delta: int) -> None:
        spans = self.session.sorted_spans()
        if not spans:
            return
        ids = [s.id for s in spans]
        if self.selected_span in ids:
            i = (ids.index(self.selected_span) + delta) % len(ids)
        else:
            offset = self.text_view.cursor_offset()
            after = [k for k, s in enumerate(spans) if s.start >= offset]
            i = (after[0] if after else 0) if delta > 0 else ((after[0] - 1) if after else len(ids) - 1)
        self.select_span(ids[i])

    def edit_note(self) -> None:
        span = self.session.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is None:
            self.statusBar().showMessage("Click a span first to attach a note", 4000)
            return
        covered = " ".join(self.session.text[span.start : span.end].split())
        note = NoteDialog.ask(self, covered, span.note or "")
        if note is not None:
            self.session.set_note(span.id, note)

    def label_all(self, label: str, needle: str | None = None) -> int:
        """Label every occurrence of ``needle`` (default: the selection) in one undoable step."""
        case_sensitive, whole_word = True, True
        if needle is None:
            selection = self.text_view.selection_range()
            if selection is not None:
                start, end = selection
                if self.snap_action.isChecked():
                    snapped = snap_to_words(self.session.text, start, end)
                    if snapped is not None:
                        start, end = snapped
                needle = self.session.text[start:end]
            elif self.find_bar.isVisible() and self.find_bar.edit.text():
                needle = self.find_bar.edit.text()
                case_sensitive = self.find_bar.case.isChecked()
                whole_word = self.find_bar.whole.isChecked()
        if not needle or not needle.strip():
            self.statusBar().showMessage("Select the text to label everywhere (or type it in Find)", 5000)
            return 0
        ranges = find_all(self.session.text, needle, case_sensitive=case_sensitive, whole_word=whole_word)
        existing = {(s.start, s.end, s.label) for s in self.session.spans.values()}
        ranges = [(s, e) for s, e in ranges if (s, e, label) not in existing]
        if not ranges:
            self.statusBar().showMessage(f"Every occurrence of “{needle}” is already labelled {label}", 5000)
            return 0
        shown = needle if len(needle) <= 24 else needle[:23] + "…"
        created = self.session.create_spans(ranges, label, f"Label {len(ranges)} × “{shown}” as {label}")
        if created:
            self.text_view.clear_selection()
            self.statusBar().showMessage(
                f"Labelled {len(created)} occurrence(s) of “{shown}” as {label}", 5000
            )
        return len(created)

    def label_all_menu(self) -> None:
        """Ask which label (press its key) and label all occurrences with it."""
        menu = QMenu(self)
        for label in self.project.labels():
            prefix = f"&{label.hotkey}  " if label.hotkey else ""
            action = menu.addAction(f"{prefix}{label.name}")
            action.triggered.connect(lambda _=False, name=label.name: self.label_all(name))
        rect = self.text_view.cursorRect()
        menu.exec(self.text_view.viewport().mapToGlobal(rect.bottomLeft()))

    def _text_context_menu(self, pos) -> None:
        menu = self.text_context_menu(pos)
        menu.exec(self.text_view.viewport().mapToGlobal(pos))
        self.note_action.setEnabled(True)
        self.delete_action.setEnabled(True)
        menu.deleteLater()

    def text_context_menu(self, pos) -> QMenu:
        """The article's context menu at ``pos`` (viewport coordinates)."""
        menu = QMenu(self)
        has_selection = self.text_view.textCursor().hasSelection()
        if not has_selection:
            offset = self.session.offsets.to_code_point(self.text_view.cursorForPosition(pos).position())
            spans = self.session.spans_at(offset)
            if spans and self.selected_span not in [s.id for s in spans]:
                self.select_span(spans[0].id, move_cursor=False)
        target = "selection" if has_selection else "span"
        label_menu = menu.addMenu(f"Label {target} as")
        label_menu.setEnabled(has_selection or self.selected_span is not None)
        for action in self.label_actions:
            label_menu.addAction(action)
        if has_selection:
            all_menu = menu.addMenu("Label all occurrences as")
            for label in self.project.labels():
                all_menu.addAction(label.name).triggered.connect(
                    lambda _=False, name=label.name: self.label_all(name)
                )
        menu.addSeparator()
        menu.addAction(self.note_action)
        menu.addAction(self.delete_action)
        self.note_action.setEnabled(self.selected_span is not None)
        self.delete_action.setEnabled(self.selected_span is not None)
        menu.addSeparator()
        menu.addAction("Copy", self.text_view.copy).setEnabled(has_selection)
        return menu

    def _snap_toggled(self, on: bool) -> None:
        self.settings.snapping = on

    def focus_next_pane(self) -> None:
        panes = [self.doc_view, self.text_view, self.span_view]
        current = next((i for i, p in enumerate(panes) if p.hasFocus()), -1)
        panes[(current + 1) % len(panes)].setFocus()

    # -- find ---------------------------------------------------------------------------------

    def open_find(self) -> None:
        selection = self.text_view.selection_range()
        text = None
        if selection is not None and selection[1] - selection[0] <= 200:
            text = self.session.text[selection[0] : selection[1]]
            if "\n" in text:
                text = None
        self.find_bar.open_with(text)
        self._search()

    def _search(self) -> None:
        needle = self.find_bar.edit.text()
        self._find_matches = find_all(
            self.session.text,
            needle,
            case_sensitive=self.find_bar.case.isChecked(),
            whole_word=self.find_bar.whole.isChecked(),
        )
        if not self._find_matches:
            self._find_current = -1
        else:
            cursor = self.session.offsets.to_code_point(self.text_view.textCursor().selectionStart())
            self._find_current = next((i for i, (s, _e) in enumerate(self._find_matches) if s >= cursor), 0)
        self.text_view.set_find_matches(self._find_matches, self._find_current)
        self.find_bar.set_count(self._find_current, len(self._find_matches))

    def find_step(self, delta: int) -> None:
        if not self.find_bar.isVisible():
            self.open_find()
            return
        if not self._find_matches:
            return
        self._find_current = (self._find_current + delta) % len(self._find_matches)
        self.text_view.set_find_matches(self._find_matches, self._find_current)
        self.find_bar.set_count(self._find_current, len(self._find_matches))

    def _find_closed(self) -> None:
        self._clear_find_matches()
        self.text_view.setFocus()

    def _clear_find_matches(self) -> None:
        self._find_matches = []
        self._find_current = -1
        self.text_view.set_find_matches([], -1)
        if self.find_bar.isVisible() and self.session.doc_id is not None:
            self._search()

    # -- saving state ---------------------------------------------------------------------------

    def pick_up_external_changes(self) -> bool:
        """Show what another program saved meanwhile (documents, labels, the open layer).

        Polled by a timer; True if there was anything. Skipped while this window is itself in
        the middle of a write (an import with its progress dialog).
        """
        if not self.isVisible() or self._waiting_for_lock or self.project.in_transaction:
            return False
        if not self.project.changed_elsewhere():
            return False
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
        self._update_status()
        self.statusBar().showMessage("Updated with changes saved by another program", 6000)
        self.changed_elsewhere.emit()
        return True

    def pick_up_own_changes(self) -> None:
        """The review window (same connection) changed gold: show it if this is the gold layer."""
        self.reload_documents()
        self.session.refresh()
        self._update_status()

    def _wait_for_lock(self, operation, busy: ProjectBusyError):
        """Another program is writing: retry ``operation`` behind a cancellable progress dialog.

        Each try waits up to BUSY_SLICE_MS inside SQLite; between tries the dialog repaints and
        takes the Cancel click. A busy try changed nothing, so trying again is safe.
        """
        dialog = QProgressDialog(
            "Another program is saving to this project (an import from the command line, or "
            "Annotator open on it twice).\nYour change will be saved as soon as it has finished…",
            "Cancel",
            0,
            0,
            self,
        )
        dialog.setObjectName("waitingForLockDialog")
        dialog.setWindowTitle("Waiting to save")
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        focus = QApplication.focusWidget()
        dialog.show()
        deadline = time.monotonic() + self.busy_wait_s
        self._waiting_for_lock = True
        try:
            while True:
                QApplication.processEvents(QEventLoop.AllEvents, 50)
                if dialog.wasCanceled():
                    cancelled = ProjectBusyError(str(busy))
                    cancelled.cancelled = True
                    raise cancelled
                try:
                    return operation()
                except ProjectBusyError:
                    if time.monotonic() >= deadline:
                        raise
        finally:
            self._waiting_for_lock = False
            dialog.close()
            dialog.deleteLater()
            # Back to where the user was typing, with or without a window manager to do it.
            # QWidget.activateWindow() does nothing here: QWindow.isActive() still counts the
            # hidden dialog (our transient child) as focus, and without a window manager nobody
            # moves the focus back, so the label keys (window shortcuts) would go nowhere.
            handle = self.windowHandle()
            if handle is not None:
                handle.requestActivate()
            self.activateWindow()
            # Let the activation arrive before the next key does.
            QApplication.processEvents(QEventLoop.ExcludeUserInputEvents)
            if focus is not None:
                focus.setFocus()

    def _write_finished(self, ok: bool, error) -> None:
        if ok:
            self._set_saved_state(True)
            return
        if isinstance(error, ProjectBusyError):
            self._set_saved_state(False)
            ended = "You stopped waiting" if error.cancelled else "The wait for it ran out"
            show_error(
                self,
                "The change was not saved — the project is busy",
                "Another program was saving to this project (an import from the command line, or "
                f"Annotator open on it twice). {ended}.\n\nYour last change was not saved; the "
                "window shows only what is saved, and nothing earlier is affected. Try again in a "
                f"moment.\n\nProject file: {self.project.path}",
            )
        elif isinstance(error, ProjectError):
            self._set_saved_state(False)
            show_error(
                self,
                "The change was not saved",
                f"{error}\n\nThe project file was not changed, and the window shows only what is "
                "saved in it. Check that the disk is not full and the file is writable, then try again.",
            )
        else:
            self.statusBar().showMessage(str(error), 6000)

    def _set_saved_state(self, ok: bool) -> None:
        self._last_write_ok = ok
        if ok:
            self.status_saved.setText("✓ All changes saved")
            self.status_saved.setStyleSheet("color: palette(window-text);")
            self.status_saved.setToolTip("Every change is written to the project file as you make it")
        else:
            self.status_saved.setText("⚠ Last change NOT saved")
            self.status_saved.setStyleSheet("color: #C0392B; font-weight: bold;")
            self.status_saved.setToolTip("The last write to the project file failed")

    def _update_status(self) -> None:
        self.status_annotator.setText(f"Annotator: {self.session.annotator}")
        document = self.session.document
        total = self.doc_model.rowCount()
        if document is None:
            self.status_document.setText("No document")
            self.status_counts.setText("")
            self.span_heading.setText("<b>Spans</b>")
            return
        row = self.doc_model.row_of(document.id)
        self.status_document.setText(f"{isolate(one_line(document.title, 60))} ({(row or 0) + 1} of {total})")
        done, total = self.doc_model.progress()
        n = len(self.session.spans)
        self.status_counts.setText(
            f"{n} span{'s' if n != 1 else ''} · {self.session.status().display_name} · {done}/{total} done"
        )
        self.span_heading.setText(f"<b>Spans</b> ({n})")

    def _update_title(self) -> None:
        project = isolate(one_line(self.project.path.name)) if self.project.path else "in memory"
        document = isolate(one_line(self.session.document.title, 80)) if self.session.document else ""
        self.setWindowTitle(f"{document} — {project} — {APP_NAME}" if document else f"{project} — {APP_NAME}")

    # -- project, annotator, labels --------------------------------------------------------

    def set_project(self, project: Project) -> None:
        """Show another project in this window (the caller closes the old one).

        Its labels and document list are read first: a project whose rows cannot be read (a
        damaged row) raises before anything in the window changed.
        """
        summaries = project.summaries()
        project.labels()
        self.remember_position()
        self.project = project
        project.set_busy_timeout(self.BUSY_SLICE_MS)
        self.session.project = project
        self.session.forget_history()
        self.session.unload()
        if project.path:
            self.settings.add_recent_project(project.path)
            self.settings.last_project = project.path
        self._labels_changed()
        self.doc_model.set_summaries(summaries, self.session.annotator)
        self._refresh_progress()
        self.open_initial_document()
        self._update_title()
        self.project_changed.emit()

    def _switch_to(self, path: Path) -> None:
        from annotator.core.importing import open_project

        old = self.project
        try:
            project = open_project(path)
        except AnnotatorError as exc:
            show_error(self, "Cannot open the project", str(exc))
            return
        try:
            self.set_project(project)
        except AnnotatorError as exc:
            project.close()
            show_error(self, "Cannot open the project", str(exc))
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
            show_error(self, "Cannot create the project", f"{path} already exists; use File → Open project.")
            return
        self._switch_to(path)

    def _open_recent(self, path: Path) -> None:
        """A recent project, only if it still exists (never a new, empty one in its place)."""
        if not path.is_file():
            show_error(self, "Cannot open the project", f"{path}: no longer exists (moved or deleted?)")
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

        editor = LabelSetEditor(self.project, self)
        editor.exec()
        self._labels_changed(spans_changed=editor.spans_changed)

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

    # -- import, export and review (imported on first use: they are not needed to start) ------

    def import_documents(self) -> None:
        from annotator.gui.transfer import import_interactively

        if import_interactively(self, self.project, self.session.annotator):
            self.reload_documents()
            self.session.reload()
            if self.session.document is None:
                self.open_initial_document()

    def export_documents(self) -> None:
        from annotator.gui.transfer import export_interactively

        export_interactively(self, self.project, self.session.annotator)

    def open_review(self) -> None:
        from annotator.gui.review import open_review

        open_review(self, self.project)
        self.reload_documents()

    # -- help ---------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.shortcut_rows(), self).exec()

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

    # -- window state -------------------------------------------------------------------------

    def _restore_window_state(self) -> None:
        geometry = self.settings.bytes_value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.bytes_value("state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.bytes_value("splitter")
        self._splitter_restored = splitter is not None and self.splitter.restoreState(splitter)
        spans_header = self.settings.bytes_value("span_header")
        if spans_header is not None:
            self.span_view.horizontalHeader().restoreState(spans_header)

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
            left, right = min(300, width // 5), min(400, width * 3 // 10)
            self.splitter.blockSignals(True)
            self.splitter.setSizes([left, width - left - right, right])
            self.splitter.blockSignals(False)

    def _splitter_moved(self, *_args) -> None:
        self._splitter_restored = True

    def closeEvent(self, event: QCloseEvent) -> None:
        self._watch.stop()
        self.save_window_state()
        super().closeEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if hasattr(self, "_watch"):
            self._watch.start()
