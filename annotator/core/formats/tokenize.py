"""The tokenisation Prodigy and CoNLL exports use: fine-grained, deterministic, documented.

A token is one of:

* a run of word characters (letters, digits, underscore) that are not CJK, with any combining
  marks, variation selectors, emoji modifiers and zero-width joiners inside or after it;
* one CJK ideograph or kana (scripts written without spaces), with its combining marks;
* any other single non-space character (punctuation, a symbol, an emoji), with the combining
  marks, modifiers and zero-width-joined characters that follow it (so 👩‍🔬 is one token).

Whitespace separates tokens and is never part of one. Tokens are as small as this allows so that
as many spans as possible start and end on token boundaries; a span that does not is reported by
the exporter, never moved. Offsets are code points, end-exclusive.

Joining the tokens with single spaces and tokenising again gives the same tokens (the CoNLL
importer relies on this).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

#: Scripts written without spaces between words: one character, one token.
_CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002ffff\U00030000-\U0003134f"
)


@lru_cache(maxsize=1)
def _marks() -> str:
    """Character-class ranges of every combining mark (Unicode categories Mn, Mc, Me)."""
    ranges: list[str] = []
    start = previous = -2
    for code in range(0x300, sys.maxunicode + 1):
        if unicodedata.category(chr(code))[0] == "M":
            if code != previous + 1:
                if start >= 0:
                    ranges.append(_range(start, previous))
                start = code
            previous = code
    if start >= 0:
        ranges.append(_range(start, previous))
    return "".join(ranges)


def _range(first: int, last: int) -> str:
    return re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    glue = rf"(?:\u200d[^\s]|[{_marks()}\U0001F3FB-\U0001F3FF])"
    word = rf"[^\W{_CJK}](?:[^\W{_CJK}]|{glue})*"
    cjk = rf"[{_CJK}]{glue}*"
    other = rf"[^\w\s]{glue}*"
    return re.compile(f"{word}|{cjk}|{other}")


def token_offsets(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each token of ``text`` (see the module docstring for the rules), one at a
    time, so that a huge document never has all its tokens in memory at once. A token's text is
    ``text[start:end]``; Prodigy's ``ws`` is whether ``text[end]`` is whitespace."""
    for match in _pattern().finditer(text):
        yield match.span()


def spacy_tokens(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, ws) of the tokens of :func:`token_offsets` plus whitespace tokens, following
    spaCy's ``Token.whitespace_`` convention so that joining each token's text with a space where
    ``ws`` is true gives ``text`` back exactly (``Doc(vocab, words, spaces).text == text``).

    A token's ``ws`` is true when exactly one space (U+0020) follows it and belongs to it; any
    other whitespace between two tokens - a line break, a tab, a second space, NBSP - is a token
    of its own (``ws`` false), as spaCy's tokenizer makes it. Whitespace at the start of the text
    is a token too. Streamed like :func:`token_offsets`.
    """
    previous_start = previous_end = gap = 0
    first = True
    for match in _pattern().finditer(text):
        start, end = match.span()
        if not first:
            # A token's characters are never whitespace, so a space right after it lies in the gap.
            ws = text[previous_end] == " "
            yield previous_start, previous_end, ws
            gap = previous_end + ws
        first = False
        if gap < start:
            yield gap, start, False
        previous_start, previous_end = start, end
    if not first:
        ws = text[previous_end : previous_end + 1] == " "
        yield previous_start, previous_end, ws
        gap = previous_end + ws
    if gap < len(text):
        yield gap, len(text), False
