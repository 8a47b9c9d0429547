"""The record every reader yields and every writer takes, and the report of what a transfer did.

Also the checks every format applies to a record (a span inside its text, ``meta`` not nested
too deeply) and :func:`shown`, the short quotation of a bad value that error messages use.
"""

from __future__ import annotations

import reprlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError, InputError

#: A span as the formats carry it: (start, end, label, note); offsets are code points.
SpanTuple = tuple[int, int, str, "str | None"]

#: Called as ``progress(done, total)``; may raise :class:`Cancelled` to stop the run.
Progress = Callable[[int, int], None]

#: How many examples a report keeps per reason.
EXAMPLES_PER_REASON = 5


class Cancelled(AnnotatorError):
    """The user stopped an export or import; nothing of it was kept."""

    def __init__(self) -> None:
        super().__init__("cancelled: nothing was kept")


@dataclass
class CorpusRecord:
    """One document and (optionally) one annotator's layer of it, as a file holds it.

    ``annotator`` is None for a document without a layer; ``status`` is None when the format
    does not carry one. ``spans`` are checked against ``text`` by the reader that made the record.
    """

    id: str
    title: str | None
    text: str
    annotator: str | None
    status: str | None
    spans: list[SpanTuple]
    meta: dict[str, Any]
    line: int | None = None
    path: Path | None = None
    #: Where each span was read (formats with one line per span, e.g. brat), for error messages.
    span_lines: list[int] | None = None
    #: The suggestion source of spans that were accepted from one, by (start, end, label)
    #: (native JSONL's ``"source"``; other formats cannot hold it).
    sources: dict[tuple[int, int, str], str] | None = None


@dataclass
class TransferReport:
    """What an export or import did and, above all, what it had to leave out and why."""

    documents: int = 0
    #: Of ``documents`` (imports), how many the project already had with the same text.
    reused: int = 0
    records: int = 0
    spans: int = 0
    files: list[Path] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def leave_out(self, reason: str, example: str, count: int = 1) -> None:
        """Count ``count`` things left out for ``reason``, keeping a few examples."""
        self.left_out[reason] += count
        examples = self.examples.setdefault(reason, [])
        if len(examples) < EXAMPLES_PER_REASON:
            examples.append(example)

    def summary_lines(self) -> list[str]:
        """One line per reason: count, reason and examples."""
        lines = []
        for reason, count in sorted(self.left_out.items()):
            examples = "; ".join(self.examples.get(reason, []))
            lines.append(f"{count:,} left out: {reason}" + (f" (e.g. {examples})" if examples else ""))
        return lines


def require_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_span(
    path: Path, line: int | None, text: str, start: Any, end: Any, label: Any, quoted: Any = None
) -> None:
    """Raise :class:`InputError` if a span does not fit its text (or its quoted text differs)."""
    if not require_int(start) or not require_int(end):
        raise InputError(path, f"span offsets must be integers, got [{shown(start)}, {shown(end)}]", line)
    if not isinstance(label, str) or not label:
        raise InputError(path, f"span [{start}, {end}) has no label (got {shown(label)})", line)
    if start < 0 or end > len(text) or end <= start:
        raise InputError(
            path,
            f"span [{start}, {end}) {shown(label)} is outside its text ({len(text)} code points) or empty",
            line,
        )
    if quoted is not None and quoted != text[start:end]:
        raise InputError(
            path,
            f"span [{start}, {end}) {shown(label)}: its text {shown(quoted)} differs from the document's "
            f"{shown(text[start:end])} (offsets must be code points, end-exclusive)",
            line,
        )


def describe(record: CorpusRecord, span: SpanTuple) -> str:
    """A short example for a report: document, layer, offsets, label and text."""
    start, end, label = span[0], span[1], span[2]
    snippet = record.text[start:end]
    if len(snippet) > 30:
        snippet = snippet[:29] + "…"
    layer = f"/{record.annotator}" if record.annotator else ""
    return f"{record.id}{layer} [{start}, {end}) {label} {snippet!r}"


#: How deep a document's ``meta`` may nest (deeper JSON is refused, not stored).
MAX_META_DEPTH = 100
#: How much of a bad value an error message quotes.
_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlong = 40
_SHORT.maxlevel = 2
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4


def shown(value: Any) -> str:
    """A short ``repr`` of a value from a file, for an error message (never huge, never recursing)."""
    return _SHORT.repr(value)


def check_meta(path: Path, number: int | None, meta: dict[str, Any], field: str = "meta") -> None:
    """Refuse a ``meta`` object nested deeper than :data:`MAX_META_DEPTH` levels."""
    stack: list[tuple[Any, int]] = [(value, 1) for value in meta.values() if isinstance(value, (dict, list))]
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_META_DEPTH:
            raise InputError(
                path, f"field {field!r} is nested more than {MAX_META_DEPTH} levels deep", number
            )
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))
