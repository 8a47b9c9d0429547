"""The one place where Qt's UTF-16 code-unit positions meet Python's code-point offsets.

Qt (QString, QTextCursor, QTextDocument) counts UTF-16 code units: a character outside the Basic
Multilingual Plane (most emoji, rare CJK) is two units. The store, the formats and the agreement
code speak code points. Nothing else in Annotator converts; the GUI calls these functions.

``OffsetMap`` is built once per document text and answers each conversion in O(log n) over the
(usually empty) list of astral characters, so a 1 MB text with no emoji costs nothing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class OffsetMap:
    """Converts between code-point offsets and UTF-16 positions for one text."""

    __slots__ = ("_astral", "_astral_units", "length", "utf16_length")

    def __init__(self, text: str) -> None:
        # Code-point indices of characters that take two UTF-16 units.
        self._astral = (
            [] if text.isascii() else [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        )
        # Their UTF-16 positions (start unit of each surrogate pair).
        self._astral_units = [cp + k for k, cp in enumerate(self._astral)]
        self.length = len(text)
        self.utf16_length = len(text) + len(self._astral)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 position of code-point ``offset`` (0 ≤ offset ≤ len(text))."""
        if not 0 <= offset <= self.length:
            raise ValueError(f"code-point offset {offset} outside 0..{self.length}")
        return offset + bisect_left(self._astral, offset)

    def to_code_point(self, position: int) -> int:
        """Code-point offset of UTF-16 ``position``.

        A position inside a surrogate pair (which Qt never produces for a cursor, but a raw
        index might) snaps to the start of that character.
        """
        if not 0 <= position <= self.utf16_length:
            raise ValueError(f"UTF-16 position {position} outside 0..{self.utf16_length}")
        # Each astral character starting strictly before `position` took one extra unit; a
        # position on a low surrogate counts its own character and so lands on its start.
        return position - bisect_left(self._astral_units, position)

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def span_to_code_points(self, start: int, end: int) -> tuple[int, int]:
        """Code-point span for a UTF-16 selection; a half pair is widened to the whole character."""
        cp_start = self.to_code_point(start)
        cp_end = self.to_code_point(end)
        if self._inside_pair(end):
            cp_end += 1
        return cp_start, cp_end

    def _inside_pair(self, position: int) -> bool:
        i = bisect_right(self._astral_units, position - 1)
        return bool(i) and self._astral_units[i - 1] + 1 == position


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what ``QString.length()`` returns)."""
    return len(text.encode("utf-16-le")) // 2
