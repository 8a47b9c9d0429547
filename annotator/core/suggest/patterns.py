"""The patterns source: a JSONL patterns file as spaCy's SpanRuler/EntityRuler and Prodigy's
``--patterns`` take it.

Each line is ``{"label": "actor", "pattern": "North Korea"}`` (a phrase: its exact text, found as
whole words) or ``{"label": "number", "pattern": [{"LIKE_NUM": true}, {"LOWER": "troops"}]}``
(a token pattern, matched by spaCy's ``Matcher`` on spaCy's tokens); an optional ``"id"`` is
shown with the proposals. Phrase patterns need nothing installed; token patterns need spaCy and
are skipped, with one note saying how to install it, when it is missing. A malformed file is
refused with one error naming the file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.formats.jsonlines import iter_json_lines
from annotator.core.formats.records import shown
from annotator.core.paths import resources_dir
from annotator.core.suggest.proposals import BY_PLACE, Proposal
from annotator.core.suggest.spacy_support import INSTALL_HINT, blank, spacy_available
from annotator.core.suggest.words import TextWords

#: The patterns file shipped for the default labels (resources/patterns.jsonl).
DEFAULT_PATTERNS = "patterns.jsonl"


@dataclass(frozen=True)
class Pattern:
    """One line of a patterns file."""

    label: str
    pattern: str | tuple[dict[str, Any], ...]
    id: str | None
    line: int

    @property
    def is_phrase(self) -> bool:
        return isinstance(self.pattern, str)

    def describe(self) -> str:
        name = f" ({self.id})" if self.id else ""
        return f"pattern line {self.line}{name}"


@dataclass
class PatternSet:
    """The patterns of one file, checked, with what had to be left out and why."""

    path: Path
    patterns: list[Pattern]
    #: Labels of the file the project does not have (their patterns are not used), with counts.
    unknown_labels: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def phrases(self) -> list[Pattern]:
        return [p for p in self.patterns if p.is_phrase]

    @property
    def token_patterns(self) -> list[Pattern]:
        return [p for p in self.patterns if not p.is_phrase]


def default_patterns_path() -> Path:
    """The shipped default patterns for actor, claim, denial and number."""
    return Path(str(resources_dir().joinpath(DEFAULT_PATTERNS)))


def load_patterns(
    path: str | Path, labels: Sequence[str], *, skip_unknown_labels: bool = False
) -> PatternSet:
    """Read and check a patterns file; the first bad line raises :class:`InputError` (file:line).

    A label the project does not have is refused naming the line, unless ``skip_unknown_labels``
    (the shipped defaults on a project with other labels): then its patterns are counted and left
    out.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(path, "is a folder, not a patterns file")
    if not path.exists():
        raise InputError(path, "no such patterns file")
    known = set(labels)
    patterns: list[Pattern] = []
    unknown: dict[str, int] = {}
    for number, record in iter_json_lines(path):
        pattern = _parse(path, number, record)
        if pattern.label not in known:
            if not skip_unknown_labels:
                raise InputError(
                    path,
                    f"label {shown(pattern.label)} is not one of the project's labels ({', '.join(labels)})",
                    number,
                )
            unknown[pattern.label] = unknown.get(pattern.label, 0) + 1
            continue
        patterns.append(pattern)
    result = PatternSet(path, patterns, unknown)
    if unknown:
        result.notes.append(
            f"{path}: {sum(unknown.values())} pattern(s) for labels this project does not have left out: "
            + ", ".join(f"{label} ({n})" for label, n in sorted(unknown.items()))
        )
    return result


