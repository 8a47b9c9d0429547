"""Hostile and odd input through ``annotator import`` and the core import API (issue 7, item 4).

Every case in :data:`CASES` ends one of two ways, checked both through the real command line
(click's CliRunner on ``annotator.cli``, on a project file) and through ``import_corpus`` (on an
in-memory project):

* **imported**: exit status 0; every expected document's text is stored exactly (compared
  character for character); every expected span's ``text[start:end]`` is the text it was given
  for; and export (native JSONL) → import into a fresh project → export is byte-identical;
* **refused**: exit status 1, nothing on stdout, exactly one line on stderr,
  ``annotator: error: FILE[:LINE]: …`` naming the file and line and saying what is wrong, and the
  project file byte-identical to before (SHA-256 of its bytes and of a full SQL dump).

The cases that need their own set-up follow the table: a 10 MB single-line document, 100,000
documents in one file, a FIFO, unreadable files and folders, file names that are not UTF-8,
Ctrl+C in the middle of a big import, and terminal-safe output of hostile ids and titles.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from annotator.cli import cli
from annotator.core.errors import AnnotatorError
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.store import DocumentInput, Project, read_only_uri

ROOT = Path(__file__).resolve().parents[2]
BASE_TEXT = "Base article: Kim said no."


# -- what a case is ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile input: files to write, what to pass, and how it must end."""

    name: str
    files: dict[str, bytes]
    #: Imported: document id → its exact text (documents not listed are not checked).
    expect: dict[str, str] | None = None
    #: Imported: (document id, layer, start, end, label, the text the span was made for).
    spans: tuple[tuple[str, str, int, int, str, str], ...] = ()
    #: Refused: a fragment of the message, and the file[:line] it must name (relative path).
    refused: str | None = None
    where: str | None = None
    args: tuple[str, ...] = ()
    #: What to pass to ``annotator import`` (default: every top-level entry, sorted).
    inputs: tuple[str, ...] | None = None
    #: Imported: how many documents the import adds (default: len(expect)).
    added: int | None = None
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        assert (self.expect is None) != (self.refused is None), self.name
        assert self.refused is None or self.where is not None, self.name


