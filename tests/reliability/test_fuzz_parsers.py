"""Hypothesis over every import parser and the UTF-16 ↔ code point conversion (issue 7, item 6).

Parsers: native JSONL, doccano, Prodigy, CoNLL, brat, ``.txt``, plain-document JSONL and folder
import (``import_corpus``), plus ``iter_native`` (what ``annotator agree`` reads) and
``read_documents`` (the core document reader). Each is fed

(a) arbitrary bytes, and bytes assembled from fragments of its own syntax;
(b) structured-but-wrong JSON: a valid record with random JSON values put into, or taken out
    of, any field (spans included), NaN, huge numbers and duplicate keys;
(c) valid records of random hostile text (emoji, ZWJ sequences, CJK, combining marks, ``\\r\\n``,
    lone ``\\r``, controls, bidi overrides, U+2028, astral characters written as surrogate-pair
    escapes) with random valid spans, in every way the format may be written (BOM, CRLF,
    UTF-16, ASCII escapes, spaced separators).

Invariants: nothing but an ``AnnotatorError`` ever escapes; a refused import leaves the project
exactly as it was (a full SQL dump compared); an accepted one stores every text verbatim and
every span with ``text[start:end]`` equal to the text the record's span pointed at (and to the
span's own ``text`` where the format carries it), and export → import into a fresh project →
export is byte-identical.

Normal runs use a few dozen examples per property (``derandomize=True``: the same examples every
run, no database written); ``-m stress`` runs the same properties with 5,000 examples each.
"""

from __future__ import annotations

import codecs
import json
import sqlite3
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import AnnotatorError
from annotator.core.formats.brat import LINE_BREAKS
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.jsonl import iter_native
from annotator.core.formats.jsonlines import _STRICT_DECODER, _Refused, parse_json_line
from annotator.core.formats.plain import read_documents
from annotator.core.store import Project
from annotator.core.utf16 import OffsetMap, utf16_len

#: Examples per property in the normal run and under ``-m stress``.
NORMAL_EXAMPLES = 40
STRESS_EXAMPLES = 5_000
_COMMON = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
NORMAL = settings(max_examples=NORMAL_EXAMPLES, **_COMMON)  # type: ignore[arg-type]
STRESS = settings(max_examples=STRESS_EXAMPLES, **_COMMON)  # type: ignore[arg-type]


def fuzz(
    per: tuple[str, list[Any], list[str]] | None = None, **strategies: Any
) -> Callable[[Callable[..., None]], tuple[Any, Any]]:
    """The property as a normal test and as a ``stress`` test with many more examples.

    ``per`` = (argument, values, ids) runs the property once per value (e.g. per parser), each
    with its own examples.
    """

    def make(check: Callable[..., None]) -> tuple[Any, Any]:
        normal = NORMAL(given(**strategies)(check))
        stress = STRESS(given(**strategies)(check))
        if per is not None:
            name, values, ids = per
            normal = pytest.mark.parametrize(name, values, ids=ids)(normal)
            stress = pytest.mark.parametrize(name, values, ids=ids)(stress)
        return normal, pytest.mark.stress(stress)

    return make


# -- projects ----------------------------------------------------------------------------------------

_TEMPLATE: sqlite3.Connection | None = None


