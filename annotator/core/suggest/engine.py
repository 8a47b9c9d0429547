"""What a window needs from suggestions, headless: proposals for a document from the enabled
sources, kept up to date as spans change, accepted or rejected, with each source's running
precision.

:class:`Suggestions` is the core a GUI drives (a view over it, as ``LayerSession`` is for a
layer). Fast sources (memory, patterns) are computed when asked; slow ones (a model, a spaCy
pipeline) are computed by whoever runs the worker — :meth:`Suggestions.compute` is safe to call
from another thread, it touches neither the project nor the cache — and handed back with
:meth:`Suggestions.supply`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import Span
from annotator.core.store import NewSpan, Project
from annotator.core.suggest.proposals import BY_PLACE, Proposal
from annotator.core.suggest.sources import MemorySource, ProposalSource
from annotator.core.text_ops import SpanIndex


@dataclass(frozen=True)
class SourceTally:
    """How an annotator has received one source's proposals so far."""

    source: str
    accepted: int
    rejected: int

    @property
    def precision(self) -> float | None:
        """Accepted / (accepted + rejected); None before the first decision."""
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None


@dataclass(frozen=True)
class ProposalChange:
    """What changed in one document's proposals after an edit: draw ``added``, erase ``removed``."""

    document_id: str
    removed: tuple[Proposal, ...]
    added: tuple[Proposal, ...]

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)


def outermost(proposals: Iterable[Proposal]) -> list[Proposal]:
    """Drop a proposal lying inside another of the same source and label ("Wood" inside "Robert
    Wood"): it says nothing the longer one does not. Different labels may nest (a number inside
    a claim). Takes and returns proposals sorted by place (:data:`BY_PLACE`); one pass."""
    kept: list[Proposal] = []
    dropped: set[int] = set()
    # per (source, label): [start now, furthest end of earlier starts, kept indices at this start]
    state: dict[tuple[str, str], list[Any]] = {}
    for proposal in proposals:
        group = (proposal[4], proposal[3])
        now = state.get(group)
        if now is None:
            now = state[group] = [proposal[1], -1, [], -1]
        elif now[0] != proposal[1]:
            now[1] = max(now[1], now[3])
            now[0], now[2], now[3] = proposal[1], [], -1
        if now[1] >= proposal[2]:
            continue  # inside one that starts earlier
        dropped.update(now[2])  # same start, shorter: inside this one
        now[2] = [len(kept)]
        now[3] = proposal[2]
        kept.append(proposal)
    return [p for i, p in enumerate(kept) if i not in dropped] if dropped else kept


class _Cover:
    """Whether a proposal lies inside a span of the same label ("Wood" in a labelled "Robert Wood")."""

    def __init__(self, spans: Iterable[tuple[int, int, str]]) -> None:
        by_label: dict[str, list[tuple[int, int]]] = {}
        for start, end, label in spans:
            by_label.setdefault(label, []).append((start, end))
        self._starts: dict[str, list[int]] = {}
        self._reach: dict[str, list[int]] = {}
        for label, ranges in by_label.items():
            ranges.sort()
            self._starts[label] = [start for start, _ in ranges]
            self._reach[label] = list(accumulate((end for _, end in ranges), max))

    def __call__(self, proposal: Proposal) -> bool:
        starts = self._starts.get(proposal.label)
        if not starts:
            return False
        i = bisect_right(starts, proposal.start)
        return i > 0 and self._reach[proposal.label][i - 1] >= proposal.end


