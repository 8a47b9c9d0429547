"""Snapping, finding and the span index behind the annotation window (no Qt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.text_ops import (
    SpanIndex,
    assign_lanes,
    find_all,
    plan_label_all,
    selection_needle,
    snap_to_words,
)

TEXT = "The U.S. government said, “Robert Wood’s claim” is 4,500 troops. Café\u0301 e.g. this"


def snapped(text: str, start: int, end: int) -> str | None:
    result = snap_to_words(text, start, end)
    return None if result is None else text[result[0] : result[1]]


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ("Robert", "Robert"),
        ("obe", "Robert"),
        (" “Robert Wood’s claim”", "“Robert Wood’s claim”"),  # a quotation keeps its quotes
        ("“Robert Wood’s", "Robert Wood’s"),  # an opening quote without its partner is dropped
        ("Wood’s", "Wood’s"),  # an apostrophe is not a quote
        ("U.S", "U.S."),
        ("U.S.", "U.S."),
        (".S. g", "U.S. government"),
        (",500 ", "4,500"),
        ("4", "4,500"),
        ("troops.", "troops"),
        ("said, ", "said"),
        ("e.g.", "e.g."),
        (", ", ","),
    ],
)
def test_snap_to_words(selected: str, expected: str) -> None:
    start = TEXT.index(selected)
    assert snapped(TEXT, start, start + len(selected)) == expected


QUOTED = (
    "Nebenzia had already dismissed claims as “lies”, during a previous ballistic missile (ICBM) "
    "launch. He said “Russia has enlisted North Korea.” Ambassador Kim, the troops’ commander, "
    "said „nein“ and ‘maybe’. It (“no”) was [sic] \"plain\" and 'single'."
)


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        # A selection holding an opening quote or bracket keeps its partner ...
        ("dismissed claims as “lies”", "dismissed claims as “lies”"),
        ("dismissed claims as “lies”,", "dismissed claims as “lies”"),
        ("ballistic missile (ICBM)", "ballistic missile (ICBM)"),
        ("(ICBM) launch.", "(ICBM) launch"),
        (" “Russia has enlisted North Korea.” ", "“Russia has enlisted North Korea.”"),
        ("It (“no”) was", "It (“no”) was"),
        ("„nein“", "„nein“"),
        ("‘maybe’.", "‘maybe’"),
        ("[sic]", "[sic]"),
        ('"plain"', '"plain"'),
        ("'single'.", "'single'"),
        # ... taking it from right beside the selection when the selection stopped short of it.
        ("dismissed claims as “lies", "dismissed claims as “lies”"),
        ("ballistic missile (ICBM", "ballistic missile (ICBM)"),
        ("“Russia has enlisted North Korea.", "“Russia has enlisted North Korea.”"),
        ("(“no", "(“no”)"),
        ("lies”,", "“lies”"),
        # Unbalanced edge punctuation is still dropped; apostrophes are not quotes.
        ("“Russia has enlisted", "Russia has enlisted"),
        ("Korea.” Ambassador", "Korea.” Ambassador"),  # inside: stays
        ("Ambassador Kim, the troops’", "Ambassador Kim, the troops"),
        ("the troops’ commander,", "the troops’ commander"),
        ("ICBM) launch", "(ICBM) launch"),
    ],
)
def test_snap_keeps_balanced_quotes_and_brackets(selected: str, expected: str) -> None:
    start = QUOTED.index(selected)
    assert snapped(QUOTED, start, start + len(selected)) == expected


EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_snapping_reproduces_the_example_layers(name: str) -> None:
    """The example layers were made with snapping on: each span, selected exactly or with a
    space or a stray punctuation mark around it, snaps to itself."""
    record = json.loads((EXAMPLES / f"kursk-{name}.jsonl").read_text(encoding="utf-8"))
    text = record["text"]
    for span in record["spans"]:
        start, end = span["start"], span["end"]
        assert snap_to_words(text, start, end) == (start, end), text[start:end]
        wider = (max(0, start - 1), min(len(text), end + 1))
        if not any(ch.isalnum() for ch in text[wider[0] : start] + text[end : wider[1]]):
            assert snap_to_words(text, *wider) == (start, end), text[start:end]


def test_label_all_plan_skips_what_already_has_the_label() -> None:
    text = "Kursk, kursk and Kursky; Kursk."
    plan = plan_label_all(text, "Kursk", "place", [(0, 5, "place"), (25, 30, "actor")])
    assert plan.occurrences == ((0, 5), (25, 30))
    assert plan.new == ((25, 30),)
    assert plan.already == 1
    loose = plan_label_all(text, "kursk", "place", [], case_sensitive=False, whole_word=False)
    assert len(loose.occurrences) == 4
    assert plan_label_all(text, "  ", "place", []).occurrences == ()


def test_selection_needle_snaps_when_asked() -> None:
    text = "said “Robert Wood,” today"
    start = text.index("obert")
    assert selection_needle(text, start, start + 5, snap=True) == "Robert"
    assert selection_needle(text, start, start + 5, snap=False) == "obert"


def test_snap_keeps_combining_marks_with_their_letter() -> None:
    start = TEXT.index("Caf")
    assert snapped(TEXT, start, start + 3) == "Café\u0301"


def test_snap_keeps_emoji_sequences_whole() -> None:
    text = "hi 👩\u200d🔬 there"
    assert snapped(text, 2, 6) == "👩\u200d🔬"


def test_only_whitespace_snaps_to_nothing() -> None:
    assert snap_to_words("a   b", 1, 4) is None
    assert snap_to_words("abc", 2, 2) is None


def test_reversed_and_out_of_range_selections() -> None:
    assert snap_to_words("hello world", 8, 2) == (0, 11)
    assert snap_to_words("hello", -3, 99) == (0, 5)


@given(st.text(max_size=60), st.data())
def test_snap_stays_inside_the_text_and_trims_spaces(text: str, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(0, len(text)))
    result = snap_to_words(text, a, b)
    if result is None:
        assert text[min(a, b) : max(a, b)].strip() == "" or min(a, b) == max(a, b)
        return
    start, end = result
    assert 0 <= start < end <= len(text)
    assert not text[start].isspace()
    assert not text[end - 1].isspace()


def test_find_all_case_and_whole_words() -> None:
    text = "Kursk, kursk and Kursky; KURSK"
    assert find_all(text, "kursk") == [(0, 5), (7, 12), (17, 22), (25, 30)]
    assert find_all(text, "Kursk", case_sensitive=True) == [(0, 5), (17, 22)]
    assert find_all(text, "kursk", whole_word=True) == [(0, 5), (7, 12), (25, 30)]
    assert find_all(text, "") == []
    assert find_all("a.b a+b", "a+b") == [(4, 7)]  # no regular-expression surprises


def test_find_all_offsets_are_code_points() -> None:
    text = "😀 Seoul 😀 Seoul"
    assert [text[s:e] for s, e in find_all(text, "seoul")] == ["Seoul", "Seoul"]
    assert find_all(text, "Seoul")[0] == (2, 7)


def test_find_all_does_not_overlap() -> None:
    assert find_all("aaaa", "aa") == [(0, 2), (2, 4)]


def test_span_index_overlap_and_at() -> None:
    index: SpanIndex[str] = SpanIndex([("claim", 10, 60), ("number", 30, 35), ("far", 5000, 5010)])
    assert sorted(k for k, _, _ in index.overlapping(0, 20)) == ["claim"]
    assert sorted(k for k, _, _ in index.overlapping(32, 33)) == ["claim", "number"]
    assert index.at(31) == ["number", "claim"]
    assert index.at(60) == []
    assert [k for k, _, _ in index.overlapping(4000, 6000)] == ["far"]
    index.remove("number")
    assert index.at(31) == ["claim"]
    index.add("claim", 100, 101)  # moving a key
    assert index.at(31) == []
    assert len(index) == 2
    assert "claim" in index


@given(
    st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 600)), max_size=40),
    st.integers(0, 3500),
    st.integers(0, 700),
)
def test_span_index_matches_brute_force(ranges: list[tuple[int, int]], start: int, length: int) -> None:
    items = [(i, s, s + n) for i, (s, n) in enumerate(ranges)]
    index = SpanIndex(items)
    end = start + length
    expected = {i for i, s, e in items if s < max(end, start + 1) and e > start}
    assert {k for k, _, _ in index.overlapping(start, end)} == expected


def test_lanes_separate_overlapping_spans() -> None:
    lanes = assign_lanes([("claim", 0, 50), ("number", 10, 15), ("other", 40, 70), ("later", 80, 90)])
    assert lanes["claim"] == 0
    assert lanes["number"] == 1
    assert lanes["other"] == 1  # free again after "number" ends
    assert lanes["later"] == 0


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30)), max_size=25))
def test_lanes_never_share_overlapping_spans(ranges: list[tuple[int, int]]) -> None:
    items = [(i, s, s + n) for i, (s, n) in enumerate(ranges)]
    lanes = assign_lanes(items)
    for i, s1, e1 in items:
        for j, s2, e2 in items:
            if i < j and s1 < e2 and s2 < e1:
                assert lanes[i] != lanes[j]


def test_lanes_can_be_capped() -> None:
    items = [("a", 0, 10), ("b", 2, 4), ("c", 5, 8), ("d", 12, 14), ("e", 3, 6)]
    assert assign_lanes(items, most=3) == {"a": 0, "b": 1, "c": 1, "d": 0, "e": 2}
    crowded = [(i, 0, 10) for i in range(5)]
    assert sorted(assign_lanes(crowded, most=2).values()) == [0, 1, 1, 1, 1]
