"""CoNLL-2003-style token-level BIO tags for token-classification training.

The layout is CoNLL-2003's: four space-separated columns (token, part of speech, chunk, NER tag)
on every line, documents separated by the line ``-DOCSTART- -X- O O`` and a blank line,
sentences by a blank line. That is what ``spacy convert --converter ner`` splits documents on,
and the classic ``conlleval`` script wants the same number of columns on every line. Annotator
has no part-of-speech or chunk tags: those columns hold ``-X-`` and ``O``, except that the chunk
column of a document's first token carries the document id and annotator as
``doc=ID|annotator=NAME`` (percent-encoded: ``%``, ``|``, ``=``, whitespace and unprintable
characters), where spaCy and conlleval never look (spaCy reads the first, second and last
columns, conlleval the first and the last two). Tokens come from
:mod:`annotator.core.formats.tokenize`; tags are ``O``, ``B-label``, ``I-label``. A sentence is a
line of the text, except that a line break inside a tagged span does not end one.

BIO gives each token one tag, so overlapping spans cannot all be written. The policy: spans are
taken in order of start, then longest first, then label; a span is written if none of its
tokens is tagged yet, otherwise it is left out. So a nested span loses to the span around it,
and of two crossing spans the earlier one wins. Left out too, and reported: spans whose start or
end is not a token boundary (never widened) and spans whose label holds a space (a tag is one
column). Span notes are reported, and so are documents without a token (nowhere to put the id).

Reading back, the text is rebuilt from the tokens: tokens joined by single spaces, sentences by
newlines; offsets refer to that rebuilt text, so a round trip keeps every token's tag, not the
original spacing. Files from elsewhere (CoNLL-2003's ``-DOCSTART- -X- -X- O``, two or more
columns separated by tabs or spaces with the tag in the last one, IOB1 and IOB2, ``S-``/``E-``
tags) are read as well, and so are Annotator's earlier files (``-DOCSTART-<TAB>id<TAB>annotator``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, unquote

from annotator.core.errors import InputError
from annotator.core.formats.records import CorpusRecord, SpanTuple, TransferReport, describe, shown
from annotator.core.formats.tokenize import token_offsets

#: Lines written at a time.
LINES_PER_WRITE = 4096
DOCSTART = "-DOCSTART-"
#: The document boundary of CoNLL-2003 (and the exact string ``spacy convert`` splits on).
DOCSTART_LINE = "-DOCSTART- -X- O O"
#: What the part-of-speech and chunk columns hold (Annotator has neither).
NO_POS = "-X-"
NO_CHUNK = "O"
#: The chunk field of a document's first token: ``doc=ID`` and, for a layer, ``|annotator=NAME``.
ID_FIELD = "doc="
ANNOTATOR_FIELD = "annotator="
OVERLAP = "overlapping spans (BIO gives each token one tag; the earlier, longer span wins)"
MISALIGNED = "spans not on token boundaries (CoNLL tags whole tokens)"
LABEL_SPACE = "spans whose label contains a space (a CoNLL tag is one column)"
NOTES = "span notes (CoNLL has no notes)"
NO_TOKENS = (
    "ids of documents without a token (CoNLL carries a document's id on its first token; "
    "an import names such a document <file>-<n>)"
)


def _encode(value: str) -> str:
    """A value for the chunk column: one whitespace-free field, readable where it can be."""
    return "".join(
        quote(ch, safe="") if ch in "%|=" or ch.isspace() or not ch.isprintable() else ch for ch in value
    )


def document_field(record: CorpusRecord) -> str:
    """``doc=ID|annotator=NAME`` (no annotator part for a document without a layer)."""
    field = ID_FIELD + _encode(record.id)
    if record.annotator is not None:
        field += "|" + ANNOTATOR_FIELD + _encode(record.annotator)
    return field


def _decode(value: str, path: Path, number: int) -> str:
    try:
        decoded = unquote(value, errors="strict")
    except UnicodeDecodeError:
        raise InputError(path, f"malformed percent-encoding in {shown(value)}", number) from None
    if not decoded or "\x00" in decoded:
        raise InputError(path, f"empty value or NUL in {shown(value)}", number)
    return decoded


def _is_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unfield(value: str, path: Path, number: int) -> str:
    """A field of an earlier Annotator file's ``-DOCSTART-<TAB>id<TAB>annotator`` line (JSON-quoted
    when it held a tab or line break)."""
    if value.startswith('"'):
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"malformed quoted field {shown(value)} after {DOCSTART}", number) from exc
        if not isinstance(decoded, str):
            raise InputError(path, f"malformed quoted field {shown(value)} after {DOCSTART}", number)
        if "\x00" in decoded or not _is_unicode(decoded):
            raise InputError(
                path,
                f"quoted field {shown(value)} after {DOCSTART} holds a NUL or half a surrogate pair",
                number,
            )
        return decoded
    return value


def _read_document_field(value: str, path: Path, number: int) -> tuple[str, str | None]:
    """(id, annotator or None) from a first token's ``doc=ID[|annotator=NAME]`` field."""
    parts = value.split("|")
    if len(parts) > 2 or (len(parts) == 2 and not parts[1].startswith(ANNOTATOR_FIELD)):
        raise InputError(path, f"expected doc=ID|annotator=NAME, got {shown(value)}", number)
    doc_id = _decode(parts[0][len(ID_FIELD) :], path, number)
    annotator = _decode(parts[1][len(ANNOTATOR_FIELD) :], path, number) if len(parts) == 2 else None
    return doc_id, annotator


