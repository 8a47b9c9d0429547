"""Tokenised exports (Prodigy, CoNLL) stream their tokens: the same bytes as before, little memory."""

from __future__ import annotations

import io
import json
import random
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.formats.conll import (
    LABEL_SPACE,
    MISALIGNED,
    NO_TOKENS,
    NOTES,
    OVERLAP,
    ConllWriter,
    document_field,
)
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.prodigy import MISALIGNED as PRODIGY_MISALIGNED
from annotator.core.formats.prodigy import OVERLAP as PRODIGY_OVERLAP
from annotator.core.formats.prodigy import PREFIX, RESERVED, ProdigyWriter, stable_hash
from annotator.core.formats.records import CorpusRecord, SpanTuple, TransferReport, describe
from annotator.core.store import DocumentInput, Project
from tests.core.test_formats_tokenize import tokenize

# --------------------------------------------------------------------------------------------
# References: the writers as they were, building every token in memory (obviously right, big)
# --------------------------------------------------------------------------------------------


def reference_spacy_tokens(text: str) -> list[tuple[int, int, bool]]:
    """Word tokens, one following space as ``ws``, any other whitespace run a token of its own."""
    out: list[list[Any]] = []
    position = 0
    for token in [*tokenize(text), None]:
        until = len(text) if token is None else token.start
        gap = text[position:until]
        if out and gap.startswith(" "):
            out[-1][2] = True
            position += 1
            gap = gap[1:]
        if gap:
            out.append([position, until, False])
        if token is not None:
            out.append([token.start, token.end, False])
            position = token.end
    return [(a, b, ws) for a, b, ws in out]


def reference_prodigy(record: CorpusRecord, report: TransferReport, view: str = "ner_manual") -> str:
    text = record.text
    written = list(record.spans)
    if view == "ner_manual":
        written = []
        for span in sorted(record.spans, key=lambda s: (s[0], s[0] - s[1], s[2])):
            if any(span[0] < kept[1] and kept[0] < span[1] for kept in written):
                report.leave_out(PRODIGY_OVERLAP, describe(record, span))
            else:
                written.append(span)
        written.sort(key=lambda s: (s[0], s[1], s[2]))
    tokens = reference_spacy_tokens(text)
    starts = {t[0]: i for i, t in enumerate(tokens)}
    ends = {t[1]: i for i, t in enumerate(tokens)}
    spans = []
    for span in written:
        start, end, label, note = span
        entry: dict[str, Any] = {"start": start, "end": end}
        if start in starts and end in ends:
            entry["token_start"] = starts[start]
            entry["token_end"] = ends[end]
        else:
            report.leave_out(PRODIGY_MISALIGNED, describe(record, span))
        entry["label"] = label
        if note is not None:
            entry["note"] = note
        spans.append(entry)
    meta: dict[str, Any] = {"id": record.id, "title": record.title}
    for key, value in record.meta.items():
        meta[PREFIX + key if key in RESERVED or key.startswith(PREFIX) else key] = value
    input_hash = stable_hash(text)
    task = {
        "text": text,
        "tokens": [
            {"text": text[a:b], "start": a, "end": b, "id": i, "ws": ws}
            for i, (a, b, ws) in enumerate(tokens)
        ],
        "spans": spans,
        "answer": "accept",
        "_view_id": view,
        "_annotator_id": record.annotator,
        "_input_hash": input_hash,
        "_task_hash": stable_hash(
            str(input_hash), json.dumps([[s, e, lab] for s, e, lab, _n in written], ensure_ascii=False)
        ),
        "meta": meta,
    }
    return json.dumps(task, ensure_ascii=False) + "\n"


def reference_conll(record: CorpusRecord, report: TransferReport) -> str:
    text = record.text
    tokens = tokenize(text)
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    tags = ["O"] * len(tokens)
    inside = [False] * len(tokens)
    for span in sorted(record.spans, key=lambda s: (s[0], s[0] - s[1], s[2])):
        start, end, label, note = span
        if note is not None:
            report.leave_out(NOTES, describe(record, span))
        if " " in label:
            report.leave_out(LABEL_SPACE, describe(record, span))
            continue
        first, last = starts.get(start), ends.get(end)
        if first is None or last is None:
            report.leave_out(MISALIGNED, describe(record, span))
            continue
        if any(tag != "O" for tag in tags[first : last + 1]):
            report.leave_out(OVERLAP, describe(record, span))
            continue
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
            inside[i] = True
    lines = ["-DOCSTART- -X- O O", ""]
    previous_end = None
    for i, token in enumerate(tokens):
        if previous_end is not None and not inside[i] and "\n" in text[previous_end : token.start]:
            lines.append("")
        chunk = document_field(record) if i == 0 else "O"
        lines.append(f"{token.text} -X- {chunk} {tags[i]}")
        previous_end = token.end
    if tokens:
        lines.append("")
    else:
        report.leave_out(NO_TOKENS, record.id + (f"/{record.annotator}" if record.annotator else ""))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Byte-identical output and identical reports
