"""Pure text logic behind the annotation window: snapping, finding, label-all, a span index.

Everything here works in code points, end-exclusive, like the rest of the core; nothing here
knows about Qt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar


def is_word_char(ch: str) -> bool:
    """Letters, digits, combining marks and joiners belong to a word (for snapping)."""
    if ch.isalnum() or ch == "_":
        return True
    category = unicodedata.category(ch)
    # Marks (é as e + U+0301), ZWJ / ZWNJ and variation selectors stay with their base.
    return category[0] == "M" or ch in "\u200c\u200d" or "\ufe00" <= ch <= "\ufe0f"


def _in_word(text: str, i: int) -> bool:
    """Is ``text[i]`` part of a word: a word character, or a dot or comma between two of them."""
    ch = text[i]
    if is_word_char(ch):
        return True
    return ch in ".," and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in "\u200b\ufeff"


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "P"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen a selection to whole words and trim surrounding whitespace and punctuation.

    A selection that starts or ends inside a word grows to include the whole word; spaces and
    punctuation at either edge are dropped ("the claim," → "the claim"), except the final dot
    of an abbreviation ("U.S."), punctuation inside the span ("4,500", "Russia-Ukraine") and
    balanced quotes and brackets: a selection that holds an opening quote or bracket keeps its
    partner (“lies”, "(ICBM)", a fully quoted sentence), taking it from right beside the
    selection when the selection stopped just short of it. A quote or bracket whose partner is
    not there is dropped like any other edge punctuation. A selection of nothing but
    punctuation keeps that punctuation (minus spaces); a selection of only whitespace gives
    ``None``.
    """
    n = len(text)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    if start > end:
        start, end = end, start
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    if start >= end:
        return None
    # Grow to word boundaries when the selection cuts a word ("4,500" and "U.S" are one word).
    while start > 0 and _in_word(text, start - 1) and _in_word(text, start):
        start -= 1
    while end < n and _in_word(text, end - 1) and _in_word(text, end):
        end += 1
    start, end = _reach_partners(text, start, end)
    bare = (start, end)
    kept = _paired_marks(text, start, end).matched
    while start < end and (_is_punct(text[start]) or _is_space(text[start])) and start not in kept:
        start += 1
    while end > start and (_is_punct(text[end - 1]) or _is_space(text[end - 1])) and end - 1 not in kept:
        if text[end - 1] == "." and _is_abbreviation(text, start, end):
            break
        end -= 1
    if start >= end:
        return bare
    # An abbreviation's final dot may have been cut by the selection: "U.S" → "U.S.".
    if end < n and text[end] == "." and _is_abbreviation(text, start, end + 1):
        end += 1
    return start, end


#: Opening quotes and brackets and the closers that pair with each (German „…“ and ‚…‘ too).
PAIRS: dict[str, str] = {
    "(": ")",
    "[": "]",
    "{": "}",
    "“": "”",
    "‘": "’",
    "„": "“",
    "‚": "‘",
    "«": "»",
    "‹": "›",
    "「": "」",
    "『": "』",
    "（": "）",
    "［": "］",
    "【": "】",
    "〈": "〉",
    "《": "》",
    "〔": "〕",
}
#: Quotes that open and close with the same character.
SYMMETRIC = frozenset("\"'")
_CLOSERS: dict[str, frozenset[str]] = {}
for _open, _close in PAIRS.items():
    _CLOSERS[_close] = _CLOSERS.get(_close, frozenset()) | {_open}
#: How far beside a selection a missing partner is looked for: a run of punctuation this long.
PARTNER_REACH = 3


class _Marks:
    """Quotes and brackets of a range: the positions that have their partner inside it, and
    the positions of openers and closers that have not (in text order)."""

    def __init__(self) -> None:
        self.matched: set[int] = set()
        self.open: list[int] = []
        self.closed: list[int] = []