def fresh_project() -> Project:
    """An empty in-memory project with the default labels (a copy of one made once: fast)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = Project.in_memory().db.conn
    conn = sqlite3.connect(":memory:")
    _TEMPLATE.backup(conn)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    return Project(db, None)


def dump(project: Project) -> list[str]:
    return list(project.db.conn.iterdump())


_names = count()


def workdir(base: Path) -> Path:
    """A new empty folder per example (examples share the test's tmp_path)."""
    folder = base / f"ex{next(_names)}"
    folder.mkdir()
    return folder


def stored_spans(project: Project) -> dict[tuple[str, str], set[tuple[int, int, str, str | None]]]:
    found: dict[tuple[str, str], set[tuple[int, int, str, str | None]]] = {}
    for doc_id in project.document_ids():
        text = project.document_text(doc_id)
        for layer in project.layers(doc_id):
            spans = project.spans(doc_id, layer)
            for span in spans:
                assert 0 <= span.start < span.end <= len(text)
                assert span.text_in(text) == text[span.start : span.end]
            found[(doc_id, layer)] = {(s.start, s.end, s.label, s.note) for s in spans}
    return found


def assert_round_trip(project: Project, folder: Path) -> None:
    """Export (native) → import into a fresh project → export: byte for byte the same."""
    first, second = folder / "rt1.jsonl", folder / "rt2.jsonl"
    export_corpus(project, ExportOptions(format="jsonl", output=first))
    fresh = fresh_project()
    import_corpus(fresh, [first], ImportOptions(add_labels=True))
    export_corpus(fresh, ExportOptions(format="jsonl", output=second))
    assert first.read_bytes() == second.read_bytes()
    assert stored_spans(fresh) == stored_spans(project)


def attempt(project: Project, paths: list[Path], options: ImportOptions) -> bool:
    """Import; True if accepted. Only AnnotatorError may escape, and a refusal changes nothing."""
    before = dump(project)
    try:
        import_corpus(project, paths, options)
    except AnnotatorError:
        assert dump(project) == before, "a refused import changed the project"
        return False
    return True


# -- hostile text ------------------------------------------------------------------------------------

PIECES = [
    "a", "Kim", " ", "  ", "😀", "👩\u200d🔬", "👩\u200d👩\u200d👧", "👍🏽", "🇺🇸",
    "中文", "北朝鮮", "e\u0301",
    "\u0301", "\r\n", "\n", "\r", "\t", "שלום", "مرحبا", "\u202e", "\u202c", "\u2066", "\u2067",
    "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029", "\x85", "\x0b", "\x0c",
    "\x1c", "\x1d", "\x1e", "\x01", "\x1b[31m", "\x7f", "\x9f", "\ufeff", "\u200b", "\ufffd",
    "\U0010ffff", "𝔘", "<b>", "</b>", "&amp;", "<!--", "<qt>", '"', "\\", "\\u0000", "\\ud800", '":',
    " :", "-DOCSTART-", "B-actor", "T1", ";",
]  # fmt: skip
#: Any character but NUL and surrogates (which no import accepts: they are refused, tested apart).
CHARS = st.characters(exclude_categories=["Cs"], exclude_characters=["\x00"])
TEXTS = st.lists(st.sampled_from(PIECES) | st.text(CHARS, max_size=3), max_size=25).map("".join)
NONEMPTY_TEXTS = TEXTS.filter(bool)
LABELS = ["actor", "claim", "denial", "number", "שם", "人物", "😀tag", "a-b", "x.y", "<b>"]
IDS = st.text(CHARS, min_size=1, max_size=8).filter(lambda s: s.strip() != "") | st.sampled_from(
    ["doc", "\u202eevil", "a/b", "..", "-DOCSTART-", "שלום", "😀", "a b"]
)
NAMES = st.sampled_from(["alice", "bob", "שלום", "😀", "a b", "人物", "x.y"])


@st.composite
def spans_for(draw: st.DrawFn, text: str, notes: bool = True) -> list[tuple[int, int, str, str | None]]:
    if not text:
        return []
    pairs = draw(st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))), max_size=8))
    spans = {}
    for a, b in pairs:
        if a < b:
            label = draw(st.sampled_from(LABELS))
            note = draw(st.none() | TEXTS) if notes else None
            spans[(a, b, label)] = note
    return sorted((a, b, label, note) for (a, b, label), note in spans.items())


@st.composite
def documents(draw: st.DrawFn, notes: bool = True) -> list[dict[str, Any]]:
    """1-3 documents with distinct ids: text, title, annotator and spans."""
    ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    docs = []
    for doc_id in ids:
        text = draw(TEXTS)
        docs.append(
            {
                "id": doc_id,
                "text": text,
                "title": draw(st.none() | TEXTS),
                "annotator": draw(NAMES),
                "spans": draw(spans_for(text, notes)),
            }
        )
    return docs


