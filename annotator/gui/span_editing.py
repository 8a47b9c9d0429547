"""What the keys and the mouse do to spans in the main window: label, relabel, resize, delete,
note, label all, and which span is selected.

The selected span is the window's: the article outlines it and the span list shows it as its
current row. It changes only when the user picks another span (a click, a row, ] and [, a new
span, a delete, an undo step) — never because an edit re-sorted the span list.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from annotator.core.text_ops import LabelAllPlan, plan_label_all, selection_needle, snap_to_words
from annotator.gui.literal import isolate, mnemonic_safe, one_line
from annotator.gui.widgets import NoteDialog

#: How long a hint in the status bar stays, milliseconds.
HINT_MS = 4000


class SpanEditing:
    """Span editing for :class:`~annotator.gui.mainwindow.MainWindow` (which provides
    ``session``, ``text_view``, ``span_pane``, ``finder``, ``project`` and the actions)."""

    # -- the selected span --------------------------------------------------------------------

    @property
    def selected_span(self) -> int | None:
        return self.text_view.selected_span

    def select_span(self, span_id: int | None, *, move_cursor: bool = True, sync_list: bool = True) -> None:
        if span_id is not None and self.suggestions.current is not None:
            self.suggestions.set_current(None)  # a span picked: the keys act on it
        self.text_view.show_span(span_id, move_cursor=move_cursor)
        if sync_list:
            self.span_pane.select(span_id)
        self._update_status()

    def _span_clicked(self, span_id) -> None:
        self.select_span(span_id, move_cursor=False)

    def _span_picked(self, span_id: int) -> None:
        self.select_span(span_id, sync_list=False)

    def _keep_selection(self, *_changed) -> None:
        """The span list changed (rows added, removed, re-sorted): it shows the selected span
        again, wherever its row is now."""
        selected = self.selected_span
        if selected is not None and selected not in self.session.spans:
            selected = None
            self.text_view.show_span(None, move_cursor=False)
        if self.span_pane.current_span() != selected:
            self.span_pane.select(selected)
        self._update_status()

    def _step_applied(self, present: list[int]) -> None:
        """After an undo or redo: select what the step brought back or changed (a restored span,
        a relabelled one), shown on screen; keep the selection when it only took a span away."""
        if present:
            self.select_span(present[0])
        else:
            self._keep_selection()

    # -- labelling ----------------------------------------------------------------------------

    def apply_label(self, label: str) -> None:
        """The label key: label the selection, or relabel the selected span, or accept the
        current proposal with this label (in that order)."""
        selection = self.text_view.selection_range()
        if selection is not None:
            start, end = selection
            if self.snap_action.isChecked():
                snapped = snap_to_words(self.session.text, start, end)
                if snapped is None:
                    self.statusBar().showMessage("The selection is only spaces: nothing to label", HINT_MS)
                    return
                start, end = snapped
            span = self.session.create_span(start, end, label)
            if span is not None:
                # The caret after the span: Shift+arrows go on from there, not inside it.
                self.text_view.set_cursor_offset(span.end)
                self.select_span(span.id, move_cursor=False)
            return
        span_id = self.selected_span
        if span_id is not None:
            self.session.relabel([span_id], label)
            self.select_span(span_id if span_id in self.session.spans else None, move_cursor=False)
            return
        if self.suggestions.current is not None:
            self.accept_current_proposal(label)
            return
        self.statusBar().showMessage("Select some text first (or click a span to relabel it)", HINT_MS)

    def delete_selected_span(self) -> None:
        span_id = self.selected_span
        if span_id is None and self.suggestions.current is not None:
            self.reject_current_proposal()  # Backspace on a proposal rejects it
            return
        if span_id is None:
            self.statusBar().showMessage("Click a span first to delete it", HINT_MS)
            return
        model = self.span_pane.model
        row = model.row_of(span_id)
        if self.session.delete_spans([span_id]):
            # Keep going where the user was: select the span that followed the deleted one.
            rows = model.rowCount()
            following = model.span_at(min(row, rows - 1)).id if row is not None and rows else None
            self.select_span(following, move_cursor=False)

    def _selected(self, hint: str):
        span = self.session.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is None:
            self.statusBar().showMessage(hint, HINT_MS)
        return span

    def adjust_span(self, start_delta: int, end_delta: int) -> None:
        span = self._selected("Click a span first to adjust its boundaries")
        if span is None:
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
        span = self._selected("Click a span first to attach a note")
        if span is None:
            return
        covered = " ".join(self.session.text[span.start : span.end].split())
        note = NoteDialog.ask(self, covered, span.note or "")
        if note is not None:
            self.session.set_note(span.id, note)
            self.select_span(span.id if span.id in self.session.spans else None, move_cursor=False)

    # -- label all occurrences ----------------------------------------------------------------

    def label_all_plan(self, label: str) -> LabelAllPlan | None:
        """What labelling all occurrences with ``label`` would do: of the selected text (exact
        case, whole words), or else of the find text with the find bar's options."""
        text = self.session.text
        selection = self.text_view.selection_range()
        if selection is not None:
            needle = selection_needle(text, *selection, snap=self.snap_action.isChecked())
            case_sensitive = whole_word = True
        elif self.finder.active:
            needle, case_sensitive, whole_word = self.finder.options()
        else:
            return None
        existing = ((s.start, s.end, s.label) for s in self.session.spans.values())
        return plan_label_all(
            text, needle, label, existing, case_sensitive=case_sensitive, whole_word=whole_word
        )

    def label_all(self, label: str, needle: str | None = None) -> int:
        """Label every occurrence (see :meth:`label_all_plan`, or of ``needle``) in one
        undoable step; the number of spans made."""
        if needle is not None:
            existing = ((s.start, s.end, s.label) for s in self.session.spans.values())
            plan = plan_label_all(self.session.text, needle, label, existing)
        else:
            plan = self.label_all_plan(label)
        if plan is None or not plan.occurrences:
            self.statusBar().showMessage("Select the text to label everywhere (or type it in Find)", HINT_MS)
            return 0
        shown = one_line(plan.needle, 24)
        if not plan.new:
            self.statusBar().showMessage(
                f"Every occurrence of “{isolate(shown)}” is already labelled {label}", HINT_MS
            )
            return 0
        created = self.session.create_spans(plan.new, label, f"Label {len(plan.new)} × “{shown}” as {label}")
        if created:
            self.text_view.clear_selection()
            self.statusBar().showMessage(
                f"Labelled {len(created)} occurrence(s) of “{isolate(shown)}” as {label}", HINT_MS
            )
        return len(created)

    def label_all_menu(self) -> None:
        """Ctrl+L: say what would be labelled and how often, then take the label's key."""
        menu = self.build_label_all_menu()
        if menu is None:
            self.statusBar().showMessage("Select the text to label everywhere (or type it in Find)", HINT_MS)
            return
        rect = self.text_view.cursorRect()
        menu.exec(self.text_view.viewport().mapToGlobal(rect.bottomLeft()))
        menu.deleteLater()

    def build_label_all_menu(self, parent: QMenu | None = None) -> QMenu | None:
        """The label-all menu: a heading naming the text and its occurrences, then one entry per
        label with the number of spans it would add; None when there is nothing to label."""
        labels = list(self.project.labels())
        plans = [self.label_all_plan(label.name) for label in labels]
        if not plans or plans[0] is None or not plans[0].occurrences:
            return None
        first = plans[0]
        count = len(first.occurrences)
        menu = QMenu(parent or self)
        menu.setObjectName("labelAllMenu")
        heading = menu.addAction(
            mnemonic_safe(
                f"Label {count} occurrence{'s' if count != 1 else ''} "
                f"of “{isolate(one_line(first.needle, 40))}” as:"
            )
        )
        heading.setEnabled(False)
        menu.addSeparator()
        for label, plan in zip(labels, plans, strict=True):
            prefix = f"&{label.hotkey}  " if label.hotkey else ""
            new = len(plan.new) if plan is not None else 0
            note = "" if new == count else f"   ({new} new)" if new else "   (all labelled already)"
            action = menu.addAction(f"{prefix}{mnemonic_safe(one_line(label.name))}{note}")
            action.setEnabled(bool(new))
            action.triggered.connect(lambda _=False, name=label.name: self.label_all(name))
        return menu

    # -- the article's context menu -----------------------------------------------------------

    def _text_context_menu(self, pos: QPoint) -> None:
        menu = self.text_context_menu(pos)
        menu.exec(self.text_view.viewport().mapToGlobal(pos))
        self.note_action.setEnabled(True)
        self.delete_action.setEnabled(True)
        menu.deleteLater()

    def text_context_menu(self, pos: QPoint) -> QMenu:
        """The article's context menu at ``pos`` (viewport coordinates)."""
        menu = QMenu(self)
        has_selection = self.text_view.textCursor().hasSelection()
        if not has_selection:
            spans = self.session.spans_at(self.text_view.offset_at(pos))
            if spans and self.selected_span not in [s.id for s in spans]:
                self.select_span(spans[0].id, move_cursor=False)
        target = "selection" if has_selection else "span"
        label_menu = menu.addMenu(f"Label {target} as")
        label_menu.setEnabled(has_selection or self.selected_span is not None)
        for action in self.label_actions:
            label_menu.addAction(action)
        if has_selection:
            all_menu = self.build_label_all_menu(menu)
            if all_menu is not None:
                all_menu.setTitle("Label all occurrences as")
                menu.addMenu(all_menu)
        menu.addSeparator()
        menu.addAction(self.note_action)
        menu.addAction(self.delete_action)
        self.note_action.setEnabled(self.selected_span is not None)
        self.delete_action.setEnabled(self.selected_span is not None)
        menu.addSeparator()
        menu.addAction("Copy", self.text_view.copy).setEnabled(has_selection)
        return menu


__all__ = ["HINT_MS", "SpanEditing"]
