"""The current annotator's layer of the open document, and the undoable operations on it.

Data flows one way: a user action calls a method here, which performs one core operation on the
:class:`~annotator.core.store.Project` (committed when it returns) and only then updates the
in-memory copy and tells the views. A write that fails changes nothing the user can see except
an error message.

Every edit is one :class:`~annotator.gui.undo.StepCommand` on the document's own undo stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, Span, Status
from annotator.core.store import NewSpan, Project
from annotator.core.text_ops import SpanIndex
from annotator.core.utf16 import OffsetMap
from annotator.gui.literal import one_line
from annotator.gui.saving import WaitForLock, attempt
from annotator.gui.undo import StepCommand

R = TypeVar("R")


class LayerSession(QObject):
    """One annotator's spans on one document, kept in step with the project file."""

    document_loaded = Signal()
    spans_added = Signal(list)  # list[Span]
    spans_removed = Signal(list)  # list[Span]
    spans_changed = Signal(list, list)  # old spans, new spans (same ids, same order)
    status_changed = Signal(str)  # document id
    saved = Signal(bool, object)  # ok, the AnnotatorError when not ok
    #: An undo or redo step went through; the ids of the spans it left in the document (the
    #: ones to select: a restored span, a relabelled one).
    step_applied = Signal(list)

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self.document: Document | None = None
        self.text = ""
        self.offsets = OffsetMap.for_qt_document("")
        self.spans: dict[int, Span] = {}
        self.index: SpanIndex[int] = SpanIndex()
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[str, QUndoStack] = {}
        #: Called with (operation, error) when another program holds the project's write lock:
        #: waits (the window shows progress and a Cancel button) and returns the operation's
        #: result, or raises. None: report the busy project at once.
        self.wait_for_lock: WaitForLock | None = None

    # -- loading ----------------------------------------------------------------------------

    @property
    def doc_id(self) -> str | None:
        return self.document.id if self.document is not None else None

    def load(self, doc_id: str) -> None:
        """Make ``doc_id`` the open document (raises DocumentError if it does not exist).

        Everything is read before anything changes: a damaged row leaves the open document open.
        """
        document = self.project.document(doc_id)
        spans = self.project.spans(doc_id, self.annotator)
        self.document = document
        self.text = document.text
        self.offsets = OffsetMap.for_qt_document(document.text)
        self._set_spans(spans)
        stack = self._stacks.get(doc_id)
        if stack is None:
            stack = QUndoStack(self.undo_group)
            self._stacks[doc_id] = stack
        self.undo_group.setActiveStack(stack)
        self.document_loaded.emit()

    def unload(self) -> None:
        """No open document (an empty project)."""
        self.document = None
        self.text = ""
        self.offsets = OffsetMap.for_qt_document("")
        self.spans = {}
        self.index = SpanIndex()
        self.undo_group.setActiveStack(None)
        self.document_loaded.emit()

    def _read_spans(self) -> None:
        self._set_spans(self.project.spans(self.doc_id, self.annotator) if self.document else [])

    def _set_spans(self, spans: list[Span]) -> None:
        self.spans = {s.id: s for s in spans}
        self.index = SpanIndex((s.id, s.start, s.end) for s in spans)

    def reload(self) -> None:
        """Re-read the layer from the project (after a failed write or an import)."""
        if self.document is not None:
            self.load(self.document.id)

    def refresh(self) -> bool:
        """Show what another program saved to the open layer meanwhile; True if anything changed.

        Only the difference is applied (as if this window had made it), so the view keeps its
        scroll position and selection and re-styles just the affected lines.
        """
        if self.document is None:
            return False
        doc_id = self.document.id
        fresh = {s.id: s for s in self.project.spans(doc_id, self.annotator)}
        gone = [s for i, s in self.spans.items() if i not in fresh]
        new = [s for i, s in fresh.items() if i not in self.spans]
        before = [s for i, s in self.spans.items() if i in fresh and fresh[i] != s]
        if gone or new:
            self._took(doc_id, added=new, removed=gone)
        if before:
            self._changed(doc_id, before, [fresh[s.id] for s in before])
        return bool(gone or new or before)

    def set_annotator(self, name: str) -> None:
        """Switch to another annotator's layer; undo history belongs to the old layer."""
        self.annotator = name
        for stack in self._stacks.values():
            stack.clear()
        self.reload()

    def forget_history(self) -> None:
        for stack in self._stacks.values():
            stack.clear()

    @property
    def undo_stack(self) -> QUndoStack | None:
        return self.undo_group.activeStack()

    def sorted_spans(self) -> list[Span]:
        return sorted(self.spans.values(), key=lambda s: (s.start, s.end, s.label, s.id))

    def spans_at(self, offset: int) -> list[Span]:
        """Spans covering code point ``offset``, innermost first."""
        return [self.spans[i] for i in self.index.at(offset)]

    # -- writing ----------------------------------------------------------------------------

    def _write(self, operation: Callable[[], R]) -> R | None:
        """Run one core write; on a user-facing error report it and return None."""
        try:
            # A busy project changed nothing: the same operation may simply be tried again.
            result = attempt(operation, self.wait_for_lock)
        except AnnotatorError as exc:
            self.saved.emit(False, exc)
            return None
        self.saved.emit(True, None)
        return result

    def _took(self, doc_id: str, added: Sequence[Span] = (), removed: Sequence[Span] = ()) -> None:
        if doc_id != self.doc_id:
            self.status_changed.emit(doc_id)
            return
        if removed:
            for span in removed:
                if span.id in self.spans:
                    del self.spans[span.id]
                    self.index.remove(span.id)
            self.spans_removed.emit(list(removed))
        if added:
            for span in added:
                self.spans[span.id] = span
                self.index.add(span.id, span.start, span.end)
            self.spans_added.emit(list(added))
        self.status_changed.emit(doc_id)

    def _changed(self, doc_id: str, old: Sequence[Span], new: Sequence[Span]) -> None:
        if doc_id != self.doc_id:
            return
        for span in new:
            self.spans[span.id] = span
            self.index.add(span.id, span.start, span.end)
        self.spans_changed.emit(list(old), list(new))

    # Operations used by the undo commands: one core operation each, view updated after it.

    def apply_restore(self, doc_id: str, spans: Sequence[Span]) -> bool:
        restored = self._write(lambda: self.project.restore_spans(spans))
        if restored is None:
            self.reload()
            return False
        self._took(doc_id, added=restored)
        self._applied(doc_id, restored)
        return True

    def apply_delete(self, doc_id: str, spans: Sequence[Span]) -> bool:
        deleted = self._write(lambda: self.project.delete_spans([s.id for s in spans]))
        if deleted is None:
            self.reload()
            return False
        self._took(doc_id, removed=deleted)
        self._applied(doc_id, [])
        return True

    def apply_swap(self, doc_id: str, remove: Sequence[Span], restore: Sequence[Span]) -> bool:
        """Delete ``remove`` and restore ``restore`` in one transaction: both or neither."""
        if not remove:
            return self.apply_restore(doc_id, restore)
        if not restore:
            return self.apply_delete(doc_id, remove)

        def write() -> tuple[list[Span], list[Span]]:
            with self.project.transaction():
                deleted = self.project.delete_spans([s.id for s in remove])
                return deleted, self.project.restore_spans(restore)

        done = self._write(write)
        if done is None:
            self.reload()
            return False
        self._took(doc_id, added=done[1], removed=done[0])
        self._applied(doc_id, done[1])
        return True

    def apply_set(self, doc_id: str, old: Sequence[Span], new: Sequence[Span]) -> bool:
        def write() -> list[Span]:
            with self.project.transaction():
                return [self.project.set_span(span) for span in new]

        written = self._write(write)
        if written is None:
            self.reload()
            return False
        self._changed(doc_id, old, written)
        self._applied(doc_id, written)
        return True

    def _applied(self, doc_id: str, present: Sequence[Span]) -> None:
        if doc_id == self.doc_id:
            self.step_applied.emit([s.id for s in present])

    # -- what the user does -----------------------------------------------------------------

    def _push(self, command: StepCommand) -> None:
        stack = self.undo_stack
        if stack is not None:
            stack.push(command)

    def write(self, operation: Callable[[], R]) -> R | None:
        """One core write of another part of the window (a rejection), reported like the
        session's own: None (and an error message) when it failed."""
        return self._write(operation)

    def create_span(
        self, start: int, end: int, label: str, note: str | None = None, *, source: str | None = None
    ) -> Span | None:
        """Create one span in the open document; None (and an error message) if refused.
        ``source``: the suggestion source it was accepted from."""
        if self.document is None:
            return None
        doc_id = self.document.id
        span = self._write(
            lambda: self.project.add_span(doc_id, self.annotator, start, end, label, note, source=source)
        )
        if span is None:
            return None
        self._took(doc_id, added=[span])
        verb = "Accept" if source else "Add"
        self._push(SpansCommand(self, doc_id, f"{verb} {label} “{_excerpt(span, self.text)}”", added=[span]))
        return span

    def create_proposed(self, proposed: Sequence[tuple[int, int, str, str]], description: str) -> list[Span]:
        """Accepted proposals (start, end, label, source) in one transaction and one undo step."""
        if self.document is None or not proposed:
            return []
        doc_id = self.document.id
        news = [
            NewSpan(doc_id, self.annotator, s, e, label, None, source) for s, e, label, source in proposed
        ]
        created = self._write(lambda: self.project.add_spans(news, skip_duplicates=True))
        if not created:
            return []
        self._took(doc_id, added=created)
        self._push(SpansCommand(self, doc_id, description, added=created))
        return created

    def create_spans(self, ranges: Sequence[tuple[int, int]], label: str, description: str) -> list[Span]:
        """Create many spans in one transaction and one undo step; existing duplicates are skipped."""
        if self.document is None or not ranges:
            return []
        doc_id = self.document.id
        news = [NewSpan(doc_id, self.annotator, s, e, label) for s, e in ranges]
        created = self._write(lambda: self.project.add_spans(news, skip_duplicates=True))
        if not created:
            return []
        self._took(doc_id, added=created)
        self._push(SpansCommand(self, doc_id, description, added=created))
        return created

    def delete_spans(self, span_ids: Sequence[int]) -> bool:
        if self.document is None:
            return False
        doc_id = self.document.id
        spans = [self.spans[i] for i in span_ids if i in self.spans]
        if not spans:
            return False
        deleted = self._write(lambda: self.project.delete_spans([s.id for s in spans]))
        if deleted is None:
            return False
        self._took(doc_id, removed=deleted)
        what = (
            f"Delete {deleted[0].label} “{_excerpt(deleted[0], self.text)}”"
            if len(deleted) == 1
            else f"Delete {len(deleted)} spans"
        )
        self._push(SpansCommand(self, doc_id, what, removed=deleted))
        return True

    def update_spans(self, olds: Sequence[Span], news: Sequence[Span], description: str) -> bool:
        if self.document is None or not olds:
            return False
        doc_id = self.document.id

        def write() -> list[Span]:
            with self.project.transaction():
                return [self.project.set_span(span) for span in news]

        written = self._write(write)
        if written is None:
            return False
        self._changed(doc_id, olds, written)
        self._push(UpdateCommand(self, doc_id, description, list(olds), written))
        return True

    def relabel(self, span_ids: Sequence[int], label: str) -> bool:
        olds = [self.spans[i] for i in span_ids if i in self.spans and self.spans[i].label != label]
        if not olds:
            return False
        news = [_with(s, label=label) for s in olds]
        what = (
            f"Relabel “{_excerpt(olds[0], self.text)}” as {label}"
            if len(olds) == 1
            else (f"Relabel {len(olds)} spans as {label}")
        )
        return self.update_spans(olds, news, what)

    def resize(self, span_id: int, start: int, end: int) -> bool:
        old = self.spans.get(span_id)
        if old is None or (old.start, old.end) == (start, end):
            return False
        if not 0 <= start < end <= len(self.text):
            return False
        new = _with(old, start=start, end=end)
        return self.update_spans([old], [new], f"Resize {old.label} to “{_excerpt(new, self.text)}”")

    def set_note(self, span_id: int, note: str | None) -> bool:
        old = self.spans.get(span_id)
        note = (note or "").strip() or None
        if old is None or old.note == note:
            return False
        what = (
            f"Note on “{_excerpt(old, self.text)}”"
            if note
            else f"Remove note on “{_excerpt(old, self.text)}”"
        )
        return self.update_spans([old], [_with(old, note=note)], what)

    def set_status(self, status: Status, doc_id: str | None = None) -> bool:
        doc_id = doc_id or self.doc_id
        if doc_id is None:
            return False
        if self._write(lambda: self.project.set_status(doc_id, self.annotator, status)) is None:
            return False
        self.status_changed.emit(doc_id)
        return True

    def status(self) -> Status:
        if self.doc_id is None:
            return Status.TODO
        return self.project.status(self.doc_id, self.annotator)


