"""Prodigy's manual NER/span tasks as JSONL, with the tokens of :mod:`annotator.core.formats.tokenize`.

Tokens follow spaCy's convention (:func:`~annotator.core.formats.tokenize.spacy_tokens`): ``ws``
is one trailing space, any other whitespace is a token of its own, so the tokens rebuild the text
exactly (``Doc(vocab, words, spaces)``). ``token_end`` is inclusive, as in Prodigy. A span whose
start or end does not fall on a token boundary keeps its exact character offsets but gets no
``token_start``/``token_end`` (inventing them would move the span); every such span is counted
and reported. Tasks are ``ner_manual`` (``_view_id``) by default, whose NER view cannot show
overlapping spans: of overlapping spans the earlier, longer one is written and the others are
left out and reported (the policy of the CoNLL export). ``spans_manual`` tasks keep every span.
The document id and title travel in ``meta`` (``meta.id``, ``meta.title``) beside the
document's own meta, whose ``id``, ``title`` and ``meta:``-prefixed keys get a ``meta:`` prefix.
``_input_hash`` and ``_task_hash`` are stable signed 32-bit integers derived from SHA-256 of the
text (and of the spans).

The writer streams: tokens are written as they are found, in chunks, so a huge document costs
a few times its own size in memory, not an object per token.

Reading, a task whose ``answer`` is not ``accept`` is skipped, and so is a span whose own
``answer`` is ``reject`` (Prodigy's review and binary recipes mark rejected suggestions so);
both are reported.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from pathlib import Path
from typing import Any, TextIO, cast

from annotator.core.errors import InputError
from annotator.core.formats.jsonlines import record_id
from annotator.core.formats.records import (
    CorpusRecord,
    SpanTuple,
    TransferReport,
    check_meta,
    check_span,
    describe,
    shown,
)
from annotator.core.formats.tokenize import spacy_tokens

RESERVED = frozenset({"id", "title"})
PREFIX = "meta:"
MISALIGNED = "token indices of spans not on token boundaries (spans kept with exact character offsets)"
OVERLAP = (
    "overlapping spans (Prodigy's ner_manual view cannot show them; the earlier, longer span is "
    "written; --prodigy-view spans_manual keeps every span)"
)
REJECTED = "Prodigy tasks not accepted (answer reject or ignore)"
REJECTED_SPANS = "Prodigy spans whose own answer is reject (a rejected suggestion, not a span)"
VIEWS = ("ner_manual", "spans_manual")


#: Characters of a text hashed, or quoted into JSON, at a time (bounds the copies made).
CHUNK = 1 << 20
#: Tokens written at a time.
TOKENS_PER_WRITE = 4096
#: The C string encoder ``json.dumps(..., ensure_ascii=False)`` itself uses.
_quote = json.encoder.encode_basestring


def stable_hash(*parts: str) -> int:
    """A signed 32-bit integer from SHA-256 of the parts joined by U+001F, the width of
    Prodigy's own hashes (hashed a chunk at a time, never encoding a whole text at once)."""
    digest = hashlib.sha256()
    for n, part in enumerate(parts):
        if n:
            digest.update(b"\x1f")
        for start in range(0, len(part), CHUNK):
            digest.update(part[start : start + CHUNK].encode("utf-8"))
    return int.from_bytes(digest.digest()[:4], "big", signed=True)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class ProdigyWriter:
    """Writes Prodigy tasks to an open text stream, one line per record.

    Byte-identical to ``json.dumps(task, ensure_ascii=False)`` of the task object with its
    tokens (``{"text", "start", "end", "id", "ws"}``) listed in full (tests check it), but the
    text is quoted a chunk at a time and tokens are written as the tokenizer finds them.
    """

    def __init__(self, out: TextIO, report: TransferReport, view: str = "ner_manual") -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown Prodigy view {view!r}")
        self.out = out
        self.report = report
        self.view = view

    def write(self, record: CorpusRecord) -> None:
        out = self.out
        text = record.text
        written = self._written_spans(record)
        out.write('{"text": "')
        for start in range(0, len(text), CHUNK):
            out.write(_quote(text[start : start + CHUNK])[1:-1])
        out.write('", "tokens": [')
        token_start, token_end = self._write_tokens(record, written)
        spans = []
        for span in written:
            start, end, label, note = span
            entry: dict[str, Any] = {"start": start, "end": end}
            if start in token_start and end in token_end:
                entry["token_start"] = token_start[start]
                entry["token_end"] = token_end[end]
            else:
                self.report.leave_out(MISALIGNED, describe(record, span))
            entry["label"] = label
            if note is not None:
                entry["note"] = note
            spans.append(entry)
        meta: dict[str, Any] = {"id": record.id, "title": record.title}
        for key, value in record.meta.items():
            meta[PREFIX + key if key in RESERVED or key.startswith(PREFIX) else key] = value
        input_hash = stable_hash(text)
        task_hash = stable_hash(str(input_hash), _dumps([[s, e, lab] for s, e, lab, _n in written]))
        out.write(
            f'], "spans": {_dumps(spans)}, "answer": "accept", "_view_id": "{self.view}", '
            f'"_annotator_id": {_dumps(record.annotator)}, '
            f'"_input_hash": {input_hash}, "_task_hash": {task_hash}, "meta": {_dumps(meta)}}}\n'
        )

    def _written_spans(self, record: CorpusRecord) -> list[SpanTuple]:
        """The spans a task holds: all of them in ``spans_manual``; in ``ner_manual`` none that
        overlaps one written before it, taken by start, longest first, then label."""
        if self.view == "spans_manual":
            return record.spans
        kept: list[SpanTuple] = []
        reach = -1  # the end of the spans kept so far
        for span in sorted(record.spans, key=lambda s: (s[0], s[0] - s[1], s[2])):
            if span[0] < reach:
                self.report.leave_out(OVERLAP, describe(record, span))
                continue
            kept.append(span)
            reach = span[1]
        if len(kept) == len(record.spans):
            return record.spans
        return sorted(kept, key=lambda s: (s[0], s[1], s[2]))

    def _write_tokens(
        self, record: CorpusRecord, spans: list[SpanTuple]
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Write the tokens; return the token index of each span start and end on a boundary."""
        text = record.text
        starts = {span[0] for span in spans}
        ends = {span[1] for span in spans}
        token_start: dict[int, int] = {}
        token_end: dict[int, int] = {}
        chunk: list[str] = []
        separator = ""
        for index, (start, end, ws) in enumerate(spacy_tokens(text)):
            if start in starts:
                token_start[start] = index
            if end in ends:
                token_end[end] = index
            quoted = _quote(text[start:end])
            chunk.append(
                f'{{"text": {quoted}, "start": {start}, "end": {end}, "id": {index}, '
                f'"ws": {"true" if ws else "false"}}}'
            )
            if len(chunk) == TOKENS_PER_WRITE:
                self.out.write(separator + ", ".join(chunk))
                separator = ", "
                chunk = []
        if chunk:
            self.out.write(separator + ", ".join(chunk))
        return token_start, token_end

    def close(self) -> None:
        """Nothing to finish: every line is complete when written."""


def parse_prodigy(
    path: Path, number: int, record: dict[str, Any], report: TransferReport | None = None
) -> CorpusRecord | None:
    """One Prodigy task, or None for an answer other than 'accept' (the caller reports it); spans
    whose own ``answer`` is ``reject`` are skipped and counted in ``report``."""
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
    if "title" in meta_in and title is None:
        title = ""  # null: no title (not the id)
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
        if span.get("answer", "accept") == "reject":
            if report is not None:
                report.leave_out(REJECTED_SPANS, f"{path.name}:{number} [{start}, {end}) {label}")
            continue
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
