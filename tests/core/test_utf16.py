"""OffsetMap: the one conversion between code points and UTF-16 / Qt document positions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.utf16 import OffsetMap, utf16_len

PIECES = st.sampled_from(
    [
        "a",
        " ",
        "😀",
        "👩\u200d👩\u200d👧",  # ZWJ sequence: five code points, eight UTF-16 units
        "🇺🇦",  # regional indicators
        "中文",
        "e\u0301",
        "\r\n",
        "\r",
        "\n",
        "𝔘",
        "\ufeff",
        "\u2029",
        "שלום",
    ]
)
TEXTS = st.lists(PIECES | st.text(max_size=3), max_size=40).map("".join)


def units_before(text: str, cp: int) -> int:
    return utf16_len(text[:cp])


def qt_units_before(text: str, cp: int) -> int:
    """What a QTextDocument given ``text`` by setPlainText counts before code point ``cp``."""
    prefix = text[:cp]
    units = utf16_len(prefix) - prefix.count("\r\n")
    if text.startswith("\ufeff") and cp > 0:
        units -= 1
    if cp > 0 and text[cp - 1] == "\r" and text[cp : cp + 1] == "\n":
        units -= 1  # cp is the "\n" of a pair: same position as its "\r"
    return units


def test_ascii_is_the_identity() -> None:
    offsets = OffsetMap("plain ascii")
    assert [offsets.to_utf16(i) for i in range(12)] == list(range(12))
    assert offsets.utf16_length == 11


def test_emoji_take_two_units() -> None:
    text = "a😀b😀"
    offsets = OffsetMap(text)
    assert [offsets.to_utf16(i) for i in range(5)] == [0, 1, 3, 4, 6]
    assert [offsets.to_code_point(p) for p in range(7)] == [0, 1, 1, 2, 3, 3, 4]
    assert offsets.span_to_code_points(1, 2) == (1, 2)  # half a pair widens to the emoji


def test_zwj_sequence_and_flags() -> None:
    text = "x👩\u200d🔬y🇺🇦"
    offsets = OffsetMap(text)
    start, end = offsets.span_to_utf16(1, 4)
    assert (start, end) == (1, 6)
    assert offsets.span_to_code_points(start, end) == (1, 4)
    assert text[1:4] == "👩\u200d🔬"
    assert offsets.to_utf16(len(text)) == utf16_len(text)


def test_cjk_and_combining_marks_are_one_unit_each() -> None:
    text = "中文 e\u0301"
    offsets = OffsetMap(text)
    assert [offsets.to_utf16(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))


def test_qt_document_collapses_crlf_and_drops_a_leading_bom() -> None:
    text = "\ufeffa\r\nb😀c"
    offsets = OffsetMap.for_qt_document(text)
    assert offsets.utf16_length == 6
    assert [offsets.to_utf16(i) for i in range(len(text) + 1)] == [0, 0, 1, 1, 2, 3, 5, 6]
    assert [offsets.to_code_point(p) for p in range(7)] == [1, 2, 4, 5, 5, 6, 7]
    # Plain UTF-16 (a QString) keeps both.
    assert OffsetMap(text).utf16_length == utf16_len(text)


def test_crlf_at_the_start_is_not_a_bom() -> None:
    offsets = OffsetMap.for_qt_document("\r\nx")
    assert offsets.to_code_point(0) == 0
    assert offsets.to_code_point(1) == 2


@pytest.mark.parametrize("bad", [-1, 5])
def test_out_of_range_is_refused(bad: int) -> None:
    offsets = OffsetMap("abcd")
    with pytest.raises(ValueError, match="outside"):
        offsets.to_utf16(bad)
    with pytest.raises(ValueError, match="outside"):
        offsets.to_code_point(bad)


def test_empty_text() -> None:
    for offsets in (OffsetMap(""), OffsetMap.for_qt_document("")):
        assert offsets.to_utf16(0) == 0
        assert offsets.to_code_point(0) == 0


@given(TEXTS)
def test_to_utf16_counts_units_before(text: str) -> None:
    offsets = OffsetMap(text)
    assert offsets.utf16_length == utf16_len(text)
    for cp in range(len(text) + 1):
        assert offsets.to_utf16(cp) == units_before(text, cp)
        assert offsets.to_code_point(offsets.to_utf16(cp)) == cp


@given(TEXTS, st.data())
def test_any_utf16_selection_maps_to_whole_characters(text: str, data: st.DataObject) -> None:
    offsets = OffsetMap(text)
    a = data.draw(st.integers(0, offsets.utf16_length))
    b = data.draw(st.integers(a, offsets.utf16_length))
    start, end = offsets.span_to_code_points(a, b)
    assert 0 <= start <= end <= len(text)
    # The code-point span covers at least the selected units.
    assert offsets.to_utf16(start) <= a
    assert offsets.to_utf16(end) >= b


@given(TEXTS)
def test_qt_document_positions(text: str) -> None:
    offsets = OffsetMap.for_qt_document(text)
    for cp in range(len(text) + 1):
        assert offsets.to_utf16(cp) == qt_units_before(text, cp)
    for cp in range(len(text) + 1):
        back = offsets.to_code_point(offsets.to_utf16(cp))
        # Several code points can share a position ("\r\n", a leading BOM): the first of them
        # that a user could select comes back, and it has the same position.
        assert offsets.to_utf16(back) == offsets.to_utf16(cp)
        assert back <= cp or (cp == 0 and back == 1 and text.startswith("\ufeff"))