def _with(span: Span, **changes) -> Span:
    return replace(span, **changes)


def _excerpt(span: Span, text: str, limit: int = 24) -> str:
    return one_line(text[span.start : span.end], limit)


class SpansCommand(StepCommand):
    """Spans that were added or removed: undo does the opposite, redo does it again."""

    def __init__(
        self,
        session: LayerSession,
        doc_id: str,
        text: str,
        added: Sequence[Span] = (),
        removed: Sequence[Span] = (),
    ) -> None:
        added, removed = list(added), list(removed)
        stack = session._stacks.get(doc_id)
        super().__init__(
            text,
            lambda: session.apply_swap(doc_id, remove=removed, restore=added),
            lambda: session.apply_swap(doc_id, remove=added, restore=removed),
            lambda: stack,
        )
        self.doc_id = doc_id
        self.added = added
        self.removed = removed


class UpdateCommand(StepCommand):
    """Spans whose label, boundaries or note changed."""

    def __init__(
        self, session: LayerSession, doc_id: str, text: str, old: list[Span], new: list[Span]
    ) -> None:
        stack = session._stacks.get(doc_id)
        super().__init__(
            text,
            lambda: session.apply_set(doc_id, old, new),
            lambda: session.apply_set(doc_id, new, old),
            lambda: stack,
        )
        self.doc_id = doc_id
        self.old = old
        self.new = new
