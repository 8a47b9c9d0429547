"""The tokenisation shared by the Prodigy and CoNLL exports."""

from __future__ import annotations

from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.formats.tokenize import token_offsets


class Token(NamedTuple):
    """One token as the exports write it: its text, offsets, and whether whitespace follows."""

    text: str
    start: int
    end: int
    ws: bool


def tokenize(text: str) -> list[Token]:
    length = len(text)
    return [
        Token(text[start:end], start, end, end < length and text[end].isspace())
        for start, end in token_offsets(text)
    ]


def texts(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def test_words_punctuation_and_numbers_split_finely() -> None:
    assert texts("Wood’s report: 4,500 troops (U.S.).") == [
        "Wood", "’", "s", "report", ":", "4", ",", "500", "troops", "(", "U", ".", "S", ".", ")", ".",
    ]  # fmt: skip


def test_cjk_is_one_character_per_token() -> None:
    assert texts("北朝鮮の兵士がクルスクにいる。") == list("北朝鮮の兵士がクルスクにいる。")


def test_combining_marks_and_emoji_sequences_stay_whole() -> None:
    assert texts("Cafe\u0301 👩‍🔬 👍🏽 1️⃣ x\u0301") == ["Cafe\u0301", "👩\u200d🔬", "👍🏽", "1️⃣", "x\u0301"]


def test_offsets_are_code_points_and_ws_marks_following_space() -> None:
    tokens = tokenize("🎉 ok\r\nno")
    assert [(t.text, t.start, t.end, t.ws) for t in tokens] == [
        ("🎉", 0, 1, True),
        ("ok", 2, 4, True),
        ("no", 6, 8, False),
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
def test_tokens_cover_every_non_space_character_and_are_stable(text: str) -> None:
    tokens = tokenize(text)
    covered = set()
    previous_end = 0
    for token in tokens:
        assert token.start >= previous_end
        assert token.end > token.start
        assert text[token.start : token.end] == token.text
        assert not any(ch.isspace() for ch in token.text)
        covered.update(range(token.start, token.end))
        previous_end = token.end
    assert {i for i, ch in enumerate(text) if not ch.isspace()} == covered
    # CoNLL import rebuilds text by joining tokens with spaces: the tokens must come back.
    assert texts(" ".join(t.text for t in tokens)) == [t.text for t in tokens]