def _is_apostrophe(text: str, i: int) -> bool:
    """A ’ or ' inside a word (Wood’s, don't) is an apostrophe, not a quote."""
    return 0 < i < len(text) - 1 and _in_word(text, i - 1) and _in_word(text, i + 1)


def _paired_marks(text: str, start: int, end: int) -> _Marks:
    marks = _Marks()
    stack: list[int] = []  # positions of openers still open
    for i in range(start, end):
        ch = text[i]
        if ch not in PAIRS and ch not in _CLOSERS and ch not in SYMMETRIC:
            continue
        if ch in "’'" and _is_apostrophe(text, i):
            continue
        openers = _CLOSERS.get(ch, frozenset()) | ({ch} if ch in SYMMETRIC else frozenset())
        partner = next((k for k in range(len(stack) - 1, -1, -1) if text[stack[k]] in openers), None)
        if partner is not None:
            marks.matched.update((stack[partner], i))
            marks.open.extend(stack[partner + 1 :])  # left open inside the pair
            del stack[partner:]
        elif ch in PAIRS or (ch in SYMMETRIC and not (ch == "'" and i > 0 and _in_word(text, i - 1))):
            stack.append(i)
        elif ch in _CLOSERS and not (ch == "’" and i > 0 and _in_word(text, i - 1)):
            marks.closed.append(i)  # a closer with nothing to close (a possessive ’ aside)
    marks.open.extend(stack)
    marks.open.sort()
    return marks


def _closes(opener: str, ch: str) -> bool:
    return ch == opener if opener in SYMMETRIC else opener in _CLOSERS.get(ch, frozenset())


def _reach_partners(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in the partners of quotes and brackets the selection holds when they stand right
    beside it (within a short run of punctuation): "as “lies" → "as “lies”"."""
    marks = _paired_marks(text, start, end)
    n = len(text)
    position = end
    for i in reversed(marks.open):  # innermost first
        k = position
        while k < min(n, position + PARTNER_REACH) and _is_punct(text[k]):
            if _closes(text[i], text[k]):
                end = position = k + 1
                break
            k += 1
    position = start
    for i in marks.closed:  # innermost first
        k = position - 1
        while k >= max(0, position - PARTNER_REACH) and _is_punct(text[k]):
            if _closes(text[k], text[i]):
                start = position = k
                break
            k -= 1
    return start, end


def _is_abbreviation(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` ends in a dot that belongs to it: "U.S.", "e.g." (single letters)."""
    word_start = end - 1
    while word_start > start and not _is_space(text[word_start - 1]):
        word_start -= 1
    word = text[word_start:end]
    return bool(re.fullmatch(r"(?:\w\.){2,}", word))


def find_all(
    text: str, needle: str, *, case_sensitive: bool = False, whole_word: bool = False
) -> list[tuple[int, int]]:
    """Every non-overlapping occurrence of ``needle`` as (start, end) code-point offsets."""
    if not needle:
        return []
    flags = 0 if case_sensitive else re.IGNORECASE
    pattern = re.compile(re.escape(needle), flags)
    found = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if whole_word and (
            (start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start]))
            or (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))
        ):
            continue
        found.append((start, end))
    return found


T = TypeVar("T")


