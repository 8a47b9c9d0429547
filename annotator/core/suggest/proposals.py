"""A proposal: a span a source suggests, never in any layer until the annotator accepts it."""

from __future__ import annotations

from operator import itemgetter
from typing import NamedTuple


class Proposal(NamedTuple):
    """A suggested span of one document; offsets are code points, end-exclusive.

    ``source`` names where it came from and is what an accepted span records (``memory``,
    ``patterns:default``, ``model:NAME@VERSION``, ``spacy:NAME``); ``score`` is the source's
    confidence where it has one (the memory's majority share, a span classifier's probability);
    ``detail`` says why, for a tooltip (the memory's vote split, the pattern that matched).
    A named tuple: a 1 MB document can have tens of thousands of them.
    """

    document_id: str
    start: int
    end: int
    label: str
    source: str
    score: float | None = None
    detail: str = ""

    @property
    def key(self) -> tuple[int, int, str]:
        """(start, end, label): what a span of the same place and label would have."""
        return (self.start, self.end, self.label)

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]


#: Sort proposals by place: (start, end, label, source).
BY_PLACE = itemgetter(1, 2, 3, 4)


__all__ = ["BY_PLACE", "Proposal"]