def line(obj: Any) -> bytes:
    """One JSON Lines record as bytes (a str is written as it is: raw, possibly broken JSON)."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass") + b"\n"


def jsonl(*objs: Any) -> bytes:
    return b"".join(line(o) for o in objs)


def imported(name: str, files: dict[str, bytes], expect: dict[str, str], **kw: Any) -> Case:
    return Case(name, files, expect=expect, **kw)


def refused(name: str, files: dict[str, bytes], where: str, fragment: str, **kw: Any) -> Case:
    return Case(name, files, refused=fragment, where=where, **kw)


# -- the table -----------------------------------------------------------------------------------

HTML = (
    '<b>bold</b> <img src="x.png" onerror="alert(1)"> <!-- a comment --> &amp; &lt;tag&gt; '
    '<qt><font color="red">rich</font></qt> <script>alert(1)</script> <a href="javascript:x">l</a>'
)
C0 = [chr(c) for c in range(1, 0x20)]  # NUL has its own cases: it is refused
C1_AND_DEL = [chr(0x7F)] + [chr(c) for c in range(0x80, 0xA0)]
#: Characters str.splitlines() breaks on besides \n and \r: none of them may split a record.
LINE_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
BIDI = "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u202a", "\u202b"
RTL = "שלום עולם \u202eevil.exe\u202c مرحبا \u2067עברית\u2069 and \u2066LTR\u2069 \u2068x\u2069 \u200f."


def spans_over(text: str, needles: list[str], label: str = "actor") -> list[dict[str, Any]]:
    """Native spans over the first occurrence of each needle (with its text)."""
    out = []
    for needle in needles:
        start = text.index(needle)
        out.append({"start": start, "end": start + len(needle), "label": label, "text": needle})
    return out


def native(doc_id: str, text: str, spans: list[dict[str, Any]], annotator: str = "ann") -> dict[str, Any]:
    return {"id": doc_id, "text": text, "annotator": annotator, "spans": spans}


def expected_spans(doc_id: str, spans: list[dict[str, Any]], layer: str = "ann") -> tuple[Any, ...]:
    return tuple((doc_id, layer, s["start"], s["end"], s["label"], s["text"]) for s in spans)


def markup_cases() -> Iterator[Case]:
    yield imported("html in .txt", {"page.txt": HTML.encode()}, {"page": HTML})
    spans = spans_over(HTML, ["<b>bold</b>", "&amp;", "<qt>", "<!--"])
    yield imported(
        "html in native jsonl with spans over the tags",
        {"page.jsonl": jsonl(native("p", HTML, spans))},
        {"p": HTML},
        spans=expected_spans("p", spans),
    )
    yield imported(
        "html as id and title",
        {"t.jsonl": jsonl({"id": "<b>id</b>", "title": "<i>t</i>", "text": HTML})},
        {"<b>id</b>": HTML},
    )


def control_cases() -> Iterator[Case]:
    every_c0 = "".join(f"[{c}]" for c in C0)
    yield imported("every C0 control in .txt", {"c0.txt": every_c0.encode()}, {"c0": every_c0})
    spans = spans_over(every_c0, C0)
    yield imported(
        "every C0 control in jsonl, a span over each",
        {"c0.jsonl": jsonl(native("c0", every_c0, spans))},
        {"c0": every_c0},
        spans=expected_spans("c0", spans),
    )
    c1 = "".join(f"[{c}]" for c in C1_AND_DEL)
    yield imported("DEL and C1 controls in .txt", {"c1.txt": c1.encode()}, {"c1": c1})
    spans = spans_over(c1, C1_AND_DEL)
    yield imported(
        "DEL and C1 controls in jsonl, a span over each",
        {"c1.jsonl": jsonl(native("c1", c1, spans))},
        {"c1": c1},
        spans=expected_spans("c1", spans),
    )
    yield imported(
        "controls in id, title and meta",
        {
            "t.jsonl": jsonl(
                {"id": "a\x1b[31mred", "title": "t\x07\x08", "text": "x", "meta": {"k\x01": "v\x7f"}}
            )
        },
        {"a\x1b[31mred": "x"},
    )
    yield refused(
        "raw control character inside a JSON string",
        {"raw.jsonl": b'{"text": "ok"}\n{"text": "a\x01b"}\n'},
        "raw.jsonl:2",
        "malformed JSON: Invalid control character",
    )


def nul_cases() -> Iterator[Case]:
    yield refused("NUL byte in .txt", {"n.txt": b"line one\nline\x00two\n"}, "n.txt:2", "binary file")
    yield refused("\\u0000 in jsonl text", {"n.jsonl": b'{"text": "a\\u0000b"}\n'}, "n.jsonl:1", "NUL")
    for key, record in {
        "id": '{"id": "a\\u0000", "text": "x"}',
        "title": '{"title": "\\u0000", "text": "x"}',
        "meta": '{"text": "x", "meta": {"k": "\\u0000"}}',
        "label": '{"text": "xy", "spans": [{"start": 0, "end": 1, "label": "actor\\u0000"}]}',
        "annotator": '{"text": "xy", "annotator": "a\\u0000", "spans": []}',
        "note": '{"text": "xy", "spans": [{"start": 0, "end": 1, "label": "actor", "note": "\\u0000"}]}',
    }.items():
        yield refused(
            f"\\u0000 in {key}", {"n.jsonl": line(record)}, "n.jsonl:1", "NUL characters are not allowed"
        )
    yield refused(
        "raw NUL byte in a JSON string",
        {"n.jsonl": b'{"text": "ok"}\n{"text": "a\x00b"}\n'},
        "n.jsonl:2",
        "binary file",
    )
    yield refused(
        "NUL byte in a .conll file",
        {"n.conll": b"-DOCSTART-\td\n\nKim\tB-actor\x00\n"},
        "n.conll:3",
        "binary file",
    )
    yield refused(
        "\\u0000 in a quoted CoNLL id",
        {"n.conll": b'-DOCSTART-\t"a\\u0000"\tann\n\nKim\tB-actor\n'},
        "n.conll:1",
        "NUL",
    )


def surrogate_cases() -> Iterator[Case]:
    for label, escape in {
        "lone high": "\\ud800",
        "lone low": "\\udc00",
        "upper-case lone high": "\\uD83D",
        "reversed pair": "\\ude00\\ud83d",
        "high then a letter": "\\ud83dx",
    }.items():
        yield refused(
            f"{label} surrogate escape in text",
            {"s.jsonl": line('{"text": "ok"}') + line('{"text": "a' + escape + 'b"}')},
            "s.jsonl:2",
            "half of a surrogate pair",
        )
    for key, record in {
        "a key": '{"text": "x", "meta": {"\\udc80": 1}}',
        "meta": '{"text": "x", "meta": {"k": ["\\ud800"]}}',
        "label": '{"text": "xy", "spans": [{"start": 0, "end": 1, "label": "\\ud800"}]}',
        "id": '{"id": "\\udfff", "text": "x"}',
    }.items():
        yield refused(
            f"lone surrogate escape in {key}",
            {"s.jsonl": line(record)},
            "s.jsonl:1",
            "half of a surrogate pair",
        )
    text = "smile \U0001f600 ok"
    yield imported(
        "paired surrogate escapes give one astral character",
        {
            "s.jsonl": b'{"id": "s", "text": "smile \\ud83d\\ude00 ok", "annotator": "ann", "spans": '
            b'[{"start": 6, "end": 7, "label": "actor", "text": "\\uD83D\\uDE00"}]}\n'
        },
        {"s": text},
        spans=(("s", "ann", 6, 7, "actor", "\U0001f600"),),
    )
    yield refused(
        "surrogate encoded in UTF-8 (CESU-8) in .txt",
        {"s.txt": b"ok\n\xed\xa0\xbd\xed\xb8\x80\n"},
        "s.txt:2",
        "invalid UTF-8",
    )
    yield refused(
        "lone surrogate in a quoted CoNLL annotator",
        {"s.conll": b'-DOCSTART-\td\t"\\ud800"\n\nKim\tB-actor\n'},
        "s.conll:1",
        "half a surrogate pair",
    )


def bidi_cases() -> Iterator[Case]:
    yield imported("RTL text and bidi overrides in .txt", {"rtl.txt": RTL.encode()}, {"rtl": RTL})
    spans = spans_over(RTL, ["שלום", "\u202eevil.exe\u202c", "مرحبا", "\u2067עברית\u2069", *BIDI[:5]])
    yield imported(
        "RTL text and bidi overrides in jsonl, spans over them",
        {"rtl.jsonl": jsonl(native("rtl", RTL, spans))},
        {"rtl": RTL},
        spans=expected_spans("rtl", spans),
    )
    yield imported(
        "bidi overrides in id and title",
        {"b.jsonl": jsonl({"id": "\u202edi", "title": "\u2067t\u2069", "text": RTL})},
        {"\u202edi": RTL},
    )


def line_break_cases() -> Iterator[Case]:
    text = "".join(f"{i}{ch}" for i, ch in enumerate(LINE_BREAKS)) + "end"
    yield imported("splitlines() breaks in .txt stay verbatim", {"lb.txt": text.encode()}, {"lb": text})
    spans = spans_over(text, LINE_BREAKS)
    yield imported(
        "splitlines() breaks escaped in jsonl: one record, line numbers kept",
        {"lb.jsonl": jsonl({"text": text}, native("n", text, spans), {"text": "third"})},
        {"lb-1": text, "n": text, "lb-3": "third"},
        spans=expected_spans("n", spans),
        args=("--format", "jsonl"),
    )
    raw = "a\x85b\u2028c\u2029d"
    yield imported(
        "raw NEL, U+2028 and U+2029 inside JSON strings do not split the line",
        {"raw.jsonl": '{"text": "a\x85b\u2028c\u2029d"}\n{"text": "second"}\n'.encode()},
        {"raw-1": raw, "raw-2": "second"},
    )
    for ch in ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]:
        yield refused(
            f"raw {ch!r} inside a JSON string is refused, on its own line",
            {"raw.jsonl": b'{"text": "ok"}\n{"text": "a' + ch.encode() + b'b"}\n{"text": "c"}\n'},
            "raw.jsonl:2",
            "Invalid control character",
        )


def line_end_cases() -> Iterator[Case]:
    yield imported(
        "mixed \\n and \\r\\n line ends",
        {"m.jsonl": b'{"text": "a"}\n{"text": "b"}\r\n{"text": "c\\r\\nd"}\n\r\n{"text": "e"}'},
        {"m-1": "a", "m-2": "b", "m-3": "c\r\nd", "m-5": "e"},
    )
    yield refused(
        "records separated by a lone \\r",
        {"m.jsonl": b'{"text": "a"}\r{"text": "b"}\r'},
        "m.jsonl:1",
        "lone \\r",
    )
    mixed = "one\ntwo\r\nthree\rfour\n\rfive\r\r\n"
    yield imported("mixed line ends in .txt stay verbatim", {"m.txt": mixed.encode()}, {"m": mixed})
    yield imported(
        "empty and blank lines keep the line numbers",
        {"e.jsonl": b'\n\n{"text": "a"}\n   \n\t\n\r\n{"text": "b"}\n\n'},
        {"e-3": "a", "e-7": "b"},
    )
    yield imported(
        "final line without a newline", {"f.jsonl": b'{"text": "a"}\n{"text": "b"}'}, {"f-1": "a", "f-2": "b"}
    )
    yield imported("final .txt line without a newline", {"f.txt": b"no newline"}, {"f": "no newline"})


def encoding_cases() -> Iterator[Case]:
    yield imported("UTF-8 BOM at the start of .txt", {"b.txt": b"\xef\xbb\xbfhello"}, {"b": "hello"})
    yield imported(
        "UTF-8 BOM at the start of .jsonl", {"b.jsonl": b'\xef\xbb\xbf{"text": "a"}\n'}, {"b-1": "a"}
    )
    yield imported(
        "BOM at the start of a later line (files joined with cat)",
        {"b.jsonl": b'{"text": "a"}\n\xef\xbb\xbf{"text": "b"}\n'},
        {"b-1": "a", "b-2": "b"},
    )
    yield imported(
        "U+FEFF inside a text is content and stays",
        {"b.txt": "a\ufeffb".encode(), "c.jsonl": line({"text": "\ufeffx"})},
        {"b": "a\ufeffb", "c-1": "\ufeffx"},
    )
    text = "Kim 👩‍🔬 said\r\nשלום 北朝鮮\n"
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        yield imported(f"{codec} .txt with BOM", {"u.txt": bom + text.encode(codec)}, {"u": text})
        records = (json.dumps({"text": text}, ensure_ascii=False) + "\r\n" + '{"text": "b"}\n').encode(codec)
        yield imported(f"{codec} .jsonl with BOM", {"u.jsonl": bom + records}, {"u-1": text, "u-2": "b"})
    yield refused(
        "UTF-16 without a BOM",
        {"u.txt": "hello\nworld".encode("utf-16-le")},
        "u.txt:1",
        "UTF-16 text without a byte-order mark",
    )
    yield refused(
        "UTF-16 .jsonl without a BOM",
        {"u.jsonl": '{"text": "a"}\n'.encode("utf-16-le")},
        "u.jsonl:1",
        "UTF-16 text without a byte-order mark",
    )
    yield refused("UTF-32 with BOM", {"u.txt": "hi".encode("utf-32")}, "u.txt:1", "UTF-32")
    yield refused(
        "UTF-32 .jsonl with BOM",
        {"u.jsonl": b'{"text": "hi"}'.decode().encode("utf-32")},
        "u.jsonl:1",
        "UTF-32",
    )
    yield refused(
        "UTF-16 with an odd number of bytes",
        {"u.txt": b"\xff\xfe" + "ab\ncd".encode("utf-16-le") + b"x"},
        "u.txt:2",
        "invalid UTF-16 LE",
    )
    yield refused(
        "UTF-16 with a lone surrogate",
        {"u.txt": b"\xff\xfe" + "ok\n".encode("utf-16-le") + b"\x00\xd8a\x00"},
        "u.txt:2",
        "invalid UTF-16 LE",
    )
    yield refused(
        "invalid UTF-8 in .txt", {"i.txt": b"one\ntwo\nca\xe9\n"}, "i.txt:3", "invalid UTF-8 (byte 0xe9"
    )
    yield refused(
        "invalid UTF-8 in .jsonl",
        {"i.jsonl": b'{"text": "a"}\n{"text": "\xff"}\n'},
        "i.jsonl:2",
        "invalid UTF-8",
    )
    yield refused("overlong UTF-8", {"i.txt": b"a\xc0\x80b"}, "i.txt:1", "invalid UTF-8")
    yield refused(
        "binary file as .txt", {"b.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "b.txt:3", "binary file"
    )
    yield refused("binary file as .jsonl", {"b.jsonl": bytes(range(256))}, "b.jsonl:1", "binary file")
    yield refused(
        "binary file as .conll", {"b.conll": b"\x7fELF\x02\x01\x01\x00\x00"}, "b.conll:1", "binary file"
    )


def file_cases() -> Iterator[Case]:
    yield imported("empty .txt is an empty document", {"e.txt": b""}, {"e": ""})
    yield imported("empty .jsonl adds nothing", {"e.jsonl": b""}, {}, added=0)
    yield imported("blank .jsonl adds nothing", {"e.jsonl": b"\n \r\n\t\n"}, {}, added=0)
    yield imported(
        "a folder named like a file is searched as a folder",
        {"x.jsonl/inner.txt": b"inside"},
        {"inner": "inside"},
    )
    yield refused("an empty folder", {"empty/": b""}, "empty", "nothing to import")
    yield refused("a missing file", {}, "missing.txt", "no such file or folder", inputs=("missing.txt",))
    yield refused("an unknown suffix", {"x.pdf": b"%PDF"}, "x.pdf", "unsupported file type")
    yield refused("a brat .ann given alone", {"x.ann": b""}, "x.ann", "import the folder")


def number_cases() -> Iterator[Case]:
    yield imported(
        "a huge integer id",
        {"n.jsonl": b'{"id": 100000000000000000000000000000, "text": "a"}\n'},
        {"100000000000000000000000000000": "a"},
    )
    yield refused(
        "an integer of 5,000 digits",
        {"n.jsonl": b'{"text": "a", "meta": {"n": ' + b"7" * 5000 + b"}}\n"},
        "n.jsonl:1",
        "too many digits",
    )
    for literal in ("NaN", "Infinity", "-Infinity"):
        yield refused(
            f"{literal} in meta",
            {"n.jsonl": f'{{"text": "a", "meta": {{"x": {literal}}}}}\n'.encode()},
            "n.jsonl:1",
            "is not a JSON number",
        )
    yield refused(
        "1e999 in meta", {"n.jsonl": b'{"text": "a", "meta": {"x": 1e999}}\n'}, "n.jsonl:1", "too large"
    )


def nesting_cases() -> Iterator[Case]:
    deep = 100_000
    yield refused(
        "[[[[ 100,000 deep on a line of its own",
        {"d.jsonl": b'{"text": "a"}\n' + b"[" * deep + b"]" * deep + b"\n"},
        "d.jsonl:2",
        "JSON nested too deeply",
    )
    yield refused(
        "unclosed [[[[ 100,000 deep",
        {"d.jsonl": b"[" * deep},
        "d.jsonl:1",
        "JSON nested too deeply",
    )
    yield refused(
        "meta nested 100,000 deep",
        {"d.jsonl": b'{"text": "a", "meta": {"x": ' + b"[" * deep + b"]" * deep + b"}}\n"},
        "d.jsonl:1",
        "JSON nested too deeply",
    )
    yield refused(
        "objects nested 100,000 deep",
        {"d.jsonl": b'{"text": "a", "meta": ' + b'{"a": ' * deep + b"1" + b"}" * deep + b"}\n"},
        "d.jsonl:1",
        "JSON nested too deeply",
    )
    yield refused(
        "meta nested 150 deep (parses, too deep to keep)",
        {"d.jsonl": b'{"text": "a", "meta": {"x": ' + b"[" * 150 + b"]" * 150 + b"}}\n"},
        "d.jsonl:1",
        "nested more than 100 levels",
    )
    yield refused(
        "doccano extra field nested 150 deep",
        {"d.jsonl": b'{"text": "a", "label": [], "x": ' + b"[" * 150 + b"]" * 150 + b"}\n"},
        "d.jsonl:1",
        "nested more than 100 levels",
    )
    yield refused(
        "prodigy meta nested 150 deep",
        {"d.jsonl": b'{"text": "a", "answer": "accept", "meta": {"x": ' + b"[" * 150 + b"]" * 150 + b"}}\n"},
        "d.jsonl:1",
        "nested more than 100 levels",
    )
    meta = {"x": json.loads("[" * 90 + "]" * 90)}
    yield imported(
        "meta nested 90 deep is kept", {"d.jsonl": jsonl({"id": "d", "text": "a", "meta": meta})}, {"d": "a"}
    )
    yield imported(
        "an unread span field nested 500 deep is ignored",
        {
            "d.jsonl": b'{"id": "d", "text": "ab", "annotator": "ann", "spans": [{"start": 0, "end": 1, '
            b'"label": "actor", "x": ' + b"[" * 500 + b"]" * 500 + b"}]}\n"
        },
        {"d": "ab"},
        spans=(("d", "ann", 0, 1, "actor", "a"),),
    )


def duplicate_key_cases() -> Iterator[Case]:
    plain, native_first = '{"text": "ok"}', '{"text": "ok", "spans": []}'
    doccano_first, prodigy_first = '{"text": "ok", "label": []}', '{"text": "ok", "answer": "accept"}'
    for name, first, record, key in [
        ("top level", plain, '{"text": "a", "text": "b"}', "text"),
        ("top level, compact", plain, '{"text":"a","id":"x","text":"b"}', "text"),
        ("spaced from the colon", plain, '{"text" : "a", "text" : "b"}', "text"),
        ("with a tab before the colon", plain, '{"text"\t: "a", "text"\t: "b"}', "text"),
        ("written differently (\\u0065)", plain, '{"text": "a", "t\\u0065xt": "b"}', "text"),
        ("in meta", plain, '{"text": "a", "meta": {"k": 1, "k": 2}}', "k"),
        ("meta twice", plain, '{"text": "a", "meta": {}, "meta": {"x": 1}}', "meta"),
        (
            "five levels down",
            plain,
            '{"text": "a", "meta": {"a": {"b": {"c": {"d": {"k": 1, "k": 1}}}}}}',
            "k",
        ),
        ("in a list in meta", plain, '{"text": "a", "meta": {"l": [[{"k": 1, "k": 2}]]}}', "k"),
        (
            "in a native span",
            native_first,
            '{"text": "ab", "spans": [{"start": 0, "start": 1, "end": 2}]}',
            "start",
        ),
        (
            "in a doccano extra field",
            doccano_first,
            '{"text": "a", "label": [], "x": [{"k": 1, "k": 2}]}',
            "k",
        ),
        (
            "in prodigy tokens",
            prodigy_first,
            '{"text": "a", "answer": "accept", "tokens": [{"id": 0, "id": 1}]}',
            "id",
        ),
        ('after a string holding \\":', plain, '{"text": "say \\":\\" here", "text": "b"}', "text"),
        ("with a string holding ' :'", plain, '{"text": "Il dit : non", "text": "b"}', "text"),
    ]:
        yield refused(
            f"duplicate key {name}",
            {"dup.jsonl": line(first) + line(record)},
            "dup.jsonl:2",
            f"duplicate key {key!r}",
        )
    yield imported(
        "keys that differ only in case are not duplicates",
        {"k.jsonl": b'{"text": "a", "Text": "b", "meta": {"k": 1, "K": 2}}\n'},
        {"k-1": "a"},
    )
    yield imported(
        'a string holding \\":, no duplicate',
        {"k.jsonl": b'{"text": "say \\"x\\": y", "id": "q"}\n'},
        {"q": 'say "x": y'},
    )


# -- wrong types for every field of every format ------------------------------------------------------

WRONG_SCALARS: dict[str, Any] = {"number": 5, "null": None, "list": [], "object": {}, "bool": True}


def wrong_type_cases() -> Iterator[Case]:
    """The first line is good (it fixes the detected format), the second has one field wrong."""
    formats: dict[str, dict[str, Any]] = {
        "plain": {"id": "g", "text": "Kim said no."},
        "native": {"id": "g", "text": "Kim said no.", "annotator": "ann", "spans": []},
        "doccano": {"id": "g", "text": "Kim said no.", "label": []},
        "prodigy": {"text": "Kim said no.", "answer": "accept", "spans": [], "meta": {"id": "g"}},
    }
    good_span = {"start": 0, "end": 3, "label": "actor"}

    def case(fmt: str, what: str, bad: dict[str, Any], fragment: str) -> Case:
        return refused(
            f"{fmt}: {what}", {f"{fmt}.jsonl": jsonl(formats[fmt], bad)}, f"{fmt}.jsonl:2", fragment
        )

    for fmt, first in formats.items():
        text_msg = (
            "field 'text' must be a string" if fmt == "plain" else "field 'text' is missing or not a string"
        )
        for kind, value in WRONG_SCALARS.items():
            yield case(fmt, f"text is {kind}", {**first, "id": "b", "text": value}, text_msg)
        missing = {k: v for k, v in first.items() if k != "text"}
        yield case(fmt, "text missing", missing, "missing field 'text'" if fmt == "plain" else text_msg)
        id_msg = (
            "field 'id' must be" if fmt == "plain" else "document id must be a non-empty string or integer"
        )
        for kind, value in {
            "float": 1.5,
            "null": None,
            "list": [],
            "object": {},
            "bool": True,
            "empty": "",
            "blank": "  ",
        }.items():
            if fmt == "prodigy":
                yield case(fmt, f"meta.id is {kind}", {**first, "meta": {"id": value}}, id_msg)
            else:
                yield case(fmt, f"id is {kind}", {**first, "id": value}, id_msg)
        for kind, value in {"number": 5, "list": [], "object": {}, "bool": True}.items():
            if fmt == "prodigy":
                yield case(
                    fmt,
                    f"meta.title is {kind}",
                    {**first, "meta": {"id": "b", "title": value}},
                    "field 'meta.title' must be a string or null",
                )
            else:
                yield case(
                    fmt, f"title is {kind}", {**first, "id": "b", "title": value}, "field 'title' must be"
                )
        if fmt != "doccano":  # doccano's meta is the record's other fields: any JSON value
            for kind, value in {"number": 5, "string": "x", "list": [], "bool": True}.items():
                yield case(
                    fmt,
                    f"meta is {kind}",
                    {**first, "id": "b", "meta": value},
                    "field 'meta' must be a JSON object",
                )
        if fmt in ("native", "doccano"):
            for kind, value in {"number": 5, "list": [], "object": {}, "bool": True}.items():
                yield case(
                    fmt,
                    f"annotator is {kind}",
                    {**first, "id": "b", "annotator": value},
                    "field 'annotator' must be a string or null",
                )
            yield case(
                fmt,
                "annotator is empty",
                {**first, "id": "b", "annotator": ""},
                "annotator name must not be empty",
            )
            yield case(
                fmt, "annotator has a slash", {**first, "id": "b", "annotator": "a/b"}, "is not allowed"
            )
        if fmt == "prodigy":
            for kind, value in {"number": 5, "list": [], "object": {}, "bool": True}.items():
                yield case(
                    fmt,
                    f"_annotator_id is {kind}",
                    {**first, "_annotator_id": value, "meta": {"id": "b"}},
                    "field '_annotator_id' must be a string or null",
                )
        if fmt == "native":
            for kind, value in {
                "number": 5,
                "list": [],
                "object": {},
                "bool": True,
                "unknown": "finished",
            }.items():
                yield case(fmt, f"status is {kind}", {**first, "id": "b", "status": value}, "unknown status")
        if fmt == "plain":
            continue
        # Spans: the container, an element, then each field.
        spans_key = "label" if fmt == "doccano" else "spans"
        container_msg = (
            "field 'label' must be a list of [start, end, label]"
            if fmt == "doccano"
            else "field 'spans' must be a list"
        )
        for kind, value in {"number": 5, "string": "x", "object": {}, "null": None, "bool": True}.items():
            yield case(fmt, f"{spans_key} is {kind}", {**first, "id": "b", spans_key: value}, container_msg)
        element_msg = (
            "a span must be [start, end, label]" if fmt == "doccano" else "a span must be a JSON object"
        )
        for kind, value in {
            "number": 5,
            "string": "x",
            "null": None,
            "bool": True,
            **(
                {"object": {"start": 0}, "short list": [0, 1], "long list": [0, 1, "actor", 2]}
                if fmt == "doccano"
                else {"list": [0, 3, "actor"]}
            ),
        }.items():
            yield case(fmt, f"a span is {kind}", {**first, "id": "b", spans_key: [value]}, element_msg)

        def with_span(fmt: str = fmt, first: dict[str, Any] = first, **changes: Any) -> dict[str, Any]:
            span = {**good_span, **changes}
            if fmt == "doccano":
                item = [span.get("start"), span.get("end"), span.get("label")]
                return {**first, "id": "b", "label": [item]}
            span = {k: v for k, v in span.items() if v is not MISSING}
            return (
                {**first, "id": "b", "meta": {"id": "b"}, "spans": [span]}
                if fmt == "prodigy"
                else {**first, "id": "b", "spans": [span]}
            )

        offsets = {
            "string": "0",
            "float": 0.0,
            "fraction": 1.5,
            "true": True,
            "false": False,
            "null": None,
            "list": [0],
            "object": {},
        }
        if fmt != "doccano":
            offsets["missing"] = MISSING
        for key in ("start", "end"):
            for kind, value in offsets.items():
                yield case(
                    fmt, f"span {key} is {kind}", with_span(**{key: value}), "span offsets must be integers"
                )
        yield case(fmt, "span start is negative", with_span(start=-1), "is outside its text")
        yield case(fmt, "span end is beyond the text", with_span(end=13), "is outside its text")
        yield case(fmt, "span end equals start", with_span(start=3, end=3), "or empty")
        yield case(fmt, "span end before start", with_span(start=3, end=1), "or empty")
        yield case(
            fmt, "span offsets are huge", with_span(start=10**30, end=10**30 + 1), "is outside its text"
        )
        labels = {"number": 5, "null": None, "list": [], "object": {}, "empty": "", "bool": True}
        if fmt != "doccano":
            labels["missing"] = MISSING
        for kind, value in labels.items():
            yield case(fmt, f"span label is {kind}", with_span(label=value), "has no label")
        yield case(fmt, "span label unknown", with_span(label="villain"), "unknown label 'villain'")
        if fmt in ("native", "prodigy"):
            for kind, value in {"number": 5, "list": [], "wrong text": "Ki"}.items():
                yield case(fmt, f"span text is {kind}", with_span(text=value), "differs from the document's")
            for kind, value in {"number": 5, "list": [], "object": {}, "bool": True}.items():
                yield case(fmt, f"span note is {kind}", with_span(note=value), "'note' must be a string")
        if fmt == "doccano":
            entity = {"start_offset": 0, "end_offset": 3, "label": "actor"}
            doc = {"id": "b", "text": "Kim said no."}
            yield case(fmt, "entities is a number", {**doc, "entities": 5}, "field 'entities' must be a list")
            yield case(  # a list of three is an intent-detection entity (issue 12): read
                fmt,
                "an entity is a list of two",
                {**doc, "entities": [[0, 3]]},
                "an entity must be a JSON object",
            )
            for kind, value in offsets.items():
                yield case(
                    fmt,
                    f"entity start_offset is {kind}",
                    {**doc, "entities": [{**entity, "start_offset": value}]},
                    "span offsets must be integers",
                )
            yield case(
                fmt, "entity label is a number", {**doc, "entities": [{**entity, "label": 5}]}, "has no label"
            )


MISSING: Any = object()


def accepted_odd_types() -> Iterator[Case]:
    """Odd but valid: documented defaults, not errors."""
    yield imported("plain: integer id", {"p.jsonl": jsonl({"id": 7, "text": "a"})}, {"7": "a"})
    yield imported(
        "plain: null title and meta",
        {"p.jsonl": jsonl({"id": "t", "text": "a", "title": None, "meta": None})},
        {"t": "a"},
    )
    yield imported(
        "plain: source of another type",
        {"p.jsonl": jsonl({"id": "s", "text": "a", "source": [1]})},
        {"s": "a"},
    )
    yield imported(
        "native: null annotator, status, title and meta",
        {
            "n.jsonl": jsonl(
                {
                    "id": "n",
                    "text": "a",
                    "annotator": None,
                    "status": None,
                    "title": None,
                    "meta": None,
                    "spans": [],
                }
            )
        },
        {"n": "a"},
    )
    yield imported(
        "native: span text and note null",
        {
            "n.jsonl": jsonl(
                native("n", "abc", [{"start": 0, "end": 1, "label": "actor", "text": None, "note": None}])
            )
        },
        {"n": "abc"},
        spans=(("n", "ann", 0, 1, "actor", "a"),),
    )
    yield imported(
        "prodigy: a task whose answer is not 'accept' is skipped and reported",
        {
            "p.jsonl": jsonl(
                {"text": "a", "answer": "accept", "meta": {"id": "p"}}, {"text": "b", "answer": 5}
            )
        },
        {"p": "a"},
        added=1,
        notes=("not accepted",),
    )
    yield imported(
        "prodigy: tokens of any shape are not read",
        {"p.jsonl": jsonl({"text": "a", "answer": "accept", "tokens": "nonsense", "meta": {"id": "p"}})},
        {"p": "a"},
    )


def conll_and_brat_cases() -> Iterator[Case]:
    conll = "-DOCSTART-\tc\tann\n\n<b>\tB-actor\nשלום\tI-actor\n👩‍🔬\tO\n\u202e\tB-claim\n"
    yield imported(
        "CoNLL with hostile tokens",
        {"c.conll": conll.encode()},
        {"c": "<b> שלום 👩‍🔬 \u202e"},
        spans=(("c", "ann", 0, 8, "actor", "<b> שלום"), ("c", "ann", 13, 14, "claim", "\u202e")),
    )
    yield imported(
        "CoNLL in UTF-16 with BOM",
        {"c.conll": b"\xff\xfe" + conll.encode("utf-16-le")},
        {"c": "<b> שלום 👩‍🔬 \u202e"},
    )
    yield refused(
        "CoNLL unknown tag", {"c.conll": b"Kim\tB-actor\nsaid\tX-y\n"}, "c.conll:2", "unknown tag 'X-y'"
    )
    yield refused(
        "CoNLL line without a tag",
        {"c.conll": b"Kim\tB-actor\nsaid\n"},
        "c.conll:2",
        "expected 'token<TAB>tag'",
    )
    yield refused(
        "CoNLL malformed quoted id",
        {"c.conll": b'-DOCSTART-\t"abc\tann\n\nKim\tO\n'},
        "c.conll:1",
        "malformed quoted field",
    )
    yield refused(
        "CoNLL very long bad line is quoted short",
        {"c.conll": b"x" * 1_000_000 + b"\n"},
        "c.conll:1",
        "expected 'token<TAB>tag', got 'xxxxxxxxxxxxxxxxxxxxxxxxxx",
    )
    text = "Kim said\r\nשלום \u2028 עולם\u202e!"
    ann = "T1\tactor 0 3\tKim\nT2\tclaim 10 21\tשלום \u2028 עולם\n"
    yield imported(
        "brat with \\r\\n, RTL and U+2028",
        {"corpus/bea/d.txt": text.encode(), "corpus/bea/d.ann": ann.encode()},
        {"d": text},
        spans=(("d", "bea", 0, 3, "actor", "Kim"), ("d", "bea", 10, 21, "claim", "שלום \u2028 עולם")),
    )

    bom_text = "\ufeffKim said\r\nno."
    yield imported(
        "brat .txt starting with U+FEFF: brat counts it, so it is text",
        {
            "corpus/bea/d.txt": bom_text.encode("utf-8"),
            "corpus/bea/d.ann": b"T1\tactor 0 4\t\xef\xbb\xbfKim\n",
        },
        {"d": bom_text},
        spans=(("d", "bea", 0, 4, "actor", "\ufeffKim"),),
    )

    def brat(ann_line: bytes, txt: bytes = b"Kim said no.") -> dict[str, bytes]:
        return {"corpus/bea/d.txt": txt, "corpus/bea/d.ann": b"T1\tactor 0 3\tKim\n" + ann_line}

    yield refused(
        "brat offsets of 5,000 digits",
        brat(b"T2\tactor 0 " + b"9" * 5000 + b"\tx\n"),
        "corpus/bea/d.ann:2",
        "is outside its text",
    )
    yield refused(
        "brat offsets in Arabic-Indic digits",
        brat("T2\tactor ٠ ٣\tKim\n".encode()),
        "corpus/bea/d.ann:2",
        "cannot parse offsets",
    )
    yield refused(
        "brat negative offset", brat(b"T2\tactor -1 3\tKim\n"), "corpus/bea/d.ann:2", "cannot parse offsets"
    )
    yield refused(
        "brat span text differs", brat(b"T2\tactor 0 3\tKin\n"), "corpus/bea/d.ann:2", "differs from"
    )
    yield refused(
        "brat line that does not parse", brat(b"garbage\n"), "corpus/bea/d.ann:2", "cannot parse line"
    )
    yield refused("brat NUL in .ann", brat(b"T2\tactor 0 3\tK\x00\n"), "corpus/bea/d.ann:2", "binary file")
    yield refused(
        "brat invalid UTF-8 .txt", brat(b"", txt=b"Kim \xff"), "corpus/bea/d.txt:1", "invalid UTF-8"
    )
    yield refused(
        "brat .ann without its .txt",
        {"corpus/bea/d.ann": b"T1\tactor 0 3\tKim\n"},
        "corpus/bea/d.ann",
        "no d.txt",
    )


CASES: list[Case] = [
    *markup_cases(),
    *control_cases(),
    *nul_cases(),
    *surrogate_cases(),
    *bidi_cases(),
    *line_break_cases(),
    *line_end_cases(),
    *encoding_cases(),
    *file_cases(),
    *number_cases(),
    *nesting_cases(),
    *duplicate_key_cases(),
    *wrong_type_cases(),
    *accepted_odd_types(),
    *conll_and_brat_cases(),
]


# -- checking ------------------------------------------------------------------------------------------


def make_project(path: Path) -> None:
    with Project.open(path) as project:
        project.add_documents([DocumentInput("base", BASE_TEXT, "Base")])
        project.add_span("base", "alice", 0, 4, "actor")


def project_state(db: Path) -> tuple[str, str]:
    """SHA-256 of the project file's bytes and of a full SQL dump, read without writing."""
    assert not Path(f"{db}-wal").exists(), "the project was left open"
    with closing(sqlite3.connect(read_only_uri(db), uri=True)) as conn:
        dump = "\n".join(conn.iterdump())
    return hashlib.sha256(db.read_bytes()).hexdigest(), hashlib.sha256(dump.encode()).hexdigest()


