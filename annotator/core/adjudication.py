"""Adjudication: a reviewer turns two annotators' layers into the gold layer.

For every disagreement between annotator A and annotator B (see
:func:`annotator.core.agreement.disagreements`) the reviewer decides: accept A's span, accept
B's, keep both, keep neither, or put an edited span in gold. The decision is recorded in the
``adjudications`` table (so a disagreement decided as "neither", which leaves gold unchanged, is
still *resolved*) and applied to the :data:`~annotator.core.model.GOLD_LAYER` layer.

Deciding a disagreement again replaces the earlier decision: the candidate spans and whatever
the earlier decision put into gold are taken out of gold first. Every operation commits before
it returns and gives back a change object that :func:`revert` undoes exactly, which is what the
review window's undo stack calls.

A decision is keyed by the document, the two annotators and the two candidate spans; if an
annotator later edits a span the disagreement changes and counts as undecided again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from annotator.core.errors import AnnotatorError, SpanError
from annotator.core.model import GOLD_LAYER, Decision, DecisionRecord, Span, validate_span
from annotator.core.pairing import Disagreement, SpanTuple, agreed_spans, disagreements
from annotator.core.store import NewSpan, Project, now

__all__ = [
    "AgreedChange",
    "Decision",
    "DecisionRecord",
    "Progress",
    "ResolveChange",
    "accept_all_agreed",
    "check_pair",
    "decisions",
    "document_disagreements",
    "progress",
    "resolve",
    "revert",
]


#: The key of a disagreement: its A span and its B span (either may be missing).
DisagreementKey = tuple[SpanTuple | None, SpanTuple | None]


@dataclass(frozen=True)
class ResolveChange:
    """What :func:`resolve` did, so :func:`revert` can put everything back."""

    document_id: str
    a: str
    b: str
    disagreement: Disagreement
    decision: Decision
    added: tuple[Span, ...]
    removed: tuple[Span, ...]
    previous: DecisionRecord | None


@dataclass(frozen=True)
class AgreedChange:
    """What :func:`accept_all_agreed` added to gold (nothing else changes)."""

    document_id: str
    added: tuple[Span, ...]
    removed: tuple[Span, ...] = ()
    previous: DecisionRecord | None = None


@dataclass(frozen=True)
class Progress:
    """How many disagreements have a decision, overall and per document."""

    resolved: int
    total: int
    per_document: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.resolved == self.total

    @property
    def fraction(self) -> float | None:
        """Share decided; None when there is nothing to decide."""
        return self.resolved / self.total if self.total else None


def check_pair(project: Project, a: str, b: str) -> None:
    """Refuse a pair that cannot be adjudicated: the same name twice, or gold itself."""
    if a == b:
        raise AnnotatorError(f"choose two different annotators (both are {a!r})")
    if GOLD_LAYER in (a, b):
        raise AnnotatorError(f"{GOLD_LAYER!r} is the adjudicated layer; compare two annotators")


def _layer(project: Project, doc_id: str, annotator: str) -> list[SpanTuple]:
    return [s.key for s in project.spans(doc_id, annotator)]


def document_disagreements(project: Project, doc_id: str, a: str, b: str) -> list[Disagreement]:
    """The disagreements between A's and B's layers of one document, in text order."""
    return disagreements(_layer(project, doc_id, a), _layer(project, doc_id, b))


def decisions(project: Project, doc_id: str, a: str, b: str) -> dict[DisagreementKey, DecisionRecord]:
    """Every recorded decision for this document and pair, by disagreement key."""
    return {record.key: record for record in project.decisions(doc_id, a, b)}


def _gold_ids(project: Project, doc_id: str) -> dict[SpanTuple, int]:
    return {s.key: s.id for s in project.spans(doc_id, GOLD_LAYER)}


def resolve(
    project: Project,
    doc_id: str,
    a: str,
    b: str,
    disagreement: Disagreement,
    decision: Decision | str,
    edited: Iterable[SpanTuple] = (),
) -> ResolveChange:
    """Decide one disagreement and make gold say so, in one transaction.

    ``edited`` gives the gold span(s) for :attr:`Decision.EDIT` (and must be empty otherwise).
    Gold spans equal to either candidate, or put there by an earlier decision on the same
    disagreement, are removed first; then the chosen spans are added (skipping any gold
    already holds).
    """
    check_pair(project, a, b)
    decision = Decision(decision)
    edited = [(int(s), int(e), str(label)) for s, e, label in edited]
    if decision is Decision.EDIT:
        if not edited:
            raise SpanError("an edited decision needs at least one gold span")
        text = project.document_text(doc_id)
        for start, end, label in edited:
            validate_span(text, start, end, label, project.labels())
    elif edited:
        raise SpanError(f"spans can only be given for an edit, not for {decision.caption!r}")
    chosen: list[SpanTuple] = {
        Decision.A: [disagreement.a] if disagreement.a else [],
        Decision.B: [disagreement.b] if disagreement.b else [],
        Decision.BOTH: [s for s in (disagreement.a, disagreement.b) if s],
        Decision.NEITHER: [],
        Decision.EDIT: edited,
    }[decision]
    key: DisagreementKey = (disagreement.a, disagreement.b)
    with project.transaction():
        previous = project.find_decision(doc_id, a, b, key)
        stale = {s for s in (disagreement.a, disagreement.b) if s}
        if previous is not None:
            stale.update(previous.result)
        gold = _gold_ids(project, doc_id)
        removed = project.delete_spans([gold[s] for s in sorted(stale) if s in gold and s not in chosen])
        have = {s.key for s in project.spans(doc_id, GOLD_LAYER)}
        wanted = sorted(dict.fromkeys(s for s in chosen if s not in have))
        added = project.add_spans(NewSpan(doc_id, GOLD_LAYER, *s) for s in wanted)
        project.record_decision(
            DecisionRecord(
                doc_id,
                a,
                b,
                disagreement.a,
                disagreement.b,
                disagreement.start,
                disagreement.end,
                disagreement.kind.value,
                decision,
                tuple(chosen),
                now(),
            ),
        )
    return ResolveChange(doc_id, a, b, disagreement, decision, tuple(added), tuple(removed), previous)


def revert(project: Project, change: ResolveChange | AgreedChange) -> None:
    """Undo what :func:`resolve` or :func:`accept_all_agreed` did, in one transaction."""
    with project.transaction():
        project.delete_spans([s.id for s in change.added])
        if change.removed:
            project.restore_spans(change.removed)
        if isinstance(change, ResolveChange):
            key: DisagreementKey = (change.disagreement.a, change.disagreement.b)
            project.forget_decision(change.document_id, change.a, change.b, key)
            if change.previous is not None:
                project.record_decision(change.previous)


def accept_all_agreed(project: Project, doc_id: str, a: str, b: str) -> AgreedChange:
    """Copy every span A and B both have into gold in one step (spans gold has are skipped)."""
    check_pair(project, a, b)
    with project.transaction():
        agreed = agreed_spans(_layer(project, doc_id, a), _layer(project, doc_id, b))
        have = set(_gold_ids(project, doc_id))
        added = project.add_spans(NewSpan(doc_id, GOLD_LAYER, *s) for s in agreed if s not in have)
    return AgreedChange(doc_id, tuple(added))


def progress(project: Project, doc_ids: Iterable[str], a: str, b: str) -> Progress:
    """How many of the current disagreements in ``doc_ids`` have a recorded decision.

    A disagreement is resolved once a decision (including "neither") is recorded for exactly
    its pair of candidate spans.
    """
    resolved = total = 0
    per_document: dict[str, tuple[int, int]] = {}
    with project.snapshot():  # layers and decisions of one moment
        for doc_id in doc_ids:
            found = document_disagreements(project, doc_id, a, b)
            decided = decisions(project, doc_id, a, b)
            done = sum(1 for d in found if (d.a, d.b) in decided)
            per_document[doc_id] = (done, len(found))
            resolved += done
            total += len(found)
    return Progress(resolved, total, per_document)
