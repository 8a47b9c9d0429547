"""The memory source: exact strings → majority label, whole words, case option, incremental updates."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.suggest.memory import Memory, MemoryMatcher
from annotator.core.suggest.words import TextWords, whole_word

TEXT = (
    "North Korean troops reached Kursk. North Korea said nothing; north korean officials spoke.\r\n"
    "Kim’s aides met Kim Sang Jin 👩‍🔬 in 北朝鮮. Nebenzia called it lies. 4,500 troops, $4.5bn, $4.5bn.\n"
    "Café Kursk and Cafe\u0301 Kursk; Kurskish is not Kursk."
)


def spans_of(matcher: MemoryMatcher) -> list[tuple[str, str]]:
    return [(matcher.text[p.start : p.end], p.label) for p in matcher.proposals()]


def test_a_labelled_string_is_proposed_wherever_it_occurs_as_whole_words() -> None:
    memory = Memory()
    memory.learn("Kursk", "actor")
    matcher = MemoryMatcher(memory, "doc", TEXT)
    found = matcher.proposals()
    assert [TEXT[p.start : p.end] for p in found] == ["Kursk"] * 4  # not inside "Kurskish"
    assert all(p.source == "memory" and p.document_id == "doc" and p.score == 1.0 for p in found)
    assert [(p.start, p.end) for p in found] == [
        (m.start(), m.end()) for m in re.finditer(r"\bKursk\b", TEXT)
    ]


def test_offsets_are_code_points_after_emoji_cjk_marks_and_crlf() -> None:
    memory = Memory()
    for string in ("北朝鮮", "Kim Sang Jin", "Cafe\u0301", "$4.5bn", "4,500 troops"):
        memory.learn(string, "actor")
    matcher = MemoryMatcher(memory, "doc", TEXT)
    found = spans_of(matcher)
    assert ("北朝鮮", "actor") in found
    assert ("Kim Sang Jin", "actor") in found
    assert ("Cafe\u0301", "actor") in found
    assert found.count(("$4.5bn", "actor")) == 2
    assert ("4,500 troops", "actor") in found
    for proposal in matcher.proposals():
        assert TEXT[proposal.start : proposal.end] in (
            "北朝鮮",
            "Kim Sang Jin",
            "Cafe\u0301",
            "$4.5bn",
            "4,500 troops",
        )


def test_majority_label_with_the_split_and_ties_broken_by_label_order() -> None:
    memory = Memory(label_order=["actor", "claim", "number"])
    memory.learn("Kim", "claim")
    memory.learn("Kim", "actor")
    vote = memory.vote("Kim")
    assert vote is not None
    assert (vote.label, vote.split) == ("actor", "actor 1 · claim 1")  # a tie: the earlier label
    memory.learn("Kim", "claim")
    vote = memory.vote("Kim")
    assert vote is not None
    assert (vote.label, vote.split, round(vote.share, 3)) == ("claim", "claim 2 · actor 1", 0.667)
    [first, *_] = MemoryMatcher(memory, "doc", TEXT).proposals()
    assert (TEXT[first.start : first.end], first.label, first.detail) == (
        "Kim",
        "claim",
        "labelled claim 2 · actor 1",
    )


def test_case_option() -> None:
    exact = Memory()
    exact.learn("North Korean", "actor")
    assert [s for s, _ in spans_of(MemoryMatcher(exact, "d", TEXT))] == ["North Korean"]
    folded = Memory(case_sensitive=False)
    folded.learn("North Korean", "actor")
    folded.learn("NORTH KOREAN", "claim")
    folded.learn("north korean", "actor")
    assert [s for s, _ in spans_of(MemoryMatcher(folded, "d", TEXT))] == ["North Korean", "north korean"]
    vote = folded.vote("north korean")
    assert vote is not None
    assert vote.split == "actor 2 · claim 1"


def test_blank_strings_are_not_learned_and_forgetting_everything_forgets_the_string() -> None:
    memory = Memory()
    assert memory.learn("   ", "actor") is None
    memory.learn("Kim", "actor")
    memory.forget("Kim", "actor")
    assert "Kim" not in memory
    assert memory.vote("Kim") is None
    assert MemoryMatcher(memory, "d", TEXT).proposals() == []


def test_updates_report_exactly_what_changed_and_match_a_fresh_matcher() -> None:
    memory = Memory(label_order=["actor", "claim"])
    memory.learn("Kursk", "actor")
    matcher = MemoryMatcher(memory, "d", TEXT)
    gone, new = matcher.update([memory.learn("Kim", "actor")])
    assert gone == []
    assert [TEXT[p.start : p.end] for p in new] == ["Kim", "Kim"]
    # relabelling one "Kim" to claim: a tie, actor stays (label order), the split shows
    gone, new = matcher.update([memory.learn("Kim", "claim")])
    assert len(gone) == len(new) == 2
    assert {p.detail for p in new} == {"labelled actor 1 · claim 1"}
    gone, new = matcher.update([memory.forget("Kim", "actor")])
    assert {p.label for p in new} == {"claim"}
    gone, new = matcher.update([memory.forget("Kim", "claim")])
    assert ([TEXT[p.start : p.end] for p in gone], new) == (["Kim", "Kim"], [])
    assert matcher.proposals() == MemoryMatcher(memory, "d", TEXT).proposals()


WORDS = ["Kim", "Kursk", "kursk", "North", "Korea", "4,500", "👩‍🔬", "北朝鮮", "e\u0301", "a", "Kims", "_x"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS + [" ", ", ", ".\r\n", "’s ", "-"]), max_size=40),
    st.lists(
        st.tuples(
            st.sampled_from(WORDS + ["North Korea", "Kim Kim", "4,500 Kim"]),
            st.sampled_from(["actor", "claim"]),
        ),
        max_size=8,
    ),
    st.booleans(),
)
def test_matches_equal_a_brute_force_whole_word_search(
    parts: list[str], learned: list[tuple[str, str]], case: bool
) -> None:
    text = "".join(parts)
    memory = Memory(case_sensitive=case)
    for string, label in learned:
        memory.learn(string, label)
    expected = set()
    for key in memory.keys():
        # brute force: every position, same length, equal (lowered), whole words
        for start in range(len(text) - len(key) + 1):
            piece = text[start : start + len(key)]
            if (piece if case else piece.lower()) == key and whole_word(text, start, start + len(key)):
                expected.add((start, start + len(key)))
    got = {(p.start, p.end) for p in MemoryMatcher(memory, "d", text).proposals()}
    assert got == expected


def test_text_words_finds_every_needle_at_scale() -> None:
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(500)]
    text = " ".join(rng.choice(vocabulary) for _ in range(5000))
    needles = rng.sample(vocabulary, 50) + ["w1 w2", "nothing"]
    found = TextWords(text).find(needles)
    expected = sorted(
        (m.start(), m.end(), needle)
        for needle in needles
        for m in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text)
    )
    assert found == expected