def _parse(path: Path, number: int, record: dict[str, Any]) -> Pattern:
    if not isinstance(record, dict):
        raise InputError(path, f"a pattern must be a JSON object, got {shown(record)}", number)
    extra = set(record) - {"label", "pattern", "id"}
    if extra:
        raise InputError(
            path, f"unknown field(s) {', '.join(sorted(map(repr, extra)))} (use label, pattern, id)", number
        )
    label = record.get("label")
    if not isinstance(label, str) or not label:
        raise InputError(path, f"'label' must be a non-empty string, got {shown(label)}", number)
    pattern_id = record.get("id")
    if pattern_id is not None and not isinstance(pattern_id, (str, int)):
        raise InputError(path, f"'id' must be a string, got {shown(pattern_id)}", number)
    raw = record.get("pattern")
    if isinstance(raw, str):
        if not raw.strip():
            raise InputError(path, "a phrase pattern must not be empty or blank", number)
        return Pattern(label, raw, None if pattern_id is None else str(pattern_id), number)
    if not isinstance(raw, list) or not raw:
        raise InputError(
            path,
            f"'pattern' must be a phrase (a string) or a non-empty list of token objects, got {shown(raw)}",
            number,
        )
    for position, token in enumerate(raw, start=1):
        if not isinstance(token, dict):
            raise InputError(
                path, f"token {position} of the pattern must be a JSON object, got {shown(token)}", number
            )
    return Pattern(label, tuple(raw), None if pattern_id is None else str(pattern_id), number)


#: spaCy's own limit (``nlp.max_length``): tokenizing a longer text takes seconds and, for a
#: single line of 10 MB without spaces, far longer; such documents get the phrase patterns only.
TOKEN_PATTERN_LIMIT = 1_000_000


class PatternMatcher:
    """Proposals of a :class:`PatternSet` in any document."""

    def __init__(self, patterns: PatternSet, *, source: str, lang: str = "en") -> None:
        self.patterns = patterns
        self.source = source
        self.notes = list(patterns.notes)
        self._phrases: dict[str, list[Pattern]] = {}
        for pattern in patterns.phrases:
            assert isinstance(pattern.pattern, str)
            self._phrases.setdefault(pattern.pattern, []).append(pattern)
        self._nlp: Any = None
        self._matcher: Any = None
        self._by_key: dict[str, Pattern] = {}
        tokens = patterns.token_patterns
        if tokens and not spacy_available():
            self.notes.append(
                f"{patterns.path}: {len(tokens)} token pattern(s) left out: they need spaCy, which is "
                f"not installed ({INSTALL_HINT}); the {len(patterns.phrases)} phrase pattern(s) are used"
            )
        elif tokens:
            self._compile(tokens, lang)

    def _compile(self, tokens: list[Pattern], lang: str) -> None:
        from spacy.matcher import Matcher

        self._nlp = blank(lang)
        self._matcher = Matcher(self._nlp.vocab, validate=True)
        for pattern in tokens:
            key = f"L{pattern.line}"
            try:
                self._matcher.add(key, [list(pattern.pattern)], greedy="LONGEST")
            except Exception as exc:  # spaCy raises MatchPatternError, ValueError or KeyError
                reason = " ".join(str(exc).split())
                raise InputError(
                    self.patterns.path, f"not a valid token pattern: {reason}", pattern.line
                ) from None
            self._by_key[key] = pattern

    def proposals(self, document_id: str, text: str, words: TextWords | None = None) -> list[Proposal]:
        """Every match of every pattern in ``text``, in text order (matches may overlap)."""
        found: dict[tuple[int, int, str], Proposal] = {}
        if self._phrases:
            words = words if words is not None else TextWords(text)
            for start, end, phrase in words.find(self._phrases.keys()):
                for pattern in self._phrases[phrase]:
                    proposal = Proposal(
                        document_id, start, end, pattern.label, self.source, None, pattern.describe()
                    )
                    found.setdefault(proposal.key, proposal)
        if self._matcher is not None and len(text) > TOKEN_PATTERN_LIMIT:
            note = (
                f"token patterns are not matched in documents over {TOKEN_PATTERN_LIMIT:,} characters "
                f"(spaCy's limit; {document_id} has {len(text):,}): only the phrase patterns are"
            )
            if note not in self.notes:
                self.notes.append(note)
        elif self._matcher is not None:
            doc = self._nlp.make_doc(text)
            strings = self._nlp.vocab.strings
            for match_id, start, end in self._matcher(doc):
                pattern = self._by_key[strings[match_id]]
                span = doc[start:end]
                proposal = Proposal(
                    document_id,
                    span.start_char,
                    span.end_char,
                    pattern.label,
                    self.source,
                    None,
                    pattern.describe(),
                )
                found.setdefault(proposal.key, proposal)
        return sorted(found.values(), key=BY_PLACE)


__all__ = [
    "DEFAULT_PATTERNS",
    "Pattern",
    "PatternMatcher",
    "PatternSet",
    "default_patterns_path",
    "load_patterns",
]
