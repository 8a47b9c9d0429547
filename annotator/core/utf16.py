"""The one place where Qt's UTF-16 code-unit positions meet Python's code-point offsets.

Qt (QString, QTextCursor, QTextDocument) counts UTF-16 code units: a character outside the Basic
Multilingual Plane (most emoji, rare CJK) is two units. The store, the formats and the agreement
code speak code points. Nothing else in Annotator converts; the GUI calls these functions.

A ``QTextDocument`` filled with ``setPlainText`` differs from the string in two more ways, which
:meth:`OffsetMap.for_qt_document` accounts for: a ``\\r\\n`` pair becomes one paragraph separator
(one position), and a byte-order mark at the very start is dropped (no position).

``OffsetMap`` is built once per document text and answers each conversion in O(log n) over the
(usually empty) list of special characters, so a 1 MB ASCII text costs nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

_CRLF = re.compile("\r\n")


class OffsetMap:
    """Converts between code-point offsets and UTF-16 positions for one text."""

    __slots__ = ("_astral_units", "_bom", "_cps", "_deltas", "_units", "length", "utf16_length")

    def __init__(self, text: str, *, qt_document: bool = False) -> None:
        # Characters that do not take exactly one position: astral ones take two, and in a Qt
        # document the "\r" of "\r\n" and a leading BOM take none. ``_cps`` are their code-point
        # indices (sorted), ``_deltas`` the cumulative (units - code points) after each of them,
        # ``_units`` the position at which each of them starts.
        special: dict[int, int] = {}
        if not text.isascii():
            for i, ch in enumerate(text):
                if ord(ch) > 0xFFFF:
                    special[i] = 1
            if qt_document and text.startswith("\ufeff"):
                special[0] = -1
        self._bom = qt_document and text.startswith("\ufeff")
        if qt_document and "\r" in text:
            for match in _CRLF.finditer(text):
                special[match.start()] = -1
        self._cps = sorted(special)
        steps = [special[i] for i in self._cps]
        self._deltas = list(accumulate(steps))
        self._units = [cp + (self._deltas[k - 1] if k else 0) for k, cp in enumerate(self._cps)]
        self._astral_units = [u for u, step in zip(self._units, steps, strict=False) if step == 1]
        self.length = len(text)
        self.utf16_length = len(text) + (self._deltas[-1] if self._deltas else 0)

    @classmethod
    def for_qt_document(cls, text: str) -> OffsetMap:
        """A map for positions in a ``QTextDocument`` that was given ``text`` by ``setPlainText``."""
        return cls(text, qt_document=True)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 position of code-point ``offset`` (0 ≤ offset ≤ len(text))."""
        if not 0 <= offset <= self.length:
            raise ValueError(f"code-point offset {offset} outside 0..{self.length}")
        i = bisect_left(self._cps, offset)
        return offset + (self._deltas[i - 1] if i else 0)

    def to_code_point(self, position: int) -> int:
        """Code-point offset of UTF-16 ``position``.

        A position inside a surrogate pair (which Qt never produces for a cursor, but a raw
        index might) snaps to the start of that character; a position shared by several code
        points (the "\\r\\n" of a Qt document) is the first of them.
        """
        if not 0 <= position <= self.utf16_length:
            raise ValueError(f"UTF-16 position {position} outside 0..{self.utf16_length}")
        # Every special character starting strictly before `position` shifted it by its step.
        i = bisect_left(self._units, position)
        offset = position - (self._deltas[i - 1] if i else 0)
        # The dropped BOM is not part of any text a user can select.
        return 1 if offset == 0 and self._bom else offset

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
