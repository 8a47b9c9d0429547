"""The patterns source: spaCy SpanRuler / Prodigy patterns files, phrases without spaCy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.importing import seed_documents
from annotator.core.suggest.patterns import PatternMatcher, default_patterns_path, load_patterns

LABELS = ["actor", "claim", "denial", "number"]
TEXT = (
    "North Korea 👩‍🔬 denied it.\r\nNorth Korean envoys: nearly 4,500 troops; north korea; "
    "北朝鮮 denied the claims."
)


def write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "patterns.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), "utf-8"
    )
    return path


def found(matcher: PatternMatcher, text: str = TEXT) -> list[tuple[str, str]]:
    return [(text[p.start : p.end], p.label) for p in matcher.proposals("doc", text)]


def test_phrase_patterns_match_exact_whole_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"label": "actor", "pattern": "North Korea", "id": "nk"},
        {"label": "actor", "pattern": "北朝鮮"},
        {"label": "denial", "pattern": "denied"},
    )
    matcher = PatternMatcher(load_patterns(path, LABELS), source="patterns:patterns")
    assert found(matcher) == [
        ("North Korea", "actor"),  # not "North Korean", not "north korea" (phrases are exact, as in spaCy)
        ("denied", "denial"),
        ("北朝鮮", "actor"),
        ("denied", "denial"),
    ]
    [first, *_] = matcher.proposals("doc", TEXT)
    assert (first.source, first.detail) == ("patterns:patterns", "pattern line 1 (nk)")


def test_token_patterns_use_spacys_matcher(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "label": "number",
            "pattern": [{"LOWER": "nearly", "OP": "?"}, {"LIKE_NUM": True}, {"LOWER": "troops"}],
        },
        {"label": "actor", "pattern": [{"LOWER": "north"}, {"LOWER": "korea"}]},
    )
    matcher = PatternMatcher(load_patterns(path, LABELS), source="p")
    assert found(matcher) == [
        ("North Korea", "actor"),
        ("nearly 4,500 troops", "number"),  # the longest match only
        ("north korea", "actor"),
    ]


def test_the_default_patterns_find_numbers_and_denials_in_the_sample_article() -> None:
    [article] = list(seed_documents())
    matcher = PatternMatcher(load_patterns(default_patterns_path(), LABELS), source="patterns:default")
    got = found(matcher, article.text)
    assert ("4,500 personnel", "number") in got
    assert ("nearly double", "number") in got
    assert ("dismissed claims of North Korean troop deployments as “lies”", "denial") in got
    assert ("Ambassador Vassily Nebenzia", "actor") in got
    assert matcher.notes == []


def test_default_patterns_for_labels_a_project_lacks_are_left_out_with_a_note() -> None:
    patterns = load_patterns(default_patterns_path(), ["actor"], skip_unknown_labels=True)
    assert {p.label for p in patterns.patterns} == {"actor"}
    assert "labels this project does not have left out: denial" in patterns.notes[0]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"label": "actor", "pattern": "x"', "malformed JSON"),
        ('["actor", "x"]', "JSON object"),
        ('{"label": "actor"}', "'pattern' must be a phrase"),
        ('{"label": "", "pattern": "x"}', "'label' must be a non-empty string"),
        ('{"label": "actor", "pattern": "  "}', "must not be empty"),
        ('{"label": "actor", "pattern": [1]}', "token 1 of the pattern must be a JSON object"),
        ('{"label": "actor", "pattern": "x", "colour": "red"}', "unknown field"),
        ('{"label": "villain", "pattern": "x"}', "label 'villain' is not one of the project's labels"),
        ('{"label": "actor", "pattern": [{"NOT_AN_ATTR": "x"}]}', "not a valid token pattern"),
        ('{"label": "actor", "pattern": [{"LOWER": "x", "OP": "%"}]}', "not a valid token pattern"),
    ],
)
def test_a_malformed_patterns_file_is_one_error_naming_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = write(tmp_path, {"label": "actor", "pattern": "fine"}, line)
    with pytest.raises(InputError) as caught:
        PatternMatcher(load_patterns(path, LABELS), source="p")
    assert str(caught.value).startswith(f"{path}:2: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_patterns_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such patterns file"):
        load_patterns(tmp_path / "nope.jsonl", LABELS)


def test_without_spacy_phrases_work_and_token_patterns_say_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now raises ImportError
    path = write(
        tmp_path,
        {"label": "actor", "pattern": "North Korea"},
        {"label": "number", "pattern": [{"LIKE_NUM": True}]},
    )
    matcher = PatternMatcher(load_patterns(path, LABELS), source="p")
    assert found(matcher) == [("North Korea", "actor")]
    [note] = matcher.notes
    assert "1 token pattern(s) left out: they need spaCy" in note
    assert "pip install 'annotator[suggest]'" in note


def test_a_document_over_the_limit_gets_the_phrase_patterns_only_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spaCy refuses texts over ``nlp.max_length`` (and tokenizing 10 MB takes far too long):
    such a document gets the phrase patterns, and the matcher says why the token patterns are
    missing. The limit is lowered here to keep the test small: the rule is the same."""
    import annotator.core.suggest.patterns as patterns

    path = write(
        tmp_path,
        {"label": "actor", "pattern": [{"LOWER": "north"}, {"LOWER": "korea"}]},
        {"label": "actor", "pattern": "Seoul"},
    )
    matcher = PatternMatcher(load_patterns(path, LABELS), source="p")
    monkeypatch.setattr(patterns, "TOKEN_PATTERN_LIMIT", 100)
    text = "filler " * 20 + "North Korea and Seoul said so."
    assert [p.text_in(text) for p in matcher.proposals("long", text)] == ["Seoul"]
    assert any("over 100 characters" in note and "long has 170" in note for note in matcher.notes)
    assert found(matcher, "North Korea and Seoul.") == [("North Korea", "actor"), ("Seoul", "actor")]