class _Regions:
    """Stretches of a document, merged, asked whether a proposal overlaps any: ``log n`` per
    question (an edit of a string that occurs 100,000 times makes 100,000 regions)."""

    def __init__(self, regions: Sequence[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(regions):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def __call__(self, proposal: Proposal) -> bool:
        i = bisect_right(self._starts, proposal[1])
        if i > 0 and self._ends[i - 1] > proposal[1]:
            return True  # a region starts at or before it and reaches into it
        return i < len(self._starts) and self._starts[i] < proposal[2]


class _View:
    """One document as a window shows it: the sources' raw proposals (indexed by place) and the
    visible ones."""

    def __init__(self, raw: Sequence[tuple[str, Sequence[Proposal]]], shown: Sequence[Proposal]) -> None:
        self.order = [name for name, _ in raw]
        self.raw: dict[str, SpanIndex[Proposal]] = {
            name: SpanIndex((p, p.start, p.end) for p in found) for name, found in raw
        }
        self.shown: dict[tuple[int, int, str], Proposal] = {p.key: p for p in shown}
        self.shown_index: SpanIndex[tuple[int, int, str]] = SpanIndex((p.key, p.start, p.end) for p in shown)

    def replace(self, name: str, gone: Sequence[Proposal], new: Sequence[Proposal]) -> None:
        index = self.raw.get(name)
        if index is None:
            return
        for proposal in gone:
            if proposal in index:
                index.remove(proposal)
        for proposal in new:
            index.add(proposal, proposal.start, proposal.end)

    def raw_overlapping(self, name: str, regions: Sequence[tuple[int, int]]) -> list[Proposal]:
        found: dict[Proposal, None] = {}
        for start, end in regions:
            for proposal, _, _ in self.raw[name].overlapping(start, end):
                found[proposal] = None
        return sorted(found, key=BY_PLACE)

    def shown_overlapping(self, regions: Sequence[tuple[int, int]]) -> dict[tuple[int, int, str], Proposal]:
        found = {}
        for start, end in regions:
            for key, _, _ in self.shown_index.overlapping(start, end):
                found[key] = self.shown[key]
        return found

    def update(self, removed: Sequence[Proposal], added: Sequence[Proposal]) -> None:
        for proposal in removed:
            del self.shown[proposal.key]
            self.shown_index.remove(proposal.key)
        for proposal in added:
            self.shown[proposal.key] = proposal
            self.shown_index.add(proposal.key, proposal.start, proposal.end)


class Suggestions:
    """Proposals for one annotator from a list of sources, each of which can be switched off.

    A proposal is shown unless the annotator's layer already has a span at the same place (any
    label) or around it with the same label, or the annotator rejected that proposal (place and
    label) on that document; when several sources propose the same place and label, the earliest
    source in the list wins; a proposal inside a longer one of the same source and label is
    dropped (:func:`outermost`).

    :meth:`proposals` computes a document's proposals in full and remembers them as that
    document's view. After an edit (``span_added``/``span_removed``/``span_changed``, accept,
    reject) only the stretches the edit can affect are worked out again, and the returned
    :class:`ProposalChange` objects say exactly what to erase and draw in each viewed document:
    applying them to the last :meth:`proposals` gives what :meth:`proposals` would now return.
    """

    #: A source computed on demand (patterns) counts as slow on a document longer than this
    #: many characters: a window computes it in its worker (spaCy's tokenizer on 10 MB takes
    #: seconds). The memory is always computed here: it follows every edit.
    SLOW_ABOVE = 300_000

    def __init__(self, project: Project, annotator: str, sources: Sequence[ProposalSource]) -> None:
        names = [source.name for source in sources]
        if len(set(names)) != len(names):
            raise AnnotatorError(f"a suggestion source is listed twice: {', '.join(names)}")
        self.project = project
        self.annotator = annotator
        self.sources = list(sources)
        self.enabled: dict[str, bool] = {name: True for name in names}
        #: (source name, document id) → proposals of a source that were computed or supplied.
        self._raw: dict[tuple[str, str], list[Proposal]] = {}
        #: Document id → what the last proposals() showed, kept current by edits.
        self._views: dict[str, _View] = {}

    # -- sources ---------------------------------------------------------------------------

    def source(self, name: str) -> ProposalSource:
        for source in self.sources:
            if source.name == name:
                return source
        raise AnnotatorError(f"no suggestion source {name!r} here (sources: {', '.join(self.enabled)})")

    def set_enabled(self, name: str, enabled: bool) -> None:
        self.source(name)
        self.enabled[name] = enabled
        for doc_id in list(self._views):
            self.close(doc_id)  # the window asks for proposals() again

    def _slow(self, source: ProposalSource, document_id: str) -> bool:
        if source.kind.slow:
            return True
        if isinstance(source, MemorySource):
            return False
        return len(self.project.document_text(document_id)) > self.SLOW_ABOVE

    def pending(self, document_id: str) -> list[ProposalSource]:
        """Enabled slow sources whose proposals for the document are not known yet (and fast
        ones, on a document too long to compute them here: :attr:`SLOW_ABOVE`)."""
        return [
            s
            for s in self.sources
            if self.enabled[s.name] and (s.name, document_id) not in self._raw and self._slow(s, document_id)
        ]

    @staticmethod
    def compute(source: ProposalSource, document_id: str, text: str) -> list[Proposal]:
        """A source's proposals for a text (for a worker thread; no project, no cache)."""
        return source.propose(document_id, text)

    def supply(self, name: str, document_id: str, proposals: Iterable[Proposal]) -> None:
        """Hand in what :meth:`compute` returned for a slow source."""
        self.source(name)
        self._raw[(name, document_id)] = list(proposals)
        self.close(document_id)  # the window asks for proposals() again

    def forget(self, document_id: str | None = None) -> None:
        """Drop cached proposals (of one document, or all): e.g. after the model was retrained."""
        for key in [k for k in self._raw if document_id is None or k[1] == document_id]:
            del self._raw[key]
        for doc_id in [d for d in self._views if document_id is None or d == document_id]:
            self.close(doc_id)

    def close(self, document_id: str) -> None:
        """The window no longer shows the document: its view is no longer kept current."""
        self._views.pop(document_id, None)
        for source in self.sources:
            if isinstance(source, MemorySource):
                source.pinned.discard(document_id)

    def _raw_for(
        self, source: ProposalSource, document_id: str, *, compute_slow: bool, view: bool = True
    ) -> list[Proposal]:
        if isinstance(source, MemorySource):
            text = self.project.document_text(document_id)
            if view:
                source.pinned.add(document_id)
            return source.matcher(document_id, text, keep=view).proposals()
        key = (source.name, document_id)
        found = self._raw.get(key)
        if found is None:
            if not compute_slow and self._slow(source, document_id):
                return []
            found = self._raw[key] = source.propose(document_id, self.project.document_text(document_id))
        return found

    # -- proposals -------------------------------------------------------------------------

    def _filter(
        self, document_id: str, candidates: Iterable[tuple[str, Iterable[Proposal]]], sort: bool
    ) -> list[Proposal]:
        """The visible ones among (source name, proposals) candidates, by the rules above."""
        spans = self.project.spans(document_id, self.annotator)
        rejected = {r.key for r in self.project.rejections(document_id, self.annotator)}
        taken = {(s.start, s.end) for s in spans}
        inside = _Cover((s.start, s.end, s.label) for s in spans)
        chosen: dict[tuple[int, int, str], Proposal] = {}
        for _name, found in candidates:
            if not spans and not rejected:
                for proposal in found:
                    chosen.setdefault((proposal[1], proposal[2], proposal[3]), proposal)
                continue
            for proposal in found:
                key = (proposal[1], proposal[2], proposal[3])
                if key[:2] in taken or key in rejected or inside(proposal):
                    continue
                chosen.setdefault(key, proposal)
        shown = list(chosen.values())
        if sort:
            shown.sort(key=BY_PLACE)
        return outermost(shown)

    def proposals(self, document_id: str, *, compute_slow: bool = False) -> list[Proposal]:
        """What to draw on the document, sorted by place; slow sources only once supplied (or
        computed here with ``compute_slow``). Becomes the document's view (see above)."""
        raw = [
            (source.name, self._raw_for(source, document_id, compute_slow=compute_slow))
            for source in self.sources
            if self.enabled[source.name]
        ]
        shown = self._filter(document_id, raw, sort=sum(1 for _, found in raw if found) > 1)
        self._views[document_id] = _View(raw, shown)
        return list(shown)

    def _refresh(
        self,
        document_id: str,
        regions: Sequence[tuple[int, int]],
        raw_changes: Mapping[str, tuple[Sequence[Proposal], Sequence[Proposal]]] | None = None,
    ) -> ProposalChange | None:
        """Work out again what is shown where ``regions`` lie (after raw proposals came and went
        there, or a span or rejection changed there); what changed in the document's view."""
        view = self._views.get(document_id)
        if view is None:
            return None
        for name, (gone, new) in (raw_changes or {}).items():
            view.replace(name, gone, new)
        regions = [r for r in regions if r[1] > r[0]]
        if not regions:
            return None
        candidates = [(name, view.raw_overlapping(name, regions)) for name in view.order]
        overlaps = _Regions(regions)
        now = {p.key: p for p in self._filter(document_id, candidates, sort=True) if overlaps(p)}
        before = view.shown_overlapping(regions)
        removed = tuple(p for key, p in before.items() if now.get(key) != p)
        added = tuple(p for key, p in now.items() if before.get(key) != p)
        view.update(removed, added)
        change = ProposalChange(document_id, removed, added)
        return change if change else None

    def view(self, document_id: str) -> list[Proposal] | None:
        """The document's proposals as the last :meth:`proposals` and the changes since left them."""
        view = self._views.get(document_id)
        return None if view is None else sorted(view.shown.values(), key=BY_PLACE)

    def across_project(self, doc_ids: Sequence[str] | None = None) -> Iterable[tuple[str, list[Proposal]]]:
        """(document id, proposals) of every document with any, in project order (fast sources,
        and slow ones already supplied): "12 more in 5 documents" for a panel."""
        for doc_id in doc_ids if doc_ids is not None else self.project.document_ids():
            raw = [
                (source.name, self._raw_for(source, doc_id, compute_slow=False, view=doc_id in self._views))
                for source in self.sources
                if self.enabled[source.name]
            ]
            found = self._filter(doc_id, raw, sort=True)
            if found:
                yield doc_id, found

    def _memory_sources(self) -> list[MemorySource]:
        return [s for s in self.sources if isinstance(s, MemorySource) and self.annotator in s.layers]

    def _edited(
        self, document_id: str, places: Sequence[tuple[int, int]], changes: list[tuple[str, str, int]]
    ) -> list[ProposalChange]:
        """After spans changed at ``places`` of a document: the memory learns ``changes``
        (string, label, ±1) and every viewed document it affects is refreshed where it changed."""
        regions: dict[str, list[tuple[int, int]]] = {document_id: list(places)}
        raw: dict[str, dict[str, tuple[list[Proposal], list[Proposal]]]] = {}
        for memory in self._memory_sources():
            if not self.enabled[memory.name]:
                memory.learn(changes)
                continue
            for doc_id, (gone, new) in memory.learn(changes).items():
                raw.setdefault(doc_id, {})[memory.name] = (gone, new)
                regions.setdefault(doc_id, []).extend((p.start, p.end) for p in (*gone, *new))
        found = []
        for doc_id, places_here in regions.items():
            change = self._refresh(doc_id, places_here, raw.get(doc_id))
            if change is not None:
                found.append(change)
        return found

    def _text(self, span: Span) -> str:
        return self.project.document_text(span.document_id)[span.start : span.end]

    def span_added(self, span: Span) -> list[ProposalChange]:
        """The annotator made (or restored) a span: proposals it covers go, the memory learns it.

        Returns what changed in each viewed document (nothing for another annotator's span).
        """
        if span.annotator != self.annotator:
            return []
        return self._edited(span.document_id, [(span.start, span.end)], [(self._text(span), span.label, 1)])

    def span_removed(self, span: Span) -> list[ProposalChange]:
        if span.annotator != self.annotator:
            return []
        return self._edited(span.document_id, [(span.start, span.end)], [(self._text(span), span.label, -1)])

    def span_changed(self, old: Span, new: Span) -> list[ProposalChange]:
        """Relabelled or resized: forget the old string and label, learn the new."""
        if new.annotator != self.annotator:
            return []
        return self._edited(
            new.document_id,
            [(old.start, old.end), (new.start, new.end)],
            [(self._text(old), old.label, -1), (self._text(new), new.label, 1)],
        )

    # -- decisions -------------------------------------------------------------------------

    def accept(self, proposal: Proposal, label: str | None = None) -> tuple[Span, list[ProposalChange]]:
        """Put the proposal into the annotator's layer (with another label if given); its source
        is recorded with the span. Returns the span and what changed in the viewed documents.
        Undo: delete the span and call :meth:`span_removed`."""
        span = self.project.add_span(
            proposal.document_id,
            self.annotator,
            proposal.start,
            proposal.end,
            label or proposal.label,
            source=proposal.source,
        )
        return span, self.span_added(span)

    def accept_all(self, document_id: str, source: str) -> tuple[list[Span], list[ProposalChange]]:
        """Every shown proposal of one source in one document, in one transaction (one undo step)."""
        chosen = [p for p in self.proposals(document_id) if p.source == source]
        spans = self.project.add_spans(
            NewSpan(document_id, self.annotator, p.start, p.end, p.label, None, p.source) for p in chosen
        )
        changes = self._edited(
            document_id, [(s.start, s.end) for s in spans], [(self._text(s), s.label, 1) for s in spans]
        )
        return spans, changes

    def reject(self, proposal: Proposal) -> list[ProposalChange]:
        """Never propose this (place and label) to the annotator on this document again; what
        changed in its view (the proposal goes; one it hid may come back)."""
        self.project.add_rejection(
            proposal.document_id,
            self.annotator,
            proposal.start,
            proposal.end,
            proposal.label,
            proposal.source,
        )
        change = self._refresh(proposal.document_id, [(proposal.start, proposal.end)])
        return [change] if change is not None else []

    def unreject(self, proposal: Proposal) -> list[ProposalChange]:
        """Undo :meth:`reject`."""
        self.project.remove_rejection(
            proposal.document_id, self.annotator, proposal.start, proposal.end, proposal.label
        )
        change = self._refresh(proposal.document_id, [(proposal.start, proposal.end)])
        return [change] if change is not None else []

    def tallies(self) -> list[SourceTally]:
        """Per source (those here, then any other the annotator ever accepted from or rejected):
        accepted, rejected and the running precision."""
        counts = self.project.source_tallies(self.annotator)
        names = [s.name for s in self.sources] + [name for name in counts if name not in self.enabled]
        return [SourceTally(name, *counts.get(name, (0, 0))) for name in names]


__all__ = ["ProposalChange", "SourceTally", "Suggestions", "outermost"]
