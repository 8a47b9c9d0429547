"""Pure text logic behind the annotation window: snapping, finding, and a span index by range.

Everything here works in code points, end-exclusive, like the rest of the core; nothing here
knows about Qt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
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
    of an abbreviation ("U.S.") and punctuation inside the span ("4,500", "Russia-Ukraine").
    A selection of nothing but punctuation keeps that punctuation (minus spaces); a selection of
    only whitespace gives ``None``.
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
    bare = (start, end)
    while start < end and (_is_punct(text[start]) or _is_space(text[start])):
        start += 1
    while end > start and (_is_punct(text[end - 1]) or _is_space(text[end - 1])):
        if text[end - 1] == "." and _is_abbreviation(text, start, end):
            break
        end -= 1
    if start >= end:
        return bare
    # An abbreviation's final dot may have been cut by the selection: "U.S" → "U.S.".
    if end < n and text[end] == "." and _is_abbreviation(text, start, end + 1):
        end += 1
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


def assign_lanes(ranges: Iterable[tuple[T, int, int]]) -> dict[T, int]:
    """Lane per item so that overlapping items never share one; outer (earlier, longer) items
    get lower lanes. Used to stack underlines of nested and overlapping spans."""
    lanes: dict[T, int] = {}
    lane_ends: list[int] = []
    for key, start, end in sorted(ranges, key=lambda r: (r[1], -r[2])):
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                lanes[key] = lane
                break
        else:
            lanes[key] = len(lane_ends)
            lane_ends.append(end)
    return lanes


__all__ = ["SpanIndex", "assign_lanes", "find_all", "is_word_char", "snap_to_words"]