# --------------------------------------------------------------------------------------------

PIECES = [
    "word",
    "Zoë",
    "e\u0301",
    "👩\u200d🔬",
    "🇺🇦",
    "👍🏽",
    "北朝鮮",
    "4,500",
    "“lies”",
    "-",
    "_x_",
    "a.b",
]
SPACES = [" ", "  ", "\n", "\r\n", "\t", "\n\n", " \u00a0", "\u2028"]


@st.composite
def records(draw: st.DrawFn) -> CorpusRecord:
    parts = draw(st.lists(st.sampled_from(PIECES) | st.sampled_from(SPACES), min_size=1, max_size=40))
    text = "".join(parts)
    spans: list[SpanTuple] = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(["actor", "claim", "number", "key person"]))
        note = draw(st.none() | st.sampled_from(["a note", "ünï\ncode"]))
        spans.append((start, end, label, note))
    spans.sort(key=lambda s: (s[0], s[1], s[2]))
    meta = draw(
        st.dictionaries(
            st.sampled_from(["id", "title", "meta:x", "src", "n"]), st.integers() | st.text(max_size=4)
        )
    )
    annotator = draw(st.none() | st.sampled_from(["alice", "b\tob"]))
    doc_id = draw(st.sampled_from(["d1", '"quoted', "tab\there", "line\nbreak"]))
    return CorpusRecord(doc_id, draw(st.none() | st.just("A title")), text, annotator, "done", spans, meta)


def written(writer_class: type, record: CorpusRecord, report: TransferReport) -> str:  # type: ignore[type-arg]
    out = io.StringIO()
    writer = writer_class(out, report)
    writer.write(record)
    writer.close()
    return out.getvalue()


@settings(max_examples=150, deadline=None)
@given(record=records(), view=st.sampled_from(["ner_manual", "spans_manual"]))
def test_prodigy_writer_is_byte_identical_to_the_reference(record: CorpusRecord, view: str) -> None:
    mine, theirs = TransferReport(), TransferReport()
    out = io.StringIO()
    ProdigyWriter(out, mine, view).write(record)
    assert out.getvalue() == reference_prodigy(record, theirs, view)
    assert (mine.left_out, mine.examples) == (theirs.left_out, theirs.examples)


@settings(max_examples=150, deadline=None)
@given(record=records())
def test_conll_writer_is_byte_identical_to_the_reference(record: CorpusRecord) -> None:
    mine, theirs = TransferReport(), TransferReport()
    assert written(ConllWriter, record, mine) == reference_conll(record, theirs)
    assert (mine.left_out, mine.examples) == (theirs.left_out, theirs.examples)


def test_empty_and_space_only_texts() -> None:
    for text in ["", " ", "\n\n", "x"]:
        record = CorpusRecord("d", None, text, "alice", None, [], {})
        assert written(ProdigyWriter, record, TransferReport()) == reference_prodigy(record, TransferReport())
        assert written(ConllWriter, record, TransferReport()) == reference_conll(record, TransferReport())


# --------------------------------------------------------------------------------------------
# Memory: within a few times the document, whatever its number of tokens
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_big_document(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A project holding one document of 300,000 characters (about 75,000 tokens)."""
    rng = random.Random(5)
    words = ["the", "troops", "4,500", "Kursk", "said", "Zoë", "👍🏽", ",", "北", "claims"]
    parts: list[str] = []
    size = 0
    while size < 300_000:
        word = rng.choice(words)
        parts.append(word)
        size += len(word) + 1
    text = " ".join(parts)
    db = tmp_path_factory.mktemp("big") / "big.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("big", text)])
        for _ in range(200):
            start = rng.randrange(len(text) - 30)
            project.add_span(
                "big", "alice", start, start + rng.randrange(1, 30), rng.choice(["actor", "claim"])
            )
    return db, sys.getsizeof(text)


@pytest.mark.parametrize("fmt", ["prodigy", "conll", "jsonl"])
def test_tokenised_exports_stay_within_a_few_times_the_document(
    one_big_document: tuple[Path, int], tmp_path: Path, fmt: str
) -> None:
    """Before: Prodigy took about 40 times the document's string, CoNLL about 20 times (one
    Python object per token); the native export, which holds no tokens, is the yardstick."""
    db, document_bytes = one_big_document
    with Project.open(db) as project:
        tracemalloc.start()
        try:
            export_corpus(project, ExportOptions(format=fmt, output=tmp_path / "out"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 4 * document_bytes, (
        f"{fmt}: peak {peak / 2**20:.1f} MiB for a {document_bytes / 2**20:.1f} MiB document"
    )
