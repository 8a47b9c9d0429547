"""The memory source: every span an annotator labelled teaches "this exact string → this label".

It proposes the same string wherever it occurs as whole words, in the open document and across
the project, with the label it was given most often; a string labelled differently at different
places proposes its majority label and says how the votes split. Learning and forgetting one span
is a dictionary update, and what it changes in an open document is found again for that one
string only (:meth:`MemoryMatcher.update`), so proposals follow every edit at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import NamedTuple

from annotator.core.suggest.proposals import BY_PLACE, Proposal
from annotator.core.suggest.words import TextWords, first_word

#: The name accepted spans record as their source.
SOURCE = "memory"


class Vote(NamedTuple):
    """What the memory says about one string: its majority label and the whole split."""

    label: str
    #: (label, count), most frequent first.
    counts: tuple[tuple[str, int], ...]
    total: int
    #: The majority label's share of the votes (the proposal's score).
    share: float
    #: What a tooltip says: ``labelled actor 3×`` or ``labelled actor 3 · claim 1``.
    detail: str

    @classmethod
    def of(cls, ranked: Sequence[tuple[str, int]]) -> Vote:
        total = sum(n for _, n in ranked)
        label, top = ranked[0]
        split = " · ".join(f"{name} {n}" for name, n in ranked)
        detail = f"labelled {label} {top}×" if len(ranked) == 1 else f"labelled {split}"
        return cls(label, tuple(ranked), total, top / total, detail)

    @property
    def unanimous(self) -> bool:
        return len(self.counts) == 1

    @property
    def split(self) -> str:
        """e.g. ``actor 3 · claim 1``, most frequent first."""
        return " · ".join(f"{label} {n}" for label, n in self.counts)


class Memory:
    """Label counts per string, learned from spans; strings are exact or lower-cased.

    ``label_order`` decides ties (the earlier label wins), so a split vote always proposes the
    same label.
    """

    def __init__(self, *, case_sensitive: bool = True, label_order: Sequence[str] = ()) -> None:
        self.case_sensitive = case_sensitive
        self._order = {name: i for i, name in enumerate(label_order)}
        self._counts: dict[str, Counter[str]] = {}
        self._votes: dict[str, Vote] = {}
        #: Keys grouped by their first word (lower-cased keys: already lower), for matching.
        self.by_first: dict[str, set[str]] = {}
        #: Keys that do not start with a word character ("$4.5bn", "“lies”").
        self.odd: set[str] = set()

    def key(self, string: str) -> str | None:
        """The memory's key for a span's text; None for text it does not learn (blank)."""
        if not string.strip():
            return None
        return string if self.case_sensitive else string.lower()

    def learn(self, string: str, label: str, times: int = 1) -> str | None:
        """Count one more span of ``string`` as ``label`` (negative ``times`` forgets); the key."""
        key = self.key(string)
        if key is None:
            return None
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = Counter()
            self._group(key, add=True)
        counts[label] += times
        if counts[label] <= 0:
            del counts[label]
        if not counts:
            del self._counts[key]
            self._group(key, add=False)
        self._votes.pop(key, None)
        return key

    def _group(self, key: str, *, add: bool) -> None:
        head = first_word(key)
        if head is None:
            (self.odd.add if add else self.odd.discard)(key)
            return
        group = self.by_first.setdefault(head, set())
        if add:
            group.add(key)
        else:
            group.discard(key)
            if not group:
                del self.by_first[head]

    def forget(self, string: str, label: str) -> str | None:
        """Undo one :meth:`learn` (the span was deleted or relabelled)."""
        return self.learn(string, label, -1)

    def learn_all(self, examples: Iterable[tuple[str, str]]) -> None:
        for string, label in examples:
            self.learn(string, label)

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, key: object) -> bool:
        return key in self._counts

    def keys(self) -> Iterable[str]:
        return self._counts.keys()

    def vote(self, key: str) -> Vote | None:
        """The majority label of ``key`` with the split, or None for an unknown string."""
        cached = self._votes.get(key)
        if cached is not None:
            return cached
        counts = self._counts.get(key)
        if not counts:
            return None
        order = self._order
        ranked = sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], len(order)), item[0]))
        vote = self._votes[key] = Vote.of(ranked)
        return vote


class MemoryMatcher:
    """The memory's proposals for one document, kept up to date string by string.

    Whoever changes the memory calls :meth:`update` with the keys it changed (as
    :class:`~annotator.core.suggest.sources.MemorySource` does for every open document).
    """

    def __init__(self, memory: Memory, document_id: str, text: str, words: TextWords | None = None) -> None:
        self.memory = memory
        self.document_id = document_id
        self.text = text
        self._words = words if words is not None and words.text == text else None
        #: key → the proposals it makes here (where it occurs as whole words, with its vote).
        self._shown: dict[str, list[Proposal]] = {}
        self._sorted: list[Proposal] | None = None
        self._match()

    @property
    def words(self) -> TextWords:
        """The text's words, split the first time something is looked for (an empty memory never
        splits a 10 MB document)."""
        if self._words is None:
            self._words = TextWords(self.text)
        return self._words

    def _match(self, keys: Iterable[str] | None = None) -> None:
        """Find ``keys`` (default: all the memory knows) and make their proposals."""
        memory = self.memory
        if keys is None:
            by_first: Mapping[str, Collection[str]] = memory.by_first
            odd: Collection[str] = memory.odd
        else:
            grouped: dict[str, list[str]] = {}
            odd = []
            for key in keys:
                head = first_word(key)
                if head is None:
                    odd.append(key)
                else:
                    grouped.setdefault(head, []).append(key)
            by_first = grouped
        if not by_first and not odd:
            return
        shown = self._shown
        made: dict[str, tuple[str, float, str] | None] = {}
        document_id = self.document_id
        for start, end, key in self.words.find_grouped(by_first, odd, lowered=not memory.case_sensitive):
            if key in made:
                how = made[key]
            else:
                vote = memory.vote(key)
                if vote is None:
                    how = made[key] = None
                else:
                    how = made[key] = (vote.label, vote.share, vote.detail)
            if how is None:
                continue
            proposal = Proposal(document_id, start, end, how[0], SOURCE, how[1], how[2])
            places = shown.get(key)
            if places is None:
                shown[key] = [proposal]
            else:
                places.append(proposal)

    def proposals(self) -> list[Proposal]:
        """One proposal per occurrence of every known string, sorted by place (kept between
        calls until :meth:`update`)."""
        if self._sorted is None:
            self._sorted = [p for shown in self._shown.values() for p in shown]
            self._sorted.sort(key=BY_PLACE)
        return self._sorted

    def update(self, keys: Iterable[str | None]) -> tuple[list[Proposal], list[Proposal]]:
        """After the memory learned or forgot ``keys``: (proposals gone, proposals new) here.

        Only those strings are looked for again, so this costs one pass over the document's
        words however large the memory is.
        """
        changed = [key for key in dict.fromkeys(keys) if key is not None]
        self._sorted = None
        before = [p for key in changed for p in self._shown.pop(key, ())]
        self._match(key for key in changed if key in self.memory)
        after = [p for key in changed for p in self._shown.get(key, ())]
        old, new = set(before), set(after)
        return [p for p in before if p not in new], [p for p in after if p not in old]


__all__ = ["SOURCE", "Memory", "MemoryMatcher", "Vote"]
