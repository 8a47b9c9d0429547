"""What every format shares: the record readers yield, span checks, and the transfer report."""

from __future__ import annotations

import codecs
import json
from collections import Counter
from collections.abc import Callable, Iterator
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
        raise InputError(path, f"span offsets must be integers, got [{start!r}, {end!r}]", line)
    if not isinstance(label, str) or not label:
        raise InputError(path, f"span [{start}, {end}) has no label (got {label!r})", line)
    if start < 0 or end > len(text) or end <= start:
        raise InputError(
            path,
            f"span [{start}, {end}) {label!r} is outside its text ({len(text)} code points) or empty",
            line,
        )
    if quoted is not None and quoted != text[start:end]:
        raise InputError(
            path,
            f"span [{start}, {end}) {label!r}: its text {quoted!r} differs from the document's "
            f"{text[start:end]!r} (offsets must be code points, end-exclusive)",
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


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) per non-blank line, streamed; bad UTF-8 or JSON names its line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(path, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})", number) from exc
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", number) from exc
            if not isinstance(record, dict):
                raise InputError(path, f"expected a JSON object, got {type(record).__name__}", number)
            if "\\ud" in line or "\\uD" in line:
                try:  # a \u escape of half a UTF-16 pair decodes to a string that is not Unicode text
                    json.dumps(record, ensure_ascii=False).encode("utf-8")
                except UnicodeEncodeError:
                    raise InputError(
                        path, "a \\u escape gives half of a surrogate pair, not a character", number
                    ) from None
            yield number, record


def first_json_record(path: Path) -> dict[str, Any] | None:
    """The first object of a JSONL file (for format detection), or None if there is none."""
    for _number, record in iter_json_lines(path):
        return record
    return None


def record_id(path: Path, number: int, value: Any) -> str:
    """A document id from a record: a non-empty string, or an integer written as a string."""
    if require_int(value):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"document id must be a non-empty string or integer, got {value!r}", number)
    return value


def optional_str(path: Path, number: int, record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(path, f"field {key!r} must be a string or null", number)
    return value


def record_header(path: Path, number: int, record: dict[str, Any]) -> tuple[str, str, str | None, str | None]:
    """(text, id, title, annotator) shared by the JSONL corpus formats.

    The id defaults to ``<file stem>-<line>``; a record without an ``annotator`` key belongs to the
    layer named after the file's stem, an explicit ``null`` to no layer.
    """
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(path, "field 'text' is missing or not a string", number)
    doc_id = record_id(path, number, record.get("id", f"{path.stem}-{number}"))
    title = optional_str(path, number, record, "title")
    annotator = optional_str(path, number, record, "annotator") if "annotator" in record else path.stem
    return text, doc_id, title, annotator
