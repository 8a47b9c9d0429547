"""doccano's sequence-labelling JSONL: ``{"id", "text", "label": [[start, end, label], ...]}``.

Written so that doccano 1.8 imports it as it is (tested with doccano's own import pipeline):

* Every record has the same keys - ``id``, ``text``, ``label``, ``title``, ``annotator`` and
  ``meta``, the document's meta as one object. doccano reads a file into a pandas DataFrame,
  where a key that some records lack becomes NaN in the others, which its database then refuses
  (``CHECK constraint failed: JSON_VALID("meta")``); one nested object keeps any set of meta
  keys, numbers and nulls intact.
* Only ASCII: other characters are written as ``\\u`` escapes. doccano guesses a file's
  encoding with chardet, which takes a UTF-8 file that is mostly ASCII for Windows-1252 and
  then reads every emoji or accented letter as several characters, so every span after one
  lands on the wrong text. An ASCII file reads the same under any guess.

What doccano will not take as written is reported as a warning, not left out (Annotator's own
import reads it all back): overlapping spans, which a doccano project drops on import unless it
allows overlapping (it keeps the span that starts first), and documents with an empty text,
which doccano refuses. doccano has no span notes: notes are left out and reported.

Reading takes doccano's exports and samples as well: ``label`` lists, ``entities`` as objects
(``start_offset``/``end_offset``, relation extraction; its ``relations`` are counted as left out)
or as ``[start, end, label]`` lists (intent detection, whose document categories ``cats`` are
kept in the document's meta), other keys flattened into the meta as doccano exports them (one
``meta:`` prefix stripped, as Annotator's earlier exports wrote colliding keys), a ``meta``
object merged over them.
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
NOTES = "span notes (doccano spans have no notes)"
OVERLAPS = (
    "overlapping spans, which doccano drops on import unless the project allows overlapping "
    "(it keeps the span that starts first)"
)
EMPTY_TEXT = "documents with an empty text, which doccano refuses ('The empty text is not allowed')"
RELATIONS = "doccano relations (Annotator has spans only)"


def meta_key_in(key: str) -> str:
    return key[len(PREFIX) :] if key.startswith(PREFIX) else key


def doccano_object(record: CorpusRecord, report: TransferReport) -> dict[str, Any]:
    """The record as doccano reads it; what doccano will drop or refuse is reported."""
    reach = -1
    for span in record.spans:  # sorted by start: doccano keeps a span that starts at or after
        start, end, _label, note = span  # the end of the last one it kept
        if note is not None:
            report.leave_out(NOTES, describe(record, span))
        if start < reach:
            report.warn(OVERLAPS, describe(record, span))
        else:
            reach = end
    if not record.text:
        report.warn(EMPTY_TEXT, record.id + (f"/{record.annotator}" if record.annotator else ""))
    return {
        "id": record.id,
        "text": record.text,
        "label": [[s, e, lab] for s, e, lab, _note in record.spans],
        "title": record.title,
        "annotator": record.annotator,
        "meta": record.meta,
    }


class DoccanoWriter:
    """Writes doccano lines to an open text stream."""

    def __init__(self, out: TextIO, report: TransferReport) -> None:
        self.out = out
        self.report = report

    def write(self, record: CorpusRecord) -> None:
        self.out.write(json.dumps(doccano_object(record, self.report), ensure_ascii=True))
        self.out.write("\n")

    def close(self) -> None:
        """Nothing to finish: every line is complete when written."""


def _span(path: Path, number: int, text: str, item: Any, objects: bool) -> SpanTuple:
    """A span from ``[start, end, label]`` or (``objects``) ``{"start_offset", "end_offset", "label"}``."""
    if objects and isinstance(item, dict):
        start, end, label = item.get("start_offset"), item.get("end_offset"), item.get("label")
    elif isinstance(item, list) and len(item) == 3:
        start, end, label = item
    elif objects:
        raise InputError(
            path, f"an entity must be a JSON object or [start, end, label], got {shown(item)}", number
        )
    else:
        raise InputError(path, f"a span must be [start, end, label], got {shown(item)}", number)
    check_span(path, number, text, start, end, label)
    return cast(SpanTuple, (start, end, label, None))  # checked just above


def parse_doccano(
    path: Path, number: int, record: dict[str, Any], report: TransferReport | None = None
) -> CorpusRecord:
    """One doccano record (``label`` lists, or ``entities`` as objects or lists)."""
    text, doc_id, title, annotator = record_header(path, number, record)
    key = "label" if "label" in record or "entities" not in record else "entities"
    items = record.get(key, [])
    if not isinstance(items, list):
        what = "a list of [start, end, label]" if key == "label" else "a list"
        raise InputError(path, f"field {key!r} must be {what}", number)
    spans = [_span(path, number, text, item, key == "entities") for item in items]
    skip = {"label", "entities"} if key == "entities" else {"label"}
    if key == "entities" and "relations" in record:
        relations = record["relations"]
        if not isinstance(relations, list):
            raise InputError(path, "field 'relations' must be a list", number)
        skip.add("relations")
        if relations and report is not None:
            report.leave_out(RELATIONS, f"{path.name}:{number}", len(relations))
    meta = {
        meta_key_in(name): value
        for name, value in record.items()
        if name not in RESERVED and name not in skip and name != "meta"
    }
    nested = record.get("meta")
    if isinstance(nested, dict):
        meta.update(nested)
    elif "meta" in record:
        meta["meta"] = nested
    check_meta(path, number, meta, "meta (the record's meta and other fields)")
    spans.sort(key=lambda s: (s[0], s[1], s[2]))
    return CorpusRecord(doc_id, title, text, annotator, None, spans, meta, number, path)
