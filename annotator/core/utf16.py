"""The one place where Qt's UTF-16 code-unit positions meet Python's code-point offsets.

Qt (QString, QTextCursor, QTextDocument) counts UTF-16 code units: a character outside the Basic
Multilingual Plane (most emoji, rare CJK) is two units. The store, the formats and the agreement
code speak code points. Nothing else in Annotator converts; the GUI calls these functions.

A ``QTextDocument`` filled with ``setPlainText`` differs from the string in two more ways, which
:meth:`OffsetMap.for_qt_document` accounts for: a ``\\r\\n`` pair becomes one paragraph separator
(one position), and a byte-order mark at the very start is dropped (no position).

And one difference Annotator makes on purpose: Qt lays out a paragraph in one piece, in time that
grows with its length (and with the square of its length where it has no space to wrap at: 2 MB
without a space takes two minutes), so a line longer than :data:`LONG_LINE` code points is shown
as several paragraphs of about :data:`PIECE` code points, split after a space where there is
one. :meth:`OffsetMap.qt_text` is the text to give ``setPlainText``; each inserted paragraph
separator is one more position, which the map skips, so offsets into the stored text never
change. Lines of ordinary documents are far shorter and are shown unchanged.

``OffsetMap`` is built once per document text and answers each conversion in O(log n) over the
(usually empty) list of special characters, so a 1 MB ASCII text costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

_CRLF = re.compile("\r\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: What ends a paragraph in a QTextDocument filled by setPlainText (U+FDD0/U+FDD1 are Qt's
#: frame markers, which setPlainText also turns into paragraph separators).
_QT_PARAGRAPH_END = re.compile("[\r\n\u2029\ufdd0\ufdd1]")

#: A line longer than this (code points) is shown in Qt as several paragraphs.
LONG_LINE = 10_000
#: The length of those paragraphs: a piece ends after the last space in its final
#: ``PIECE // 5`` code points; without a space there it is cut after ``FORCED_PIECE`` (moved
#: back off a combining mark), shorter because Qt's time to wrap a paragraph with nowhere to
#: wrap at grows with the square of its length.
PIECE = 4_000
FORCED_PIECE = 1_000
#: The character :meth:`OffsetMap.qt_text` inserts (Qt's own paragraph separator).
QT_BREAK = "\u2029"


def _extends(ch: str) -> bool:
    """A character that belongs with the one before it (do not break a line before it)."""
    o = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or o in (0x200C, 0x200D)
        or 0xFE00 <= o <= 0xFE0F
        or 0x1F3FB <= o <= 0x1F3FF
        or 0xE0000 <= o <= 0xE01EF
        or 0xDC00 <= o <= 0xDFFF
    )


def _cut(text: str, at: int, low: int) -> int:
    """``at``, moved back (not below ``low``) until it does not split a character sequence."""
    i = at
    while i > low + 1 and at - i < 64:
        if not _extends(text[i]) and text[i - 1] != "\u200d":
            return i
        i -= 1
    return at


def line_breaks(
    text: str, long_line: int = LONG_LINE, piece: int = PIECE, forced_piece: int = FORCED_PIECE
) -> list[int]:
    """Code points before which a Qt view of ``text`` starts an extra paragraph (sorted).

    Only lines (runs between paragraph ends, as Qt sees them) longer than ``long_line`` get any.
    """
    if len(text) <= long_line:
        return []
    breaks: list[int] = []
    lookback = max(1, piece // 5)
    start = 0
    ends = [m.start() for m in _QT_PARAGRAPH_END.finditer(text)]
    ends.append(len(text))
    for end in ends:
        p = start
        if end - p > long_line:
            while end - p > piece:
                limit = p + piece
                space = text.rfind(" ", limit - lookback, limit)
                p = space + 1 if space != -1 else _cut(text, p + min(piece, forced_piece), p)
                breaks.append(p)
        start = end + 1
    return breaks


class OffsetMap:
    """Converts between code-point offsets and UTF-16 positions for one text."""

    __slots__ = (
        "_astral_units",
        "_bom",
        "_deltas",
        "_keys",
        "_units",
        "breaks",
        "length",
        "utf16_length",
    )

    def __init__(self, text: str, *, qt_document: bool = False, breaks: Sequence[int] = ()) -> None:
        # Things that do not take exactly one position: astral characters take two; in a Qt
        # document the "\r" of "\r\n" and a leading BOM take none, and a break (a paragraph
        # separator inserted before a code point) takes one where the text has none. Each is
        # keyed 2 * cp for the character at cp and 2 * k - 1 for a break before code point k,
        # so a break sorts between the characters it separates. ``_deltas`` are the cumulative
        # (units - code points) after each of them, ``_units`` the position where each starts.
        special: dict[int, int] = {}
        if not text.isascii():
            for match in _ASTRAL.finditer(text):
                special[2 * match.start()] = 1
            if qt_document and text.startswith("\ufeff"):
                special[0] = -1
        self._bom = qt_document and text.startswith("\ufeff")
        if qt_document and "\r" in text:
            for match in _CRLF.finditer(text):
                special[2 * match.start()] = -1
        for k in breaks:
            if not 0 < k < len(text):
                raise ValueError(f"a break before code point {k} is outside 1..{len(text) - 1}")
            special[2 * k - 1] = 1
        self.breaks = tuple(breaks)
        self._keys = sorted(special)
        steps = [special[key] for key in self._keys]
        self._deltas = list(accumulate(steps))
        self._units = [(key + 1) // 2 + (self._deltas[i - 1] if i else 0) for i, key in enumerate(self._keys)]
        self._astral_units = [
            unit
            for unit, key, step in zip(self._units, self._keys, steps, strict=True)
            if step == 1 and key % 2 == 0
        ]
        self.length = len(text)
        self.utf16_length = len(text) + (self._deltas[-1] if self._deltas else 0)

    @classmethod
    def for_qt_document(cls, text: str) -> OffsetMap:
        """A map for positions in a ``QTextDocument`` given ``qt_text(text)`` by ``setPlainText``.

        For a text without lines longer than :data:`LONG_LINE` that is ``text`` itself.
        """
        return cls(text, qt_document=True, breaks=line_breaks(text))

    def qt_text(self, text: str) -> str:
        """The text to give ``setPlainText``: ``text`` with a paragraph separator at each break."""
        if len(text) != self.length:
            raise ValueError(f"this map is for a text of {self.length} code points, not {len(text)}")
        if not self.breaks:
            return text
        pieces = []
        previous = 0
        for k in self.breaks:
            pieces.append(text[previous:k])
            previous = k
        pieces.append(text[previous:])
        return QT_BREAK.join(pieces)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 position of code-point ``offset`` (0 ≤ offset ≤ len(text)).

        At a break, the position after the inserted separator (the start of the next paragraph).
        """
        if not 0 <= offset <= self.length:
            raise ValueError(f"code-point offset {offset} outside 0..{self.length}")
        i = bisect_left(self._keys, 2 * offset)
        return offset + (self._deltas[i - 1] if i else 0)

    def to_code_point(self, position: int) -> int:
        """Code-point offset of UTF-16 ``position``.

        A position inside a surrogate pair (which Qt never produces for a cursor, but a raw
        index might) snaps to the start of that character; a position shared by several code
        points (the "\\r\\n" of a Qt document) is the first of them; both ends of an inserted
        break are the code point after it.
        """
        if not 0 <= position <= self.utf16_length:
            raise ValueError(f"UTF-16 position {position} outside 0..{self.utf16_length}")
        # Every special thing starting strictly before `position` shifted it by its step.
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
