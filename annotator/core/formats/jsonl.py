"""Annotator's native JSONL: one line per document and annotator layer, nothing lost.

``{"id", "title", "text", "annotator", "status", "spans": [{"start", "end", "label", "text",
"note"?, "source"?}], "meta"}`` with code-point, end-exclusive offsets, spans sorted by (start,
end, label), UTF-8 without ASCII escaping; ``source`` is the suggestion source a span was
accepted from. The JSON Schema is ``resources/annotator-export.schema.json``.

:func:`iter_native` reads such a file without a project (``annotator agree`` uses it).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import InputError
from annotator.core.formats.jsonlines import iter_json_lines, record_header
from annotator.core.formats.records import (
    CorpusRecord,
    SpanTuple,
    TransferReport,
    check_meta,
    check_span,
    shown,
)
from annotator.core.model import Status

_STATUSES = frozenset(s.value for s in Status)
#: Compact JSON: no spaces after separators (what SQLite's JSON functions write, too).
SEPARATORS = (",", ":")
#: The C string encoder ``json.dumps(..., ensure_ascii=False)`` itself uses.
_quote = json.encoder.encode_basestring


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=SEPARATORS)


def parse_native(path: Path, number: int, record: dict[str, Any]) -> CorpusRecord:
    """Check one native record and turn it into a :class:`CorpusRecord`.

    A record without an ``annotator`` key belongs to the layer named after the file's stem; an
    explicit ``null`` means a document without a layer.
    """
    text, doc_id, title, annotator = record_header(path, number, record)
    status = record.get("status")
    if status is not None and (type(status) is not str or status not in _STATUSES):
        raise InputError(path, f"unknown status {shown(status)} (use todo, in_progress or done)", number)
    meta = record.get("meta")
    if meta is None:
        meta = {}
    elif not isinstance(meta, dict):
        raise InputError(path, "field 'meta' must be a JSON object", number)
    elif meta:
        check_meta(path, number, meta)
    raw_spans = record.get("spans", [])
    if not isinstance(raw_spans, list):
        raise InputError(path, "field 'spans' must be a list", number)
    spans: list[SpanTuple] = []
    append = spans.append
    length = len(text)
    sources: dict[tuple[int, int, str], str] = {}
    for span in raw_spans:
        try:
            start = span["start"]
            end = span["end"]
            label = span["label"]
        except (KeyError, TypeError, IndexError):
            if type(span) is not dict:
                raise InputError(path, f"a span must be a JSON object, got {shown(span)}", number) from None
            start, end, label = span.get("start"), span.get("end"), span.get("label")
            check_span(path, number, text, start, end, label)
        if type(start) is not int or type(end) is not int or type(label) is not str:
            check_span(path, number, text, start, end, label)
        if not 0 <= start < end <= length or not label:
            check_span(path, number, text, start, end, label)
        quoted = span.get("text")
        if quoted is not None and quoted != text[start:end]:
            check_span(path, number, text, start, end, label, quoted)
        note = span.get("note")
        if note is not None and type(note) is not str:
            raise InputError(path, f"span [{start}, {end}) {shown(label)}: 'note' must be a string", number)
        append((start, end, label, note))
        source = span.get("source")
        if source is not None:
            if type(source) is not str or not source:
                raise InputError(
                    path, f"span [{start}, {end}) {shown(label)}: 'source' must be a non-empty string", number
                )
            sources[(start, end, label)] = source
    return CorpusRecord(
        doc_id, title, text, annotator, status, spans, meta, number, path, sources=sources or None
    )


def iter_native(path: str | Path) -> Iterator[CorpusRecord]:
    """Records of a native JSONL file, checked (offsets inside the text, span text matching).

    Raises :class:`~annotator.core.errors.InputError` naming the file and line of the first
    bad record. Streamed: one line in memory at a time.
    """
    path = Path(path)
    for number, record in iter_json_lines(path):
        yield parse_native(path, number, record)


class NativeWriter:
    """Writes native lines to an open text stream."""

    def __init__(self, out: TextIO, report: TransferReport) -> None:
        self.out = out
        self.report = report
        self._labels: dict[str, str] = {}

    def write(self, record: CorpusRecord) -> None:
        """Write one native line, assembled span by span (the export's hot loop).

        Byte-identical to ``json.dumps`` of the record's object (fields in the documented
        order) with ``ensure_ascii=False, separators=(",", ":")`` (tests check it), but
        without building a dict per span.
        """
        text = record.text
        labels = self._labels
        parts: list[str] = []
        append = parts.append
        sources = record.sources
        for start, end, label, note in record.spans:
            quoted = labels.get(label)
            if quoted is None:
                quoted = labels[label] = _quote(label)
            source = sources.get((start, end, label)) if sources else None
            if note is None and source is None:
                append(f'{{"start":{start},"end":{end},"label":{quoted},"text":{_quote(text[start:end])}}}')
            else:
                append(
                    f'{{"start":{start},"end":{end},"label":{quoted},"text":{_quote(text[start:end])}'
                    + ("" if note is None else f',"note":{_quote(note)}')
                    + ("" if source is None else f',"source":{_quote(source)}')
                    + "}"
                )
        self.out.write(
            f'{{"id":{_quote(record.id)},"title":{_dumps(record.title)},"text":{_quote(text)},'
            f'"annotator":{_dumps(record.annotator)},"status":{_dumps(record.status)},'
            f'"spans":[{",".join(parts)}],"meta":{_dumps(record.meta)}}}\n'
        )

    def close(self) -> None:
        """Nothing to finish: every line is complete when written."""
