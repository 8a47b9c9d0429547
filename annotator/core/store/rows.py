"""Stored rows into domain objects, refusing rows that break the rules (the one place that checks).

Everything Annotator writes keeps these rules, so a row that breaks one was changed by something
else (another program, a bad copy, a hand edit). Each such row raises
:class:`~annotator.core.errors.DamagedRowError` naming the file, the document and, for a span,
the span: one line for the command line, a message in the window, never a traceback, and never
an export that its own import would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError, DamagedRowError
from annotator.core.model import (
    Decision,
    DecisionRecord,
    Document,
    Label,
    Span,
    SpanKey,
    Status,
)

#: Span columns in the order :func:`span` takes them.
SPAN_COLUMNS = 'id, document_id, annotator, start, "end", label, note, created, updated, source'
#: The same for a file older than span sources (read-only: "source" reads as NULL).
SPAN_COLUMNS_BEFORE_SOURCES = 'id, document_id, annotator, start, "end", label, note, created, updated, NULL'
#: Document columns in the order :func:`document` takes them.
DOCUMENT_COLUMNS = "id, title, text, source, meta"


def damaged(where: Path | None, row: str, problem: str) -> DamagedRowError:
    """The error for one damaged row: the file, the row, what is wrong, what was done."""
    return DamagedRowError(
        f"{where or 'project'}: damaged row in the project file: {row}: {problem}; nothing was "
        "changed (restore the file from a backup, or repair that row)"
    )


def _kind(value: object) -> str:
    return {bytes: "binary data (BLOB)", type(None): "empty (NULL)"}.get(type(value), type(value).__name__)


def document_text(where: Path | None, doc_id: str, text: object) -> str:
    if type(text) is not str:
        raise damaged(where, f"document {doc_id!r}", f"its text is {_kind(text)}, not text")
    return text


def document(where: Path | None, row: Sequence[Any]) -> Document:
    """A :class:`Document` from (id, title, text, source, meta)."""
    doc_id, title, text, source, meta = row
    if type(doc_id) is not str or not doc_id:
        raise damaged(where, f"document {doc_id!r}", "its id is not a non-empty text")
    text = document_text(where, doc_id, text)
    if type(title) is not str:
        raise damaged(where, f"document {doc_id!r}", f"its title is {_kind(title)}, not text")
    if type(source) is not str:
        raise damaged(where, f"document {doc_id!r}", f"its source is {_kind(source)}, not text")
    return Document(doc_id, title, text, source, document_meta(where, doc_id, meta))


def document_meta(where: Path | None, doc_id: str, meta: object) -> dict[str, Any]:
    problem = f"its meta is {_kind(meta)}, not a JSON object"
    if type(meta) is str:
        try:
            value = json.loads(meta)
        except (ValueError, RecursionError):
            problem = "its meta is not valid JSON"
        else:
            if type(value) is dict:
                return value
    raise damaged(where, f"document {doc_id!r}", problem)


def title(where: Path | None, doc_id: str, value: object) -> str:
    if type(value) is not str:
        raise damaged(where, f"document {doc_id!r}", f"its title is {_kind(value)}, not text")
    return value


def status(where: Path | None, doc_id: str, annotator: str, value: object) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise damaged(
            where,
            f"document {doc_id!r}, layer {annotator!r}",
            f"unknown status {value!r} (todo, in_progress or done)",
        ) from None


def _span_problem(start: object, end: object, label: object, note: object, length: int | None) -> str | None:
    if type(start) is not int or type(end) is not int:
        return "its offsets are not whole numbers"
    if start < 0:
        return "its start is negative"
    if end <= start:
        return "it ends before it starts"
    if length is not None and end > length:
        return f"it ends past the end of its text ({length} code points)"
    if type(label) is not str or not label:
        return f"its label is {_kind(label)}, not text"
    if note is not None and type(note) is not str:
        return f"its note is {_kind(note)}, not text"
    return None


def _span_row(row: Sequence[Any]) -> str:
    span_id, doc_id, annotator, start, end, label = row[:6]
    return f"document {doc_id!r}, span {span_id} [{start!r}, {end!r}) {label!r} of {annotator!r}"


def span(where: Path | None, row: Sequence[Any], length: int | None) -> Span:
    """A :class:`Span` from :data:`SPAN_COLUMNS`, checked against its text's ``length``."""
    problem = _span_problem(row[3], row[4], row[5], row[6], length)
    if problem is not None or type(row[2]) is not str:
        raise damaged(where, _span_row(row), problem or "its annotator is not text")
    return Span(*row)


def spans(where: Path | None, rows: Sequence[Sequence[Any]], length: int | None) -> list[Span]:
    """:func:`span` for many rows (the common case checked in one pass)."""
    try:
        fine = all(
            0 <= row[3] < row[4] and type(row[3]) is int and type(row[4]) is int and type(row[5]) is str
            for row in rows
        ) and (length is None or not rows or max(row[4] for row in rows) <= length)
    except TypeError:
        fine = False
    if not fine or any(row[6] is not None and type(row[6]) is not str for row in rows):
        return [span(where, row, length) for row in rows]
    return [Span(*row) for row in rows]


def layer_spans(
    where: Path | None, doc_id: str, annotator: str, rows: list[tuple[Any, ...]], length: int
) -> list[tuple[int, int, str, str | None]]:
    """Export rows (start, end, label, note) of one layer, checked against the text's ``length``."""
    try:
        fine = all(
            0 <= s < e <= length
            and type(s) is int
            and type(e) is int
            and type(lab) is str
            and lab
            and (note is None or type(note) is str)
            for s, e, lab, note in rows
        )
    except TypeError:
        fine = False
    if not fine:
        for s, e, lab, note in rows:
            problem = _span_problem(s, e, lab, note, length)
            if problem is not None:
                raise damaged(
                    where, f"document {doc_id!r}, span [{s!r}, {e!r}) {lab!r} of {annotator!r}", problem
                )
    return rows


def label(where: Path | None, row: Sequence[Any]) -> Label:
    name, color, hotkey = row
    try:
        return Label(name, color, hotkey)
    except (AnnotatorError, TypeError) as exc:
        raise damaged(where, f"label {name!r}", str(exc)) from None


def _span_key(raw: object) -> SpanKey | None:
    if raw == "":
        return None
    start, end, label = json.loads(str(raw))
    return (int(start), int(end), str(label))


def decision(where: Path | None, row: Sequence[Any]) -> DecisionRecord:
    """A :class:`DecisionRecord` from a row of ``adjudications``."""
    doc_id, a, b, a_span, b_span, start, end, kind, value, result, decided_at = row
    try:
        return DecisionRecord(
            str(doc_id),
            str(a),
            str(b),
            _span_key(a_span),
            _span_key(b_span),
            int(start),
            int(end),
            str(kind),
            Decision(str(value)),
            tuple((int(s), int(e), str(lab)) for s, e, lab in json.loads(str(result))),
            str(decided_at),
        )
    except (ValueError, TypeError, RecursionError):
        raise damaged(
            where, f"document {doc_id!r}, the decision between {a!r} and {b!r}", "it cannot be read"
        ) from None
