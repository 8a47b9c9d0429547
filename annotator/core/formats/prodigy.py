"""Prodigy's ``ner_manual`` task JSONL, with the tokens of :mod:`annotator.core.formats.tokenize`.

``token_end`` is inclusive, as in Prodigy. A span whose start or end does not fall on a token
boundary keeps its exact character offsets but gets no ``token_start``/``token_end`` (inventing
them would move the span); every such span is counted and reported. The document id and title
travel in ``meta`` (``meta.id``, ``meta.title``) beside the document's own meta, whose ``id``,
``title`` and ``meta:``-prefixed keys get a ``meta:`` prefix. ``_input_hash`` and ``_task_hash``
are stable signed 32-bit integers derived from SHA-256 of the text (and of the spans).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, cast

from annotator.core.errors import InputError
from annotator.core.formats.jsonlines import JsonLinesWriter, record_id
from annotator.core.formats.records import (
    CorpusRecord,
    SpanTuple,
    TransferReport,
    check_meta,
    check_span,
    describe,
    shown,
)
from annotator.core.formats.tokenize import tokenize

RESERVED = frozenset({"id", "title"})
PREFIX = "meta:"
MISALIGNED = "token indices of spans not on token boundaries (spans kept with exact character offsets)"


def stable_hash(*parts: str) -> int:
    """A signed 32-bit integer from SHA-256, the width of Prodigy's own hashes."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def prodigy_object(record: CorpusRecord, report: TransferReport) -> dict[str, Any]:
    text = record.text
    tokens = tokenize(text)
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    spans = []
    for span in record.spans:
        start, end, label, note = span
        entry: dict[str, Any] = {"start": start, "end": end}
        if start in starts and end in ends:
            entry["token_start"] = starts[start]
            entry["token_end"] = ends[end]
        else:
            report.leave_out(MISALIGNED, describe(record, span))
        entry["label"] = label
        if note is not None:
            entry["note"] = note
        spans.append(entry)
    meta: dict[str, Any] = {"id": record.id, "title": record.title}
    for key, value in record.meta.items():
        meta[PREFIX + key if key in RESERVED or key.startswith(PREFIX) else key] = value
    input_hash = stable_hash(text)
    return {
        "text": text,
        "tokens": [
            {"text": t.text, "start": t.start, "end": t.end, "id": i, "ws": t.ws}
            for i, t in enumerate(tokens)
        ],
        "spans": spans,
        "answer": "accept",
        "_annotator_id": record.annotator,
        "_input_hash": input_hash,
        "_task_hash": stable_hash(
            str(input_hash), json.dumps([[s, e, lab] for s, e, lab, _n in record.spans], ensure_ascii=False)
        ),
        "meta": meta,
    }


class ProdigyWriter(JsonLinesWriter):
    """Writes Prodigy tasks to an open text stream."""

    convert = staticmethod(prodigy_object)


def parse_prodigy(path: Path, number: int, record: dict[str, Any]) -> CorpusRecord | None:
    """One Prodigy task, or None for an answer other than 'accept' (the caller reports it)."""
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(path, "field 'text' is missing or not a string", number)
    answer = record.get("answer", "accept")
    if answer != "accept":
        return None
    meta_in = record.get("meta", {})
    if meta_in is None:
        meta_in = {}
    if not isinstance(meta_in, dict):
        raise InputError(path, "field 'meta' must be a JSON object", number)
    doc_id = record_id(path, number, meta_in.get("id", f"{path.stem}-{number}"))
    title = meta_in.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError(path, "field 'meta.title' must be a string or null", number)
    if "_annotator_id" in record:
        annotator = record["_annotator_id"]
        if annotator is not None and not isinstance(annotator, str):
            raise InputError(path, "field '_annotator_id' must be a string or null", number)
    else:
        annotator = path.stem
    raw_spans = record.get("spans", [])
    if not isinstance(raw_spans, list):
        raise InputError(path, "field 'spans' must be a list", number)
    spans: list[SpanTuple] = []
    for span in raw_spans:
        if not isinstance(span, dict):
            raise InputError(path, f"a span must be a JSON object, got {shown(span)}", number)
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        check_span(path, number, text, start, end, label, span.get("text"))
        note = span.get("note")
        if note is not None and not isinstance(note, str):
            raise InputError(path, f"span [{start}, {end}) {shown(label)}: 'note' must be a string", number)
        spans.append(cast(SpanTuple, (start, end, label, note)))  # checked just above
    check_meta(path, number, meta_in)
    spans.sort(key=lambda s: (s[0], s[1], s[2]))
    meta = {
        (key[len(PREFIX) :] if key.startswith(PREFIX) else key): value
        for key, value in meta_in.items()
        if key not in RESERVED
    }
    return CorpusRecord(doc_id, title, text, annotator, None, spans, meta, number, path)