@st.composite
def encodings(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """How a JSON Lines file is written: (encoding, BOM, line end)."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16-le", "utf-16-be"]))
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding) or draw(
        st.sampled_from([b"", codecs.BOM_UTF8])
    )
    return encoding, bom, draw(st.sampled_from(["\n", "\r\n"]))


def write_jsonl(path: Path, records: list[dict[str, Any]], how: tuple[str, bytes, str], style: int) -> None:
    encoding, bom, newline = how
    separators = [(",", ":"), (", ", ": "), (" , ", " : "), (",\t", ":\t")][style % 4]
    ascii_only = style >= 4  # astral characters become surrogate-pair escapes
    body = "".join(json.dumps(r, ensure_ascii=ascii_only, separators=separators) + newline for r in records)
    path.write_bytes(bom + body.encode(encoding))


def expect_stored(project: Project, docs: list[dict[str, Any]], *, notes: bool = True) -> None:
    spans = stored_spans(project)
    for doc in docs:
        assert project.document_text(doc["id"]) == doc["text"]
        # An empty note is no note (the store keeps "" as none).
        expected = {(a, b, label, (note or None) if notes else None) for a, b, label, note in doc["spans"]}
        assert spans.get((doc["id"], doc["annotator"]), set()) == expected
        for a, b, _label, _note in doc["spans"]:
            assert project.document_text(doc["id"])[a:b] == doc["text"][a:b]


# -- (c) valid records with hostile text, every format ---------------------------------------------------


def native_records(docs: list[dict[str, Any]], quote: bool) -> list[dict[str, Any]]:
    records = []
    for doc in docs:
        spans = []
        for a, b, label, note in doc["spans"]:
            span: dict[str, Any] = {"start": a, "end": b, "label": label}
            if quote:
                span["text"] = doc["text"][a:b]
            if note is not None:
                span["note"] = note
            spans.append(span)
        records.append({**doc, "spans": spans, "status": "in_progress", "meta": {"k": doc["title"]}})
    return records


@fuzz(docs=documents(), how=encodings(), style=st.integers(0, 7), quote=st.booleans())
def _native_valid(tmp_path: Path, docs: list[dict[str, Any]], how: Any, style: int, quote: bool) -> None:
    folder = workdir(tmp_path)
    path = folder / "corpus.jsonl"
    write_jsonl(path, native_records(docs, quote), how, style)
    project = fresh_project()
    import_corpus(project, [path], ImportOptions(add_labels=True))
    expect_stored(project, docs)
    assert [r.text for r in iter_native(path)] == [d["text"] for d in docs]
    assert_round_trip(project, folder)


test_native_valid_records_survive, test_native_valid_records_survive_stress = _native_valid


@fuzz(docs=documents(notes=False), how=encodings(), style=st.integers(0, 7), entities=st.booleans())
def _doccano_valid(tmp_path: Path, docs: list[dict[str, Any]], how: Any, style: int, entities: bool) -> None:
    folder = workdir(tmp_path)
    path = folder / "corpus.jsonl"
    records = []
    for doc in docs:
        record: dict[str, Any] = {"id": doc["id"], "text": doc["text"], "annotator": doc["annotator"]}
        if entities:
            record["entities"] = [
                {"start_offset": a, "end_offset": b, "label": lab} for a, b, lab, _ in doc["spans"]
            ]
        else:
            record["label"] = [[a, b, lab] for a, b, lab, _ in doc["spans"]]
        records.append(record)
    write_jsonl(path, records, how, style)
    project = fresh_project()
    import_corpus(project, [path], ImportOptions(format="doccano", add_labels=True))
    expect_stored(project, docs, notes=False)
    assert_round_trip(project, folder)


test_doccano_valid_records_survive, test_doccano_valid_records_survive_stress = _doccano_valid


@fuzz(docs=documents(), how=encodings(), style=st.integers(0, 7), quote=st.booleans())
def _prodigy_valid(tmp_path: Path, docs: list[dict[str, Any]], how: Any, style: int, quote: bool) -> None:
    folder = workdir(tmp_path)
    path = folder / "corpus.jsonl"
    records = []
    for doc, native in zip(docs, native_records(docs, quote), strict=True):
        records.append(
            {
                "text": doc["text"],
                "spans": native["spans"],
                "answer": "accept",
                "_annotator_id": doc["annotator"],
                "meta": {"id": doc["id"], "title": doc["title"]},
            }
        )
    write_jsonl(path, records, how, style)
    project = fresh_project()
    import_corpus(project, [path], ImportOptions(add_labels=True))
    expect_stored(project, docs)
    assert_round_trip(project, folder)


test_prodigy_valid_records_survive, test_prodigy_valid_records_survive_stress = _prodigy_valid

#: CoNLL tokens: no whitespace of any kind (the reader splits on it), anything else.
TOKEN_CHARS = st.characters(exclude_categories=["Cs", "Zs", "Zl", "Zp"], exclude_characters=["\x00"]).filter(
    lambda ch: not ch.isspace()
)
TOKENS = st.sampled_from(
    ["Kim", "😀", "👩\u200d🔬", "北", "e\u0301", "\u202e", "<b>", "\x01", "\u200b", '"x']
) | st.text(TOKEN_CHARS, min_size=1, max_size=4).filter(lambda t: not t.startswith("-DOCSTART-"))


@st.composite
def conll_documents(draw: st.DrawFn) -> list[tuple[str, str, list[list[tuple[str, str]]]]]:
    """(id, annotator, sentences of (token, tag)) with well-formed BIO tags."""
    docs = []
    for doc_id in draw(
        st.lists(
            IDS.filter(lambda s: not s.startswith('"') and not set(s) & set("\t\r\n")),
            min_size=1,
            max_size=3,
            unique=True,
        )
    ):
        sentences = []
        for _ in range(draw(st.integers(1, 3))):
            sentence, inside = [], None
            for token in draw(st.lists(TOKENS, min_size=1, max_size=6)):
                kind = draw(st.sampled_from(["O", "B", "I"] if inside else ["O", "B"]))
                if kind == "O":
                    tag, inside = "O", None
                elif kind == "B":
                    inside = draw(st.sampled_from(LABELS))
                    tag = f"B-{inside}"
                else:
                    tag = f"I-{inside}"
                sentence.append((token, tag))
            sentences.append(sentence)
        docs.append((doc_id, draw(NAMES), sentences))
    return docs


def conll_expected(sentences: list[list[tuple[str, str]]]) -> tuple[str, set[tuple[int, int, str, None]]]:
    """The text the reader rebuilds (tokens joined by spaces, sentences by newlines) and its spans."""
    lines, spans, offset = [], set(), 0
    for sentence in sentences:
        open_span: list[Any] | None = None
        tokens = []
        for i, (token, tag) in enumerate(sentence):
            start = offset + sum(len(t) + 1 for t in tokens)
            end = start + len(token)
            if tag == "O" or tag.startswith("B-"):
                if open_span:
                    spans.add((open_span[0], open_span[1], open_span[2], None))
                open_span = [start, end, tag[2:]] if tag != "O" else None
            else:
                assert open_span is not None
                assert i > 0
                open_span[1] = end
            tokens.append(token)
        if open_span:
            spans.add((open_span[0], open_span[1], open_span[2], None))
        line = " ".join(tokens)
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), spans


@fuzz(docs=conll_documents(), crlf=st.booleans(), bom=st.booleans())
def _conll_valid(tmp_path: Path, docs: Any, crlf: bool, bom: bool) -> None:
    folder = workdir(tmp_path)
    path = folder / "tags.conll"
    newline = "\r\n" if crlf else "\n"
    out = []
    for doc_id, annotator, sentences in docs:
        out += [f"-DOCSTART-\t{doc_id}\t{annotator}", ""]
        for sentence in sentences:
            out += [f"{token}\t{tag}" for token, tag in sentence] + [""]
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + newline.join(out).encode())
    project = fresh_project()
    import_corpus(project, [path], ImportOptions(add_labels=True))
    spans = stored_spans(project)
    for doc_id, annotator, sentences in docs:
        text, expected = conll_expected(sentences)
        assert project.document_text(doc_id) == text
        assert spans.get((doc_id, annotator), set()) == expected
    assert_round_trip(project, folder)
    # CoNLL export → import → CoNLL export: the same token/tag lines (docs/formats.md).
    first, second = folder / "first.conll", folder / "second.conll"
    export_corpus(project, ExportOptions(format="conll", output=first))
    fresh = fresh_project()
    import_corpus(fresh, [first], ImportOptions(add_labels=True))
    export_corpus(fresh, ExportOptions(format="conll", output=second))
    assert first.read_bytes() == second.read_bytes()


test_conll_valid_documents_survive, test_conll_valid_documents_survive_stress = _conll_valid


@fuzz(docs=documents())
def _brat_valid(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    """brat written by hand the way brat does (fragments around line breaks), then imported."""
    folder = workdir(tmp_path)
    root = folder / "corpus"
    expected_docs = []
    for n, doc in enumerate(docs):
        layer = root / f"layer{n}"
        layer.mkdir(parents=True)
        text, lines, kept = doc["text"], [], []
        for i, (a, b, label, _note) in enumerate(doc["spans"], start=1):
            covered = text[a:b]
            if covered[0] in LINE_BREAKS or covered[-1] in LINE_BREAKS:
                continue  # brat cannot hold these (the exporter reports them)
            fragments, start = [], None
            for pos in range(a, b + 1):
                if pos < b and text[pos] not in LINE_BREAKS:
                    start = pos if start is None else start
                elif start is not None:
                    fragments.append((start, pos))
                    start = None
            # brat counts each \r\n as one character (it reads with universal newlines)
            offsets = ";".join(f"{brat(text, x)} {brat(text, y)}" for x, y in fragments)
            lines.append(f"T{i}\t{label} {offsets}\t{' '.join(text[x:y] for x, y in fragments)}\n")
            kept.append((a, b, label, None))
        (layer / f"d{n}.txt").write_bytes(text.encode())
        (layer / f"d{n}.ann").write_bytes("".join(lines).encode())
        expected_docs.append({"id": f"d{n}", "text": text, "annotator": f"layer{n}", "spans": kept})
    project = fresh_project()
    import_corpus(project, [root], ImportOptions(add_labels=True))
    expect_stored(project, expected_docs, notes=False)
    assert_round_trip(project, folder)
    # And what the brat exporter writes comes back the same.
    out = folder / "out"
    export_corpus(project, ExportOptions(format="brat", output=out, include_untouched=True))
    fresh = fresh_project()
    import_corpus(fresh, [out], ImportOptions(add_labels=True))
    assert stored_spans(fresh) == stored_spans(project)


def brat(text: str, offset: int) -> int:
    """A code-point offset as brat counts it: each \\r\\n before it one character."""
    return offset - text.count("\r\n", 0, offset)


test_brat_valid_documents_survive, test_brat_valid_documents_survive_stress = _brat_valid


@fuzz(text=TEXTS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def _txt_valid(tmp_path: Path, text: str, encoding: str) -> None:
    folder = workdir(tmp_path)
    path = folder / "doc.txt"
    path.write_bytes(text.encode(encoding))  # utf-8-sig and utf-16 write a BOM first
    project = fresh_project()
    import_corpus(project, [path])
    # A BOM the encoder wrote is dropped; a U+FEFF at the start of BOM-less UTF-8 is taken for one.
    expected = text[1:] if encoding == "utf-8" and text.startswith("\ufeff") else text
    assert project.document_text("doc") == expected
    assert [d.text for d in read_documents([path])] == [expected]
    assert_round_trip(project, folder)


test_txt_files_survive, test_txt_files_survive_stress = _txt_valid


@fuzz(
    tree=st.dictionaries(
        st.lists(st.sampled_from(["a", "b", "שלום", "😀", "x y"]), min_size=1, max_size=3).map("/".join),
        TEXTS,
        min_size=1,
        max_size=5,
    ),
    jsonl_files=st.booleans(),
)
def _folder_valid(tmp_path: Path, tree: dict[str, str], jsonl_files: bool) -> None:
    folder = workdir(tmp_path)
    root = folder / "corpus"
    expected: dict[str, str] = {}
    for n, (rel, text) in enumerate(sorted(tree.items())):
        stem = f"{rel.replace('/', '_')}-{n}"
        path = root / rel / (f"{stem}.jsonl" if jsonl_files else f"{stem}.txt")
        path.parent.mkdir(parents=True, exist_ok=True)
        if jsonl_files:
            path.write_text(json.dumps({"id": stem, "text": text}) + "\n", encoding="utf-8")
        else:
            path.write_bytes(text.encode())
        expected[stem] = text[1:] if not jsonl_files and text.startswith("\ufeff") else text
    project = fresh_project()
    import_corpus(project, [root])
    assert {i: project.document_text(i) for i in project.document_ids()} == expected
    assert_round_trip(project, folder)


test_folder_import_survives, test_folder_import_survives_stress = _folder_valid


# -- (a) arbitrary bytes into every parser ------------------------------------------------------------

FRAGMENTS = [
    b'{"text": "', b'"', b"}", b"{", b"[", b"]", b",", b":", b'"spans": [', b'"label": ', b'"start": ',
    b'"end": ', b'"annotator": ', b'"id": ', b'"meta": {', b'"answer": "accept"', b'"tokens": []',
    b'"entities": [', b"0", b"1", b"-1", b"3", b"99999999999999999999", b"1e999", b"NaN", b"true",
    b"null", b'"actor"', b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\\u", b"d800",
    b"\\ud83d\\ude00", b"\\n", b"\\u0000", b"\xf0\x9f\x98\x80", b"\xe4\xb8\xad", b"\xd7\xa9",
    b"\xe2\x80\xae", b"\xe2\x80\xa8", b"\xc2\x85", b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\t", b" ",
    b"-DOCSTART-", b"\tB-actor", b"\tI-actor", b"\tO", b"\tB-", b"Kim", b"T1\tactor 0 3\tKim",
    b"T2\tclaim 0 1;2 3\tK m", b"#1\tAnnotatorNotes T1\t", b"R1\tRel", b";", b"5 2",
]  # fmt: skip
BYTES = st.binary(max_size=300) | st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join)

#: (format given to import, file name): every parser and the detection.
FILE_PARSERS = [
    ("jsonl", "x.jsonl"),
    ("doccano", "x.jsonl"),
    ("prodigy", "x.jsonl"),
    ("conll", "x.conll"),
    ("text", "x.txt"),
    ("text", "x.jsonl"),
    (None, "x.jsonl"),
    (None, "x.conll"),
]


def check_accepted(project: Project, folder: Path) -> None:
    stored_spans(project)  # every span fits its text
    assert_round_trip(project, folder)


@fuzz(
    per=("parser", FILE_PARSERS, [f"{f}-{n}" for f, n in FILE_PARSERS]), data=BYTES, add_labels=st.booleans()
)
def _bytes_into_files(tmp_path: Path, data: bytes, parser: tuple[str | None, str], add_labels: bool) -> None:
    fmt, name = parser
    folder = workdir(tmp_path)
    path = folder / name
    path.write_bytes(data)
    project = fresh_project()
    if attempt(project, [path], ImportOptions(format=fmt, add_labels=add_labels)):
        check_accepted(project, folder)
    for reader in (lambda: list(iter_native(path)), lambda: list(read_documents([path]))):
        try:
            reader()
        except AnnotatorError:
            pass


test_arbitrary_bytes_into_every_file_parser, test_arbitrary_bytes_into_every_file_parser_stress = (
    _bytes_into_files
)

ANN_FRAGMENTS = [
    b"T1", b"T2", b"\t", b" ", b"actor", b"claim", b"a b", b"0", b"1", b"3", b"12", b"-1",
    b"999999999999999999999", b";", b"\n", b"\r\n", b"\r", b"#1", b"AnnotatorNotes", b"R1", b"E1",
    b"A1", b"*", b"Kim", b"\xff", b"\x00", b"\xe2\x80\xa8", b"\xd9\xa3",
]  # fmt: skip


@fuzz(
    txt=BYTES,
    ann=st.binary(max_size=200) | st.lists(st.sampled_from(ANN_FRAGMENTS), max_size=40).map(b"".join),
    nested=st.booleans(),
)
def _bytes_into_brat(tmp_path: Path, txt: bytes, ann: bytes, nested: bool) -> None:
    folder = workdir(tmp_path)
    root = folder / "corpus"
    layer = root / "bea" if nested else root
    layer.mkdir(parents=True)
    (layer / "d.txt").write_bytes(txt)
    (layer / "d.ann").write_bytes(ann)
    project = fresh_project()
    if attempt(project, [root], ImportOptions(add_labels=True)):
        check_accepted(project, folder)


test_arbitrary_bytes_into_brat, test_arbitrary_bytes_into_brat_stress = _bytes_into_brat


@fuzz(
    files=st.dictionaries(st.sampled_from(["a.txt", "b.jsonl", "s/c.txt", "s/t/d.conll", "e.ndjson"]), BYTES)
)
def _bytes_into_folders(tmp_path: Path, files: dict[str, bytes]) -> None:
    folder = workdir(tmp_path)
    root = folder / "corpus"
    root.mkdir()
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    project = fresh_project()
    if attempt(project, [root], ImportOptions(add_labels=True)):
        check_accepted(project, folder)


test_arbitrary_bytes_into_folder_import, test_arbitrary_bytes_into_folder_import_stress = _bytes_into_folders


# -- (b) structured-but-wrong JSON -----------------------------------------------------------------------


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-3, 30)
    | st.floats()
    | st.sampled_from(LABELS)
    | TEXTS
    | st.text(max_size=4),  # may hold lone surrogates: written as \\u escapes
    _json_containers,
    max_leaves=8,
)
VALID = {
    "jsonl": {
        "id": "d",
        "text": "Kim said no.",
        "title": "t",
        "annotator": "ann",
        "status": "done",
        "spans": [{"start": 0, "end": 3, "label": "actor", "text": "Kim", "note": "n"}],
        "meta": {"k": 1},
    },
    "doccano": {"id": "d", "text": "Kim said no.", "annotator": "ann", "label": [[0, 3, "actor"]], "x": 1},
    "doccano-entities": {
        "id": "d",
        "text": "Kim said no.",
        "entities": [{"start_offset": 0, "end_offset": 3, "label": "actor"}],
    },
    "prodigy": {
        "text": "Kim said no.",
        "answer": "accept",
        "_annotator_id": "ann",
        "spans": [{"start": 0, "end": 3, "label": "actor", "text": "Kim"}],
        "tokens": [{"text": "Kim", "start": 0, "end": 3, "id": 0, "ws": True}],
        "meta": {"id": "d", "title": "t"},
    },
    "text": {"id": "d", "text": "Kim said no.", "title": "t", "meta": {"k": 1}, "source": "s"},
}


@st.composite
def wrong_records(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A valid record of format ``kind`` with 1-3 random changes anywhere in it."""
    record = json.loads(json.dumps(VALID[kind]))
    for _ in range(draw(st.integers(1, 3))):
        containers: list[Any] = [record]
        stack: list[Any] = [record]
        while stack:
            value = stack.pop()
            for child in value.values() if isinstance(value, dict) else value:
                if isinstance(child, (dict, list)):
                    containers.append(child)
                    stack.append(child)
        target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["set", "set", "delete", "add"]))
        if isinstance(target, dict):
            keys = sorted(target)
            if action == "delete" and keys:
                del target[draw(st.sampled_from(keys))]
            elif action == "add" or not keys:
                target[draw(st.text(max_size=5) | st.sampled_from(["text", "spans", "label", "id"]))] = draw(
                    JSON_VALUES
                )
            else:
                target[draw(st.sampled_from(keys))] = draw(JSON_VALUES)
        else:
            if action == "delete" and target:
                del target[draw(st.integers(0, len(target) - 1))]
            elif action == "add" or not target:
                target.append(draw(JSON_VALUES))
            else:
                target[draw(st.integers(0, len(target) - 1))] = draw(JSON_VALUES)
    return record