class ConllWriter:
    """Writes BIO-tagged documents to an open text stream.

    Streamed: a first pass over the tokens finds the token index of every span boundary (and
    nothing else), the overlap policy picks the spans to tag, and a second pass writes the
    token lines a chunk at a time, so memory stays within a few times the document.
    """

    def __init__(self, out: TextIO, report: TransferReport) -> None:
        self.out = out
        self.report = report

    def write(self, record: CorpusRecord) -> None:
        text = record.text
        tagged = self._tagged_spans(record)
        out = self.out
        out.write(DOCSTART_LINE + "\n\n")
        lines: list[str] = []
        outside = f" {NO_POS} {NO_CHUNK} O\n"  # the columns after the token, for most tokens
        ends: dict[str, str] = {}  # the same for each tag
        first_token = f" {NO_POS} {document_field(record)} "  # the first token's columns carry the id
        current = 0  # the tagged span the next tokens may belong to
        previous_end = -1
        for index, (start, end) in enumerate(token_offsets(text)):
            while current < len(tagged) and tagged[current][1] < index:
                current += 1
            tag = "O"
            inside = False  # the token continues a span begun before it
            if current < len(tagged) and tagged[current][0] <= index:
                first, _last, label = tagged[current]
                inside = index != first
                tag = f"I-{label}" if inside else f"B-{label}"
            if previous_end < 0:
                lines.append(text[start:end] + first_token + tag + "\n")
            else:
                if not inside and text.find("\n", previous_end, start) >= 0:
                    lines.append("\n")
                if tag == "O":
                    lines.append(text[start:end] + outside)
                else:
                    columns = ends.get(tag)
                    if columns is None:
                        columns = ends[tag] = f" {NO_POS} {NO_CHUNK} {tag}\n"
                    lines.append(text[start:end] + columns)
            previous_end = end
            if len(lines) >= LINES_PER_WRITE:
                out.write("".join(lines))
                lines = []
        if previous_end >= 0:
            lines.append("\n")
        else:
            self.report.leave_out(NO_TOKENS, record.id + (f"/{record.annotator}" if record.annotator else ""))
        out.write("".join(lines))

    def _tagged_spans(self, record: CorpusRecord) -> list[tuple[int, int, str]]:
        """(first token, last token, label) of the spans written, in order; the rest reported.

        Spans are taken by start, then longest first, then label. A span is written when it
        starts and ends on token boundaries and none of its tokens is tagged yet; as the spans
        written so far all start at or before it, that means it starts after the last token
        tagged so far.
        """
        spans = sorted(record.spans, key=lambda s: (s[0], s[0] - s[1], s[2]))
        starts = {span[0] for span in spans}
        ends = {span[1] for span in spans}
        first_token: dict[int, int] = {}
        last_token: dict[int, int] = {}
        if spans:
            for index, (start, end) in enumerate(token_offsets(record.text)):
                if start in starts:
                    first_token[start] = index
                if end in ends:
                    last_token[end] = index
        tagged: list[tuple[int, int, str]] = []
        reach = -1  # the last token tagged so far
        for span in spans:
            start, end, label, note = span
            if note is not None:
                self.report.leave_out(NOTES, describe(record, span))
            if any(ch.isspace() for ch in label):
                self.report.leave_out(LABEL_SPACE, describe(record, span))
                continue
            first, last = first_token.get(start), last_token.get(end)
            if first is None or last is None:
                self.report.leave_out(MISALIGNED, describe(record, span))
                continue
            if first <= reach:
                self.report.leave_out(OVERLAP, describe(record, span))
                continue
            tagged.append((first, last, label))
            reach = last
        return tagged

    def close(self) -> None:
        """Nothing to finish: every document is complete when written."""


