"""doccano's sequence-labelling JSONL: ``{"id", "text", "label": [[start, end, label], ...]}``.

Like doccano, a document's meta is flattened into the record, beside ``title`` and
``annotator``. Keys doccano or Annotator reserve (``id``, ``text``, ``label``, ``title``,
``annotator``) and keys that already start with ``meta:`` are written with a ``meta:`` prefix, so
nothing overwrites anything and the import strips exactly one prefix. doccano has no span notes:
notes are left out, counted and reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO, cast

from annotator.core.errors import InputError
from annotator.core.formats.jsonlines import record_header
from annotator.core.formats.records import (
    CorpusRecord,
    SpanTuple,
    TransferReport,
    check_meta,
    check_span,
    describe,
    shown,
)

RESERVED = frozenset({"id", "text", "label", "title", "annotator"})
PREFIX = "meta:"


def meta_key_out(key: str) -> str:
    return PREFIX + key if key in RESERVED or key.startswith(PREFIX) else key


def meta_key_in(key: str) -> str:
    return key[len(PREFIX) :] if key.startswith(PREFIX) else key


def doccano_object(record: CorpusRecord, report: TransferReport) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": record.id,
        "text": record.text,
        "label": [[s, e, lab] for s, e, lab, _note in record.spans],
        "title": record.title,
        "annotator": record.annotator,
    }
    for key, value in record.meta.items():
        obj[meta_key_out(key)] = value
    for span in record.spans:
        if span[3] is not None:
            report.leave_out("span notes (doccano spans have no notes)", describe(record, span))
    return obj


class DoccanoWriter:
    """Writes doccano lines to an open text stream."""

    def __init__(self, out: TextIO, report: TransferReport) -> None:
        self.out = out
        self.report = report

    def write(self, record: CorpusRecord) -> None:
        self.out.write(json.dumps(doccano_object(record, self.report), ensure_ascii=False))
        self.out.write("\n")

    def close(self) -> None:
        """Nothing to finish: every line is complete when written."""


def parse_doccano(path: Path, number: int, record: dict[str, Any]) -> CorpusRecord:
    """One doccano record (``label`` lists, or doccano 1.x ``entities`` objects)."""
    text, doc_id, title, annotator = record_header(path, number, record)
    spans: list[SpanTuple] = []
    if "entities" in record and "label" not in record:
        entities = record["entities"]
        if not isinstance(entities, list):
            raise InputError(path, "field 'entities' must be a list", number)
        for entity in entities:
            if not isinstance(entity, dict):
                raise InputError(path, f"an entity must be a JSON object, got {shown(entity)}", number)
            start, end, label = entity.get("start_offset"), entity.get("end_offset"), entity.get("label")
            check_span(path, number, text, start, end, label)
            spans.append(cast(SpanTuple, (start, end, label, None)))  # checked just above
        skip = {"entities", "relations"}
    else:
        labels = record.get("label", [])
        if not isinstance(labels, list):
            raise InputError(path, "field 'label' must be a list of [start, end, label]", number)
        for item in labels:
            if not isinstance(item, list) or len(item) != 3:
                raise InputError(path, f"a span must be [start, end, label], got {shown(item)}", number)
            start, end, label = item
            check_span(path, number, text, start, end, label)
            spans.append(cast(SpanTuple, (start, end, label, None)))  # checked just above
        skip = {"label"}
    meta = {
        meta_key_in(key): value for key, value in record.items() if key not in RESERVED and key not in skip
    }
    check_meta(path, number, meta, "meta (the record's other fields)")
    spans.sort(key=lambda s: (s[0], s[1], s[2]))
    return CorpusRecord(doc_id, title, text, annotator, None, spans, meta, number, path)
