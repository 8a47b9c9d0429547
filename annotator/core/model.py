"""The domain of Annotator: documents, labels, annotators, spans and per-document status.

Offsets are Unicode code points and end-exclusive everywhere: ``text[start:end]`` is the text
of a span. Only :mod:`annotator.core.utf16` knows about any other unit.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from annotator.core.errors import AnnotatorError, LabelError, SpanError
from annotator.core.paths import resource_text

#: The reserved annotator layer that holds adjudicated (gold) spans.
GOLD_LAYER = "gold"

_LABEL_NAME = re.compile(r"^[^\s,\[\]{}\"'=]+(?: [^\s,\[\]{}\"'=]+)*$")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
HOTKEYS = tuple("1234567890")


class Unchanged(Enum):
    """Marks an optional argument as "leave as it is" where ``None`` is a real value."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


class Automatic(Enum):
    """Marks an optional argument as "choose one for me" where ``None`` is a real value."""

    AUTOMATIC = "automatic"


AUTOMATIC = Automatic.AUTOMATIC


class Status(str, Enum):
    """Where one annotator stands with one document."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def display_name(self) -> str:
        return {"todo": "To do", "in_progress": "In progress", "done": "Done"}[self.value]


def content_hash(text: str) -> str:
    """SHA-256 of the UTF-8 text: documents are matched by id *and* this hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """A text to annotate; its text never changes once spans may point into it."""

    id: str
    title: str
    text: str
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True)
class DocumentSummary:
    """A row of the document list: no text, just what a list or a report shows."""

    id: str
    title: str
    length: int
    position: int
    status: dict[str, Status]
    span_counts: dict[str, int]

    def status_for(self, annotator: str) -> Status:
        return self.status.get(annotator, Status.TODO)


@dataclass(frozen=True)
class Label:
    """One tag a span can carry."""

    name: str
    color: str
    hotkey: str | None = None

    def __post_init__(self) -> None:
        validate_label_name(self.name)
        if not _COLOR.match(self.color):
            raise LabelError(f"label {self.name!r}: colour {self.color!r} is not #RRGGBB")
        if self.hotkey is not None and self.hotkey not in HOTKEYS:
            raise LabelError(f"label {self.name!r}: hotkey {self.hotkey!r} must be one of the digits 0-9")


def validate_label_name(name: str) -> None:
    """Label names travel into BIO tags, brat and CSV-like lists: keep them clean."""
    if not isinstance(name, str) or not name or not _LABEL_NAME.match(name):
        raise LabelError(
            f"label name {name!r} is not allowed: use letters, digits and punctuation, "
            "no leading/trailing space, no commas, quotes, brackets or '='"
        )
    if not name.isprintable():
        raise LabelError(
            f"label name {name!r} is not allowed: it holds control or formatting characters "
            "(bidi controls, zero-width characters)"
        )
    if len(name) > 64:
        raise LabelError(f"label name {name!r} is longer than 64 characters")
    if name == "O":
        raise LabelError("label name 'O' is reserved for 'outside' in BIO tagging")


@dataclass(frozen=True)
class LabelSet:
    """The ordered labels of a project."""

    labels: tuple[Label, ...]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, name: object) -> bool:
        return any(label.name == name for label in self.labels)

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def get(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise LabelError(f"unknown label {name!r} (labels are: {', '.join(self.names)})")

    def by_hotkey(self, key: str) -> Label | None:
        for label in self.labels:
            if label.hotkey == key:
                return label
        return None


def default_label_set() -> LabelSet:
    """The label set of a new project, read from ``resources/labels.json``."""
    data = json.loads(resource_text("labels.json"))
    return LabelSet(tuple(Label(**entry) for entry in data["default_labels"]))


def label_palette() -> list[str]:
    """Colour-blind-safe colours offered for new labels."""
    palette: list[str] = json.loads(resource_text("labels.json"))["palette"]
    return palette


@dataclass(frozen=True)
class Span:
    """A labelled stretch of a document, in one annotator's layer."""

    id: int
    document_id: str
    annotator: str
    start: int
    end: int
    label: str
    note: str | None = None
    created: str = ""
    updated: str = ""
    #: The suggestion source the span was accepted from (None: made by hand).
    source: str | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]


#: A span as agreement and adjudication see it: (start, end, label).
SpanKey = tuple[int, int, str]


class Decision(str, Enum):
    """What a reviewer chose for one disagreement between two layers."""

    A = "a"
    B = "b"
    BOTH = "both"
    NEITHER = "neither"
    EDIT = "edit"

    @property
    def caption(self) -> str:
        return {
            "a": "accept A",
            "b": "accept B",
            "both": "both",
            "neither": "neither",
            "edit": "edited",
        }[self.value]


@dataclass(frozen=True)
class DecisionRecord:
    """A reviewer's recorded decision on one disagreement (a row of ``adjudications``)."""

    document_id: str
    a: str
    b: str
    a_span: SpanKey | None
    b_span: SpanKey | None
    start: int
    end: int
    kind: str
    decision: Decision
    result: tuple[SpanKey, ...]
    decided_at: str

    @property
    def key(self) -> tuple[SpanKey | None, SpanKey | None]:
        return (self.a_span, self.b_span)


def validate_span(text: str, start: int, end: int, label: str, labels: LabelSet) -> None:
    """Check the span rules and say which one is broken."""
    if isinstance(start, bool) or not isinstance(start, int):
        raise SpanError(f"span start {start!r} is not an integer")
    if isinstance(end, bool) or not isinstance(end, int):
        raise SpanError(f"span end {end!r} is not an integer")
    if start < 0:
        raise SpanError(f"span start {start} is negative")
    if end > len(text):
        raise SpanError(f"span end {end} is past the end of the text ({len(text)} code points)")
    if end <= start:
        raise SpanError(f"span [{start}, {end}) is empty: end must be greater than start")
    if label not in labels:
        raise SpanError(f"unknown label {label!r} (labels are: {', '.join(labels.names)})")


def validate_annotator_name(name: str) -> str:
    """The trimmed name, if it can name a layer: printable, one safe path component, not empty.

    A layer becomes a folder of its own in a brat export, so a name is never a path: no slashes,
    and never ``.`` or ``..`` (the export's writers escape and check names as well).
    """
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned:
        raise AnnotatorError("annotator name must not be empty")
    if len(cleaned) > 80 or any(ch in cleaned for ch in "/\\") or not cleaned.isprintable():
        raise AnnotatorError(
            f"annotator name {name!r} is not allowed (at most 80 characters, no slashes, tabs, "
            "control or formatting characters)"
        )
    if cleaned in (".", ".."):
        raise AnnotatorError(f"annotator name {name!r} is not allowed: '.' and '..' name folders, not people")
    return cleaned