def read_conll(path: Path, text: str) -> Iterator[CorpusRecord]:
    """Documents of a CoNLL file (already decoded), with text rebuilt from the tokens."""
    doc_count = 0
    current: dict[str, object] | None = None
    pieces: list[str] = []
    sentence: list[str] = []
    spans: list[SpanTuple] = []
    open_span: list[object] | None = None  # [start, label]
    offset = 0

    def close_span() -> None:
        nonlocal open_span
        if open_span is not None:
            spans.append((int(open_span[0]), int(open_span[2]), str(open_span[1]), None))  # type: ignore[call-overload]
            open_span = None

    def end_sentence() -> None:
        nonlocal sentence
        if sentence:
            pieces.append(" ".join(sentence))
            sentence = []

    def finish() -> CorpusRecord | None:
        nonlocal pieces, spans, offset
        if current is None:
            return None
        close_span()
        end_sentence()
        record = CorpusRecord(
            str(current["id"]),
            None,
            "\n".join(pieces),
            current["annotator"],  # type: ignore[arg-type]
            None,
            sorted(spans, key=lambda s: (s[0], s[1], s[2])),
            {},
            int(current["line"]),  # type: ignore[call-overload]
            path,
        )
        pieces, spans, offset = [], [], 0
        return record

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if line.startswith(DOCSTART):
            done = finish()
            if done is not None:
                yield done
            doc_count += 1
            rest = line[len(DOCSTART) :]
            if rest.startswith("\t"):
                fields = rest[1:].split("\t")
                if not fields[0] or len(fields) > 2:
                    raise InputError(path, f"expected {DOCSTART}<TAB>id[<TAB>annotator]", number)
                current = {
                    "id": _unfield(fields[0], path, number),
                    "annotator": _unfield(fields[1], path, number) if len(fields) == 2 else None,
                    "line": number,
                }
            else:  # CoNLL-2003's line: the id may follow on the first token
                current = {
                    "id": f"{path.stem}-{doc_count}",
                    "annotator": path.stem,
                    "line": number,
                    "first": True,
                }
            continue
        if not line.strip():
            close_span()
            end_sentence()
            continue
        if current is None:
            doc_count += 1
            current = {"id": f"{path.stem}-{doc_count}", "annotator": path.stem, "line": number}
            current["first"] = True
        columns = line.split("\t") if "\t" in line else line.split()
        if len(columns) < 2:
            raise InputError(path, f"expected 'token<TAB>tag', got {shown(line)}", number)
        token, tag = columns[0], columns[-1]
        if current.pop("first", False) and len(columns) >= 4 and columns[2].startswith(ID_FIELD):
            current["id"], current["annotator"] = _read_document_field(columns[2], path, number)
        if not token or any(ch.isspace() for ch in token):
            raise InputError(path, f"empty token or token with whitespace: {shown(token)}", number)
        start = offset + (1 if sentence or pieces else 0)  # a space, or the newline before a sentence
        end = start + len(token)
        if tag == "O":
            close_span()
        elif len(tag) > 2 and tag[1] == "-" and tag[0] in "BISE":
            kind, label = tag[0], tag[2:]
            if kind in "BS" or open_span is None or open_span[1] != label:
                close_span()
                open_span = [start, label, end]
            else:
                open_span[2] = end
            if kind in "SE":
                close_span()
        else:
            raise InputError(path, f"unknown tag {shown(tag)} (expected O, B-label or I-label)", number)
        sentence.append(token)
        offset = end
    done = finish()
    if done is not None:
        yield done