def memory_dump(project: Project) -> str:
    return "\n".join(project.db.conn.iterdump())


def write_files(root: Path, files: dict[str, bytes]) -> None:
    root.mkdir()
    for name, data in files.items():
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_cli(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def options_for(args: tuple[str, ...]) -> ImportOptions:
    fmt = args[args.index("--format") + 1] if "--format" in args else None
    return ImportOptions(format=fmt, add_labels="--add-labels" in args)


def export_native(project: Project, target: Path) -> bytes:
    export_corpus(project, ExportOptions(format="jsonl", output=target))
    return target.read_bytes()


def check_imported(case: Case, project: Project, tmp_path: Path) -> None:
    for doc_id, text in (case.expect or {}).items():
        stored = project.document(doc_id).text
        assert stored == text, f"{doc_id!r}: stored {stored!r}, expected {text!r}"
    for doc_id, layer, start, end, label, quoted in case.spans:
        text = project.document(doc_id).text
        found = {(s.start, s.end, s.label) for s in project.spans(doc_id, layer)}
        assert (start, end, label) in found, (doc_id, layer, start, end, label, found)
        assert text[start:end] == quoted
    # Round trip: export → import into a fresh project → export, byte for byte.
    first = export_native(project, tmp_path / "first.jsonl")
    fresh = Project.in_memory()
    import_corpus(fresh, [tmp_path / "first.jsonl"], ImportOptions(add_labels=True))
    second = export_native(fresh, tmp_path / "second.jsonl")
    assert first == second


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed project file holding one document and one span, copied by every case."""
    path = tmp_path_factory.mktemp("template") / "project.db"
    make_project(path)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, template: Path) -> None:
    root = tmp_path / "in"
    write_files(root, case.files)
    names = case.inputs or tuple(sorted({name.split("/")[0] for name in case.files}))
    inputs = [root / name for name in names]
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    before = project_state(db)

    # The core API, on an in-memory project holding the same base document.
    project = Project.in_memory()
    project.add_documents([DocumentInput("base", BASE_TEXT, "Base")])
    core_before = memory_dump(project)
    if case.refused is not None:
        with pytest.raises(AnnotatorError) as caught:
            import_corpus(project, inputs, options_for(case.args))
        assert case.refused in str(caught.value)
        assert memory_dump(project) == core_before
    else:
        report = import_corpus(project, inputs, options_for(case.args))
        assert report.documents - report.reused == (
            len(case.expect or {}) if case.added is None else case.added
        )
        check_imported(case, project, tmp_path)
        for note in case.notes:
            assert any(note in line for line in report.summary_lines()), report.summary_lines()

    # The command line, on a project file.
    result = run_cli("--db", db, "import", *case.args, *inputs)
    if case.refused is not None:
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        lines = result.stderr.split("\n")
        assert len(lines) == 2, result.stderr  # one line, newline-terminated
        assert lines[1] == ""
        prefix = f"annotator: error: {root / case.where}: "
        assert lines[0].startswith(prefix), (lines[0][:300], prefix)
        assert case.refused in lines[0], lines[0][:300]
        assert len(lines[0]) <= 1100
        assert project_state(db) == before, "a refused import changed the project file"
    else:
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("imported "), result.stdout
        with Project.open(db) as opened:
            for doc_id, text in (case.expect or {}).items():
                assert opened.document(doc_id).text == text


def test_the_table_covers_what_the_issue_lists() -> None:
    """A guard against the table shrinking: the count the reliability report quotes."""
    refused_count = sum(c.refused is not None for c in CASES)
    imported_count = len(CASES) - refused_count
    assert refused_count >= 250, refused_count
    assert imported_count >= 45, imported_count


# -- big inputs ----------------------------------------------------------------------------------------


def figure(message: str) -> None:
    """A measured figure, shown with ``pytest -s`` (the reliability report quotes them)."""
    print(f"\n[figure] {message}")


def test_a_10_mb_single_line_is_imported_whole(tmp_path: Path, template: Path) -> None:
    text = ("Kim said 北朝鮮 👩‍🔬 <b>no</b>\u202e. " * 400_000)[:10_000_000]
    assert "\n" not in text
    plain = tmp_path / "big.txt"
    plain.write_text(text, encoding="utf-8")
    tail = len(text) - 3
    record = native(
        "big-jsonl",
        text,
        [
            {"start": 1, "end": 3, "label": "actor", "text": text[1:3]},
            {"start": tail, "end": len(text), "label": "claim", "text": text[tail:]},
        ],
    )
    corpus = tmp_path / "big.jsonl"
    corpus.write_bytes(line(record))
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    started = time.perf_counter()
    result = run_cli("--db", db, "import", plain, corpus)
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    figure(f"10 MB single-line .txt + 10 MB single-line JSONL record imported in {seconds:.2f} s")
    with Project.open(db) as project:
        assert project.document("big").text == text
        assert project.document("big-jsonl").text == text
        stored = [(s.start, s.end, s.text_in(text)) for s in project.spans("big-jsonl", "ann")]
        assert stored == [(1, 3, text[1:3]), (tail, len(text), text[tail:])]
        first = export_native(project, tmp_path / "first.jsonl")
    fresh = Project.in_memory()
    import_corpus(fresh, [tmp_path / "first.jsonl"])
    assert export_native(fresh, tmp_path / "second.jsonl") == first


def write_many(path: Path, count: int) -> dict[str, str]:
    texts = {f"d{i:06}": f"Document {i}: Kim said 北朝鮮 👍🏽 no\u2028{i % 7}." for i in range(count)}
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for doc_id, text in texts.items():
            out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    return texts


@pytest.mark.parametrize("count", [100_000, pytest.param(1_000_000, marks=pytest.mark.stress)])
def test_many_documents_in_one_jsonl_are_all_imported(tmp_path: Path, template: Path, count: int) -> None:
    corpus = tmp_path / "many.jsonl"
    texts = write_many(corpus, count)
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    started = time.perf_counter()
    result = run_cli("--db", db, "import", corpus)
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert result.stdout == f"imported {count} document(s)\n"
    figure(f"{count:,} documents in one JSONL imported in {seconds:.2f} s")
    with closing(sqlite3.connect(read_only_uri(db), uri=True)) as conn:
        stored = dict(conn.execute("SELECT id, text FROM documents WHERE id != 'base'"))
    assert stored == texts


def test_a_jsonl_line_with_100_000_spans(tmp_path: Path) -> None:
    text = "ab " * 100_000
    spans = [{"start": i, "end": i + 2, "label": "actor", "text": "ab"} for i in range(0, len(text), 3)]
    corpus = tmp_path / "long.jsonl"
    corpus.write_bytes(line(native("long", text, spans)))
    assert corpus.stat().st_size > 5_000_000
    project = Project.in_memory()
    report = import_corpus(project, [corpus])
    assert report.spans == 100_000
    stored = project.spans("long", "ann")
    assert len(stored) == 100_000
    assert all(s.text_in(text) == "ab" for s in stored)


# -- inputs that are not plain files -------------------------------------------------------------------


def run_annotator(*args: str | Path, timeout: float = 60, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        **kw,
    )


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path, template: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    before = project_state(db)
    result = run_annotator("--db", db, "import", fifo)  # would block forever reading the FIFO
    assert result.returncode == 1
    assert result.stderr == f"annotator: error: {fifo}: not a regular file or folder\n"
    assert project_state(db) == before


def _without_root_file_access() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so root obeys file modes too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # PR_CAPBSET_DROP = 24
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(sys.platform != "linux", reason="file modes as Linux enforces them")
def test_unreadable_files_and_folders_are_refused(tmp_path: Path, template: Path) -> None:
    preexec = _without_root_file_access if os.geteuid() == 0 else None
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        subprocess.run(["cat", str(probe)], check=True, capture_output=True, preexec_fn=preexec)
    except (subprocess.CalledProcessError, OSError, subprocess.SubprocessError):
        pass
    else:
        pytest.skip("file modes are not enforced here")
    secret_txt = tmp_path / "secret.txt"
    secret_jsonl = tmp_path / "secret.jsonl"
    folder = tmp_path / "corpus"
    locked = folder / "locked"
    locked.mkdir(parents=True)
    (folder / "ok.txt").write_text("fine")
    (locked / "inside.txt").write_text("hidden")
    secret_txt.write_text("secret")
    secret_jsonl.write_text('{"text": "secret"}\n')
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    before = project_state(db)
    for path in (secret_txt, secret_jsonl, locked):
        path.chmod(0)
    try:
        for target, expected in [
            (secret_txt, f"{secret_txt}: cannot read: Permission denied"),
            (secret_jsonl, f"{secret_jsonl}: cannot read: Permission denied"),
            (folder, f"{locked}: cannot read folder: Permission denied"),  # not skipped silently
        ]:
            result = run_annotator("--db", db, "import", target, preexec_fn=preexec)
            assert result.returncode == 1, result.stderr
            assert result.stderr == f"annotator: error: {expected}\n"
            assert project_state(db) == before
    finally:
        for path in (secret_txt, secret_jsonl, locked):
            path.chmod(0o700)


def test_file_names_that_are_not_utf8_are_refused(tmp_path: Path, template: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("fine")
    bad = os.path.join(os.fsencode(folder), b"bad\xff.txt")
    try:
        with open(bad, "wb") as handle:
            handle.write(b"text")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    brat = tmp_path / "brat" / os.fsdecode(b"ann\xfe")
    brat.mkdir(parents=True)
    (brat / "d.txt").write_text("Kim")
    (brat / "d.ann").write_text("T1\tactor 0 3\tKim\n")
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    before = project_state(db)
    for target in (folder, Path(os.fsdecode(bad)), tmp_path / "brat"):
        result = run_cli("--db", db, "import", target)
        assert result.exit_code == 1, result.output
        assert "the file name is not valid UTF-8; rename the file" in result.stderr
        assert result.stderr.count("\n") == 1
        assert project_state(db) == before


# -- Ctrl+C and progress ---------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal and SIGINT")
def test_ctrl_c_mid_import_cancels_and_leaves_the_project_unchanged(tmp_path: Path, template: Path) -> None:
    """A real process, stderr on a terminal: progress shows, Ctrl+C cancels, nothing is kept."""
    corpus = tmp_path / "many.jsonl"
    write_many(corpus, 300_000)
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    before = project_state(db)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(db), "import", str(corpus)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        cwd=ROOT,
    )
    os.close(terminal)
    shown = b""
    interrupted = False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            if not interrupted and _progress_position(shown) > 0:
                proc.send_signal(signal.SIGINT)  # in the middle of the import
                interrupted = True
        stdout, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(controller)
    screen = shown.decode("utf-8", "replace")
    assert interrupted, f"no progress was shown: {screen!r}"
    assert proc.returncode == 130, screen
    assert stdout == b""  # stdout stays clean for pipes
    assert screen.rstrip().splitlines()[-1] == "annotator: cancelled; project unchanged"
    assert _progress_position(shown) < 300_001  # stopped before the end
    assert project_state(db) == before


def _progress_position(shown: bytes) -> int:
    """The largest 'done' of the ``done/total`` click's progress bar has drawn so far."""
    return max((int(m.group(1)) for m in re.finditer(rb"\b(\d+)/(\d+)\b", shown)), default=0)


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_when_stderr_is_not_a_terminal(
    tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch, presses: int
) -> None:
    """SIGINT delivered in the middle of an in-process import: once cancels, twice interrupts."""
    from annotator.core.formats import importer

    corpus = tmp_path / "many.jsonl"
    write_many(corpus, 20_000)
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    before = project_state(db)
    added = 0
    original = importer._Importer.add_document

    def add_document(self: Any, doc: DocumentInput) -> None:
        nonlocal added
        added += 1
        if added == 5_000:  # well inside the import, after the first batches were written
            for _ in range(presses):
                os.kill(os.getpid(), signal.SIGINT)
        original(self, doc)

    monkeypatch.setattr(importer._Importer, "add_document", add_document)
    # A shell starts background jobs with SIGINT ignored, and pytest inherits that: start from
    # Python's own handler (a terminal's), and put back whatever was there.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = run_cli("--db", db, "import", corpus)
        handler_after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert result.exit_code == 130
    assert result.stdout == ""
    if presses == 1:
        assert result.stderr == "annotator: cancelled; project unchanged\n"
    else:
        assert result.stderr.strip() == "annotator: error: interrupted"  # after click's blank line
    assert project_state(db) == before
    assert handler_after is signal.default_int_handler  # the command put its handler back


def test_no_progress_and_clean_stdout_when_not_on_a_terminal(tmp_path: Path, template: Path) -> None:
    corpus = tmp_path / "many.jsonl"
    write_many(corpus, 5_000)
    db = tmp_path / "project.db"
    db.write_bytes(template.read_bytes())
    result = run_cli("--db", db, "import", corpus)
    assert result.exit_code == 0
    assert result.stdout == "imported 5000 document(s)\n"
    assert result.stderr == ""


# -- hostile text on the terminal --------------------------------------------------------------------------


def test_hostile_ids_and_titles_cannot_take_over_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    hostile_id = "evil\x1b]0;pwned\x07\x1b[2J"
    title = "\u202eevil.exe\u202c\nsecond line\u2028third\x85"
    corpus = tmp_path / "h.jsonl"
    corpus.write_bytes(
        jsonl({"id": hostile_id, "title": title, "text": "x"}, {"id": hostile_id, "text": "y"})
    )
    refused_result = run_cli("--db", db, "import", corpus)  # the same id with other text
    assert refused_result.exit_code == 1
    assert refused_result.stderr.count("\n") == 1
    assert "\x1b" not in refused_result.stderr
    assert "'evil\\x1b]0;pwned\\x07\\x1b[2J' already exists with different text" in refused_result.stderr
    corpus.write_bytes(jsonl({"id": hostile_id, "title": title, "text": "x"}))
    assert run_cli("--db", db, "import", corpus).exit_code == 0
    listing = run_cli("--db", db, "docs").stdout
    assert listing.count("\n") == 1
    for raw in ("\x1b", "\x07", "\u202e", "\u2028", "\x85"):
        assert raw not in listing
    assert "evil\\x1b]0;pwned\\x07" in listing
    assert "\\u202eevil.exe\\u202c\\nsecond" in listing
    odd_name = tmp_path / "line\nbreak\u202e.txt"
    odd_name.write_bytes(b"\xff")
    error = run_cli("--db", db, "import", odd_name).stderr
    assert error.count("\n") == 1
    assert "line break\\u202e.txt:1: invalid UTF-8" in error  # line breaks become spaces


def test_brat_round_trip_keeps_a_text_that_starts_with_feff(tmp_path: Path) -> None:
    """Found by the fuzzer: the brat .txt of a text starting with U+FEFF lost that character on
    import (taken for a byte-order mark), shifting every span by one."""
    project = Project.in_memory()
    project.add_documents([DocumentInput("d", "\ufeffaa b")])
    project.add_span("d", "ann", 1, 2, "actor")  # the first "a"
    export_corpus(project, ExportOptions(format="brat", output=tmp_path / "brat"))
    fresh = Project.in_memory()
    import_corpus(fresh, [tmp_path / "brat"])
    assert fresh.document_text("d") == "\ufeffaa b"
    assert [(s.start, s.end) for s in fresh.spans("d", "ann")] == [(1, 2)]
