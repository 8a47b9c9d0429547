"""Word positions of one text, computed once, for finding many known strings quickly.

A text never changes once spans point into it, so its words and their offsets are worth keeping
while the text is open: finding where 20,000 known strings occur then costs one pass over the
words in C (``re.split``, ``itertools``), not one scan of the text per string. Offsets are code
points, end-exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import accumulate, compress

from annotator.core.text_ops import is_word_char

#: Runs of word characters (Python's ``\w``), with the text between them kept by the split.
_SPLIT = re.compile(r"(\W+)")
_FIRST_WORD = re.compile(r"\w+")
#: Up to this many distinct words are looked for with a regular expression, not a pass over all words.
_FEW = 16


def first_word(key: str) -> str | None:
    """The leading run of word characters of ``key``; None if ``key`` starts with another one."""
    match = _FIRST_WORD.match(key)
    return match.group() if match else None


def whole_word(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` does not cut a word at either edge (text_ops' rule for "whole words")."""
    if start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start]):
        return False
    return not (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))


def _is_w(ch: str) -> bool:
    """Python's ``\\w`` for one character (what the word split uses)."""
    return ch.isalnum() or ch == "_"


def _find_all(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


class TextWords:
    """The words of one text (runs of ``\\w``) and where each starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        parts = _SPLIT.split(text)
        offsets = list(accumulate(map(len, parts), initial=0))
        self.words: list[str] = parts[0::2]
        self.starts: list[int] = offsets[0::2]
        self._lowered: list[str] | None = None
        self._vocabulary: dict[bool, frozenset[str]] = {}

    def _keys(self, lowered: bool) -> list[str]:
        if not lowered:
            return self.words
        if self._lowered is None:
            self._lowered = list(map(str.lower, self.words))
        return self._lowered

    def vocabulary(self, lowered: bool = False) -> frozenset[str]:
        """Every distinct word of the text (lower-cased if asked)."""
        found = self._vocabulary.get(lowered)
        if found is None:
            found = self._vocabulary[lowered] = frozenset(self._keys(lowered))
        return found

    def starts_of(self, wanted: Collection[str], lowered: bool = False) -> Iterator[tuple[int, str]]:
        """(offset, word) of every word in ``wanted``, in text order.

        Many words: one pass over the word list in C. A few (the memory learned one string): a
        regular expression over the text, which is faster than touching every word.
        """
        keys = self._keys(lowered)
        hits = self.vocabulary(lowered).intersection(wanted)
        if not hits:
            return iter(())
        if len(hits) <= _FEW:
            return self._search(hits, lowered)
        chosen = list(map(hits.__contains__, keys))
        return zip(compress(self.starts, chosen), compress(keys, chosen), strict=True)

    def _search(self, hits: Collection[str], lowered: bool) -> Iterator[tuple[int, str]]:
        """Each word searched for on its own (a literal search runs at C speed; an alternation
        or a leading look-behind would make the regular expression engine try every position)."""
        text = self.text
        found: list[tuple[int, str]] = []
        for word in hits:
            if lowered:
                places: Iterable[int] = (m.start() for m in re.finditer(re.escape(word), text, re.IGNORECASE))
            else:
                places = _find_all(text, word)
            size = len(word)
            for start in places:
                end = start + size
                if start > 0 and _is_w(text[start - 1]):
                    continue
                if end < len(text) and _is_w(text[end]):
                    continue
                if lowered and text[start:end].lower() != word:
                    continue
                found.append((start, word))
        found.sort()
        return iter(found)

    def find(self, needles: Iterable[str], lowered: bool = False) -> list[tuple[int, int, str]]:
        """Every whole-word occurrence of each needle as (start, end, needle), sorted.

        With ``lowered`` the needles are lower-cased strings and a stretch of the text of the same
        length matches when its ``lower()`` equals the needle. Occurrences of different needles
        may overlap; those of one needle are all reported, overlapping or not.
        """
        by_first: dict[str, list[str]] = {}
        odd: list[str] = []
        for needle in needles:
            if not needle:
                continue
            head = first_word(needle)
            if head is None:
                odd.append(needle)
            else:
                by_first.setdefault(head, []).append(needle)
        found = self.find_grouped(by_first, odd, lowered)
        found.sort()
        return found

    def find_grouped(
        self, by_first: Mapping[str, Collection[str]], odd: Collection[str], lowered: bool = False
    ) -> list[tuple[int, int, str]]:
        """:meth:`find` for needles already grouped by their :func:`first_word` (``odd``: those
        starting with another character), unsorted: the memory keeps them grouped as it learns."""
        text = self.text
        length = len(text)
        found: list[tuple[int, int, str]] = []
        append = found.append
        for start, head in self.starts_of(by_first.keys(), lowered):
            # text[start - 1] is not \w; only a non-ASCII mark or joiner there can glue words.
            if start > 0 and text[start - 1] >= "\x80" and is_word_char(text[start - 1]):
                continue
            for needle in by_first[head]:
                end = start + len(needle)
                if lowered:
                    if text[start:end].lower() != needle:
                        continue
                elif not text.startswith(needle, start):
                    continue
                if end < length:
                    after = text[end]
                    if (after.isalnum() or after == "_" or (after >= "\x80" and is_word_char(after))) and (
                        is_word_char(text[end - 1])
                    ):
                        continue
                append((start, end, needle))
        for needle in odd:
            found.extend(self._scan(needle, lowered))
        return found

    def _scan(self, needle: str, lowered: bool) -> Iterator[tuple[int, int, str]]:
        """Occurrences of a needle that does not start with a word character (e.g. "$4.5bn")."""
        text = self.text
        pattern = re.compile(re.escape(needle), re.IGNORECASE if lowered else 0)
        position = 0
        while True:
            match = pattern.search(text, position)
            if match is None:
                return
            start = match.start()
            end = start + len(needle)
            position = start + 1
            if lowered and text[start:end].lower() != needle:
                continue
            if not lowered and text[start:end] != needle:
                continue
            if whole_word(text, start, end):
                yield start, end, needle


__all__ = ["TextWords", "first_word", "whole_word"]
