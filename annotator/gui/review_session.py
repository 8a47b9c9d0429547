"""Two annotators' layers under review, and the reviewer's undoable decisions: no widgets.

:class:`ReviewSession` is to the review window what :class:`~annotator.gui.session.LayerSession`
is to the main window: it holds the shared documents, the agreement figures, the adjudication
progress, the open document's disagreements and decisions, and the undo stack. Every decision
is one core operation of :mod:`annotator.core.adjudication` (committed at once), written
through the window's "Waiting to save" path, and pushed as a
:class:`~annotator.gui.undo.StepCommand` whose undo calls :func:`adjudication.revert`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotator.core import adjudication as adj
from annotator.core.agreement import Agreement, compute_agreement
from annotator.core.errors import AnnotatorError
from annotator.core.layers import layers_from_project, shared_documents
from annotator.core.model import GOLD_LAYER
from annotator.core.pairing import Disagreement, SpanTuple
from annotator.core.store import Project
from annotator.gui import colors
from annotator.gui.saving import WaitForLock, attempt
from annotator.gui.undo import StepCommand

R = TypeVar("R")
Change = adj.ResolveChange | adj.AgreedChange
#: A disagreement's key: its A span and its B span.
Key = adj.DisagreementKey


class _Failed:
    """What a write that failed returns (a write may return None when it worked)."""


FAILED = _Failed()


class ReviewSession(QObject):
    """The reviewer's state for one pair of annotators, kept in step with the project file."""

    #: Another document is open.
    document_loaded = Signal()
    #: The open document's decisions changed (a decision, an undo, a redo, accept all): the key
    #: of the disagreement to show (None: keep the current one), and whether to move on to the
    #: next undecided one.
    decided = Signal(object, bool)
    #: Everything was read again (another program saved changes): documents, figures, progress.
    reloaded = Signal()
    #: A write went through (True) or failed (False, with the error and what was tried).
    saved = Signal(bool, object, str)

    def __init__(self, project: Project, a: str, b: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        adj.check_pair(project, a, b)
        self.project = project
        self.a = a
        self.b = b
        self.undo_stack = QUndoStack(self)
        #: See :attr:`LayerSession.wait_for_lock`.
        self.wait_for_lock: WaitForLock | None = None
        self.doc_id: str | None = None
        self.title = ""
        self.text = ""
        self.items: list[Disagreement] = []
        self.decisions: dict[Key, adj.DecisionRecord] = {}
        self._read_all()

    # -- reading ------------------------------------------------------------------------------

    def _read_all(self) -> None:
        """The shared documents, every agreement figure and the progress, as the file is now."""
        labels = {label.name: label.color for label in self.project.labels()}
        self.doc_ids: list[str] = shared_documents(self.project, self.a, self.b)
        self.agreement: Agreement = compute_agreement(
            layers_from_project(self.project, self.a, self.b, self.doc_ids), annotators=(self.a, self.b)
        )
        names = set(self.agreement.labels) | set(self.agreement.confusion.labels)
        #: Label colours, with a neutral grey for labels the project no longer has.
        self.colors = {**labels, **{name: labels.get(name, colors.UNKNOWN_LABEL) for name in names}}
        self.titles = {s.id: s.title for s in self.project.summaries() if s.id in set(self.doc_ids)}
        self.progress = adj.progress(self.project, self.doc_ids, self.a, self.b)

    def load(self, doc_id: str) -> None:
        """Open ``doc_id`` (one of :attr:`doc_ids`)."""
        document = self.project.document(doc_id)
        self.doc_id = doc_id
        self.title = document.title
        self.text = document.text
        self._read_items()
        self.document_loaded.emit()

    def _read_items(self) -> None:
        assert self.doc_id is not None
        self.items = adj.document_disagreements(self.project, self.doc_id, self.a, self.b)
        self.decisions = adj.decisions(self.project, self.doc_id, self.a, self.b)

    def decision(self, item: Disagreement) -> adj.DecisionRecord | None:
        return self.decisions.get((item.a, item.b))

    def layer(self, annotator: str) -> list[SpanTuple]:
        """The open document's spans of ``annotator`` (A, B or gold)."""
        return [s.key for s in self.project.spans(self.doc_id, annotator)] if self.doc_id else []

    def gold(self) -> list[SpanTuple]:
        return self.layer(GOLD_LAYER)

    def has_disagreements(self, doc_id: str) -> bool:
        return bool(self.progress.per_document.get(doc_id, (0, 0))[1])

    def reload(self) -> None:
        """Another program saved changes: read everything again, keeping the open document
        (or the first one, if it is no longer shared)."""
        self._read_all()
        if self.doc_id in self.doc_ids:
            self._read_items()
        else:
            self.doc_id = None
        self.reloaded.emit()

    def _update_progress(self, doc_id: str) -> None:
        per_document = dict(self.progress.per_document)
        per_document.update(adj.progress(self.project, [doc_id], self.a, self.b).per_document)
        self.progress = adj.Progress(
            sum(done for done, _ in per_document.values()),
            sum(total for _, total in per_document.values()),
            per_document,
        )

    # -- deciding -----------------------------------------------------------------------------

    def _write(self, operation: Callable[[], R], what: str) -> R | _Failed:
        try:
            result = attempt(operation, self.wait_for_lock)
        except AnnotatorError as exc:
            self.saved.emit(False, exc, what)
            return FAILED
        self.saved.emit(True, None, what)
        return result

    def decide(self, item: Disagreement, decision: adj.Decision, edited: Sequence[SpanTuple] = ()) -> bool:
        """Record ``decision`` on ``item`` of the open document; undoable; True if saved."""
        if self.doc_id is None:
            return False
        doc_id, a, b, project, edited = self.doc_id, self.a, self.b, self.project, list(edited)

        def again() -> Change:
            return adj.resolve(project, doc_id, a, b, item, decision, edited)

        return (
            self._perform(again, f"{decision.caption} at {item.start}–{item.end}", advance=True) is not None
        )

    def accept_all_agreed(self) -> adj.AgreedChange | None:
        """Copy every span both annotators have in the open document into gold, in one step;
        the change (``added`` empty when gold had them all), or None if it was not saved."""
        if self.doc_id is None:
            return None
        doc_id, a, b, project = self.doc_id, self.a, self.b, self.project

        def again() -> Change:
            return adj.accept_all_agreed(project, doc_id, a, b)

        change = self._perform(again, "accept the agreed spans", advance=False, push=lambda c: bool(c.added))
        return change if isinstance(change, adj.AgreedChange) else None

    def _perform(
        self,
        again: Callable[[], Change],
        text: str,
        *,
        advance: bool,
        push: Callable[[Change], bool] = lambda _change: True,
    ) -> Change | None:
        change = self._write(again, f"Could not {text}")
        if isinstance(change, _Failed):
            return None
        if not push(change):
            return change
        if isinstance(change, adj.AgreedChange):
            text = f"accept {len(change.added)} agreed span(s)"
        latest = [change]

        def forward() -> bool:
            redone = self._write(again, f"Could not redo “{text}”")
            if isinstance(redone, _Failed):
                return False
            latest[0] = redone
            self._after(redone)
            return True

        def backward() -> bool:
            if isinstance(
                self._write(lambda: adj.revert(self.project, latest[0]), f"Could not undo “{text}”"), _Failed
            ):
                return False
            self._after(latest[0])
            return True

        self.undo_stack.push(StepCommand(text, forward, backward, lambda: self.undo_stack))
        self._after(change, advance=advance)
        return change

    def _after(self, change: Change, advance: bool = False) -> None:
        """The state after a decision, an undo or a redo, on the document it changed."""
        doc_id = change.document_id
        if doc_id != self.doc_id:
            self.load(doc_id)
        self._update_progress(doc_id)
        self._read_items()
        key = (
            (change.disagreement.a, change.disagreement.b) if isinstance(change, adj.ResolveChange) else None
        )
        self.decided.emit(key, advance)

    def close(self) -> None:
        self.undo_stack.clear()