def serialize(record: dict[str, Any], style: int, duplicate: bool) -> bytes:
    ascii_only = style % 2 == 1
    text = json.dumps(record, ensure_ascii=ascii_only, separators=[(",", ":"), (", ", ": ")][style // 2 % 2])
    if duplicate:  # one of its keys twice: must be refused, whatever the values
        text = (
            "{" + json.dumps(next(iter(record)), ensure_ascii=ascii_only) + ": 0, " + text[1:]
            if record
            else ('{"text": 1, "text": 2}')
        )
    return text.encode("utf-8", "surrogatepass") + b"\n"


def expected_layer(kind: str, record: dict[str, Any], stem: str) -> tuple[str, str | None, list[Any]]:
    """(document id, layer, spans) an accepted record must have produced."""
    if kind == "text":  # plain documents: no layer, no spans
        return str(record.get("id", f"{stem}-1")), None, []
    if kind == "prodigy":
        meta = record.get("meta") or {}
        doc_id = meta.get("id", f"{stem}-1")
        layer = record["_annotator_id"] if "_annotator_id" in record else stem
        spans = [
            (s["start"], s["end"], s["label"], s.get("note"), s.get("text")) for s in record.get("spans", [])
        ]
    elif kind.startswith("doccano"):
        doc_id = record.get("id", f"{stem}-1")
        layer = record["annotator"] if "annotator" in record else stem
        if "entities" in record and "label" not in record:
            spans = [(e["start_offset"], e["end_offset"], e["label"], None, None) for e in record["entities"]]
        else:
            spans = [(s, e, lab, None, None) for s, e, lab in record.get("label", [])]
    else:
        doc_id = record.get("id", f"{stem}-1")
        layer = record["annotator"] if "annotator" in record else stem
        spans = [
            (s["start"], s["end"], s["label"], s.get("note"), s.get("text")) for s in record.get("spans", [])
        ]
    return str(doc_id), (layer.strip() if isinstance(layer, str) else None), spans


@fuzz(
    per=("kind", sorted(VALID), sorted(VALID)),
    data=st.data(),
    style=st.integers(0, 3),
    duplicate=st.booleans(),
    nan=st.booleans(),
)
def _wrong_json(
    tmp_path: Path, kind: str, data: st.DataObject, style: int, duplicate: bool, nan: bool
) -> None:
    record = data.draw(wrong_records(kind))
    fmt = {"jsonl": "jsonl", "doccano": "doccano", "doccano-entities": "doccano", "prodigy": "prodigy"}.get(
        kind, "text"
    )
    folder = workdir(tmp_path)
    path = folder / "x.jsonl"
    if nan:
        record = {**record, "meta": {"n": float("nan")}}
    path.write_bytes(serialize(record, style, duplicate))
    project = fresh_project()
    accepted = attempt(project, [path], ImportOptions(format=fmt, add_labels=True))
    if duplicate or nan:
        assert not accepted, "a duplicate key or NaN was accepted"
    if not accepted:
        return
    if kind == "prodigy" and record.get("answer", "accept") != "accept":
        assert project.document_ids() == []  # a task not accepted is skipped (and reported)
        return
    doc_id, layer, spans = expected_layer(kind, record, "x")
    text = project.document_text(doc_id)
    assert text == record["text"]
    stored = stored_spans(project)
    if fmt != "text" and layer is not None:
        assert {s[:3] for s in stored.get((doc_id, layer), set())} == {
            (s, e, lab) for s, e, lab, _n, _q in spans
        }
    for s, e, _lab, _note, quoted in spans:
        assert quoted is None or text[s:e] == quoted  # the span's own text, where the format has one
    check_accepted(project, folder)


test_structured_wrong_json_into_every_jsonl_parser, test_structured_wrong_json_stress = _wrong_json


# -- the JSON reader's duplicate-key check against a plain reference ------------------------------------


def reference_refuses(line: str) -> bool:
    try:
        _STRICT_DECODER.decode(line)
    except _Refused:
        return True
    return False


OBJECTS = st.dictionaries(
    st.sampled_from(["text", "id", "a", "b", 'q"', "k\\", "é", "😀", " :", '":']) | st.text(max_size=3),
    JSON_VALUES,
    min_size=1,
    max_size=5,
)


@fuzz(obj=OBJECTS, style=st.integers(0, 5), dup=st.integers(0, 4), where=st.integers(0, 100))
def _duplicate_check(obj: dict[str, Any], style: int, dup: int, where: int) -> None:
    separators = [(",", ":"), (", ", ": "), (" , ", " : "), (",", ":\t"), (",\t", " :"), (",", ":")][style]
    line = json.dumps(obj, ensure_ascii=style == 5, separators=separators)
    if dup:  # insert a copy of one of the keys somewhere among the top-level pairs, or in a nested object
        keys = list(obj)
        key = json.dumps(keys[where % len(keys)], ensure_ascii=style == 5)
        copy = f"{key}{separators[1]}1{separators[0]}"
        if dup == 1:
            line = "{" + copy + line[1:]
        else:
            opens = [i for i, ch in enumerate(line) if ch == "{"]
            at = opens[where % len(opens)]
            if line[at + 1] == "}":
                line = line[: at + 1] + '"x":1,"x":2' + line[at + 1 :]
            else:
                line = line[: at + 1] + copy + line[at + 1 :]
    try:
        expected = reference_refuses(line)
    except (json.JSONDecodeError, ValueError):
        return  # not JSON at all (a brace inside a string was hit): nothing to compare
    try:
        parse_json_line(line)
        refused = False
    except _Refused:
        refused = True
    except ValueError:
        return  # NaN or an infinite number (refused on purpose; the reference does the same)
    assert refused == expected, line


test_duplicate_keys_are_found_like_the_reference, test_duplicate_keys_stress = _duplicate_check


# -- UTF-16 ↔ code points ---------------------------------------------------------------------------------

UTF16_PIECES = st.sampled_from(
    ["a", "😀", "👩\u200d🔬", "🇺🇸", "中", "e\u0301", "\r\n", "\r", "\n", "\ufeff", "\u2028", "\u2029", "\x85",
     "\x0b", "\x0c", "\u202e", "𝔘", "\U0010ffff", "\x00"]
)  # fmt: skip
UTF16_TEXTS = st.lists(UTF16_PIECES | st.text(max_size=2), max_size=30).map("".join)


def qt_slice(text: str, start: int, end: int) -> str:
    """``text[start:end]`` as a QTextDocument given ``text`` by setPlainText shows it: the BOM at
    the very start dropped, and each \\r\\n, \\r and \\n one paragraph separator (U+2029)."""
    piece = text[start:end]
    if start == 0 and piece.startswith("\ufeff"):
        piece = piece[1:]
    return piece.replace("\r\n", "\u2029").replace("\r", "\u2029").replace("\n", "\u2029")


def qt_boundary(text: str, offset: int) -> int:
    """The code-point offset a Qt document position brings ``offset`` back to."""
    if offset == 0 and text.startswith("\ufeff"):
        return 1
    if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n":
        return offset - 1
    return offset


def qt_text(text: str) -> str:
    return qt_slice(text, 0, len(text))


@fuzz(text=UTF16_TEXTS, data=st.data())
def _offset_map(text: str, data: st.DataObject) -> None:
    plain, qt = OffsetMap(text), OffsetMap.for_qt_document(text)
    assert plain.utf16_length == utf16_len(text)
    assert qt.utf16_length == utf16_len(qt_text(text))
    for i in range(len(text) + 1):
        assert plain.to_utf16(i) == utf16_len(text[:i])
        assert plain.to_code_point(plain.to_utf16(i)) == i
    if text:
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        # code points → UTF-16 → code points gives the same span, in a string and in a Qt document
        assert plain.span_to_code_points(*plain.span_to_utf16(start, end)) == (start, end)
        a, b = qt.span_to_utf16(start, end)
        # In a Qt document the "\n" of "\r\n" and a leading BOM have no position of their own: a
        # boundary just after a "\r" of "\r\n" comes back before it, one before a leading BOM
        # after it. Every other boundary comes back exactly.
        assert qt.span_to_code_points(a, b) == (qt_boundary(text, start), qt_boundary(text, end))
        assert qt.span_to_utf16(*qt.span_to_code_points(a, b)) == (a, b)


test_offset_map_round_trips, test_offset_map_round_trips_stress = _offset_map


def selectable_positions(text: str) -> list[int]:
    """Qt positions a cursor can take: none inside a surrogate pair."""
    positions, units = [0], 0
    for ch in qt_text(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        positions.append(units)
    return positions


def _qt_selection(qapp: Any, text: str, data: st.DataObject) -> None:
    from PySide6.QtGui import QTextCursor, QTextDocument

    document = QTextDocument()
    document.setPlainText(text)
    offsets = OffsetMap.for_qt_document(text)
    assert document.characterCount() - 1 == offsets.utf16_length
    positions = selectable_positions(text)
    first = data.draw(st.sampled_from(positions))
    second = data.draw(st.sampled_from(positions))
    cursor = QTextCursor(document)
    cursor.setPosition(first)
    cursor.setPosition(second, QTextCursor.MoveMode.KeepAnchor)
    start, end = offsets.span_to_code_points(cursor.selectionStart(), cursor.selectionEnd())
    # What the user selected is exactly text[start:end] (Qt shows line breaks as U+2029).
    assert qt_slice(text, start, end) == cursor.selectedText()
    # And a stored span is shown as exactly that selection.
    a, b = offsets.span_to_utf16(start, end)
    assert (a, b) == (cursor.selectionStart(), cursor.selectionEnd())


@NORMAL
@given(text=UTF16_TEXTS, data=st.data())
def test_qt_selections_become_spans_with_the_selected_text(qapp: Any, text: str, data: st.DataObject) -> None:
    _qt_selection(qapp, text, data)


@pytest.mark.stress
@STRESS
@given(text=UTF16_TEXTS, data=st.data())
def test_qt_selections_become_spans_with_the_selected_text_stress(qapp: Any, text: str, data: Any) -> None:
    _qt_selection(qapp, text, data)