class SpanIndex(Generic[T]):
    """Items with a code-point range, found by overlap with another range in O(bucket).

    The text is cut into fixed-size buckets; an item is listed in every bucket it touches, so
    asking for one paragraph looks at a handful of buckets whatever the document's size, and
    adding or removing an item touches only its own buckets.
    """

    BUCKET = 256

    def __init__(self, items: Iterable[tuple[T, int, int]] = ()) -> None:
        self._buckets: dict[int, dict[T, tuple[int, int]]] = {}
        self._ranges: dict[T, tuple[int, int]] = {}
        for key, start, end in items:
            self.add(key, start, end)

    def __len__(self) -> int:
        return len(self._ranges)

    def __contains__(self, key: object) -> bool:
        return key in self._ranges

    def _bucket_range(self, start: int, end: int) -> range:
        return range(start // self.BUCKET, max(start, end - 1) // self.BUCKET + 1)

    def add(self, key: T, start: int, end: int) -> None:
        if key in self._ranges:
            self.remove(key)
        self._ranges[key] = (start, end)
        for b in self._bucket_range(start, end):
            self._buckets.setdefault(b, {})[key] = (start, end)

    def remove(self, key: T) -> None:
        start, end = self._ranges.pop(key)
        for b in self._bucket_range(start, end):
            bucket = self._buckets[b]
            del bucket[key]
            if not bucket:
                del self._buckets[b]

    def overlapping(self, start: int, end: int) -> Iterator[tuple[T, int, int]]:
        """Items whose range shares at least one code point with [start, end) (or contains an
        empty range's position)."""
        seen: set[T] = set()
        for b in self._bucket_range(start, end):
            for key, (s, e) in self._buckets.get(b, {}).items():
                if key in seen:
                    continue
                seen.add(key)
                if s < max(end, start + 1) and e > start:
                    yield key, s, e

    def at(self, offset: int) -> list[T]:
        """Items covering code point ``offset``, innermost (shortest) first."""
        hits = [(e - s, s, key) for key, s, e in self.overlapping(offset, offset + 1)]
        return [key for _, _, key in sorted(hits, key=lambda h: (h[0], h[1]))]


def assign_lanes(ranges: Iterable[tuple[T, int, int]], most: int | None = None) -> dict[T, int]:
    """Lane per item so that overlapping items never share one; outer (earlier, longer) items
    get lower lanes. Used to stack underlines of nested and overlapping spans.

    With ``most``, items beyond that many lanes all go into the last one (drawn over each other
    there rather than ever further from the text).
    """
    lanes: dict[T, int] = {}
    lane_ends: list[int] = []
    for key, start, end in sorted(ranges, key=lambda r: (r[1], -r[2])):
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                lanes[key] = lane
                break
        else:
            if most is not None and len(lane_ends) >= most:
                lanes[key] = most - 1
                lane_ends[most - 1] = max(lane_ends[most - 1], end)
            else:
                lanes[key] = len(lane_ends)
                lane_ends.append(end)
    return lanes


def selection_needle(text: str, start: int, end: int, *, snap: bool) -> str:
    """The text a selection stands for when it is to be found or labelled everywhere: the
    selected code points, snapped to words when snapping is on."""
    if snap:
        snapped = snap_to_words(text, start, end)
        if snapped is not None:
            start, end = snapped
    return text[start:end]


@dataclass(frozen=True)
class LabelAllPlan:
    """What "label all occurrences" would do: every occurrence of ``needle``, and the ones of
    them that do not have the label yet (the spans it would create)."""

    needle: str
    occurrences: tuple[tuple[int, int], ...]
    label: str
    new: tuple[tuple[int, int], ...]

    @property
    def already(self) -> int:
        return len(self.occurrences) - len(self.new)


def plan_label_all(
    text: str,
    needle: str,
    label: str,
    existing: Iterable[tuple[int, int, str]],
    *,
    case_sensitive: bool = True,
    whole_word: bool = True,
) -> LabelAllPlan:
    """Every occurrence of ``needle`` in ``text`` and those of them not yet a span with
    ``label`` among ``existing`` (start, end, label); nothing for a blank needle."""
    if not needle.strip():
        return LabelAllPlan(needle, (), label, ())
    found = tuple(find_all(text, needle, case_sensitive=case_sensitive, whole_word=whole_word))
    taken = {(s, e) for s, e, name in existing if name == label}
    return LabelAllPlan(needle, found, label, tuple(r for r in found if r not in taken))


__all__ = [
    "LabelAllPlan",
    "SpanIndex",
    "assign_lanes",
    "find_all",
    "is_word_char",
    "plan_label_all",
    "selection_needle",
    "snap_to_words",
]
