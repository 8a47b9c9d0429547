"""An awkward corpus for the consumer tests: every format is read by the tool it is made for.

ZWJ emoji and flags, CJK, combining marks, right-to-left text, ``\\r\\n``, a lone ``\\r``, U+2028,
tabs, NBSP and two spaces; nested, crossing and adjacent spans and a span inside a word; a note;
a layer with a status and no spans; a document nobody opened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.records import TransferReport
from annotator.core.store import DocumentInput, Project

TEXTS = {
    "emoji": "Kim 👩\u200d🔬 met 👍🏽 friends from 🇺🇸 and 🇰🇷 today.",
    "cjk": "北朝鮮の兵士がクルスクにいる。Wood said so.",
    "marks": "Cafe\u0301 de\u0301ja\u0300 vu: Zoë met Ǆemal.",
    "rtl": "السفير قال שלום to Kim.",
    "lines": "Line one says yes.\r\nLine two\rdenies\u2028it.\n\nTab\there\u00a0NBSP  two spaces.",
    "untouched": "Nobody opened this one.",
}

#: (document, annotator, quoted text, occurrence, label, note)
SPANS = [
    ("emoji", "alice", "Kim", 0, "actor", "who?"),
    ("emoji", "alice", "Kim 👩\u200d🔬", 0, "claim", None),  # nested around two spans
    ("emoji", "alice", "👩\u200d🔬", 0, "actor", None),
    ("emoji", "alice", "met 👍🏽", 0, "claim", None),  # crosses the next one
    ("emoji", "alice", "👍🏽 friends", 0, "denial", None),
    ("emoji", "alice", "🇺🇸", 0, "actor", None),
    ("emoji", "alice", "🇰🇷", 0, "actor", None),
    ("emoji", "bob", "friends from 🇺🇸", 0, "claim", "multi\nline note"),
    ("cjk", "alice", "北朝鮮", 0, "actor", None),
    ("cjk", "alice", "兵士", 0, "actor", None),
    ("cjk", "alice", "北朝鮮の兵士", 0, "claim", None),
    ("cjk", "alice", "クルスク", 0, "actor", None),  # adjacent to the next one
    ("cjk", "alice", "にいる", 0, "claim", None),
    ("marks", "alice", "Cafe\u0301", 0, "actor", None),
    ("marks", "alice", "Zoë", 0, "actor", None),
    ("marks", "alice", "emal", 0, "number", None),  # inside the word Ǆemal
    ("rtl", "alice", "السفير", 0, "actor", None),
    ("rtl", "alice", "שלום", 0, "claim", None),
    ("rtl", "alice", "Kim", 0, "actor", None),
    ("lines", "alice", "yes.\r\nLine two", 0, "claim", None),  # crosses \r\n
    ("lines", "alice", "denies\u2028it", 0, "denial", None),  # crosses U+2028
    ("lines", "alice", "here\u00a0NBSP", 0, "actor", None),
    ("lines", "alice", "two", 1, "number", None),
]


def at(doc: str, needle: str, nth: int = 0) -> tuple[int, int]:
    text = TEXTS[doc]
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


@pytest.fixture
def awkward(project: Project) -> Project:
    project.add_documents(
        DocumentInput(
            doc_id, text, f"Title of {doc_id}", meta={"n": i} if i % 2 else {"source": "wire", "x": None}
        )
        for i, (doc_id, text) in enumerate(TEXTS.items())
    )
    for doc, annotator, needle, nth, label, note in SPANS:
        project.add_span(doc, annotator, *at(doc, needle, nth), label, note)
    project.set_status("cjk", "alice", "done")
    project.set_status("marks", "bob", "todo")  # a layer with a status and no spans: untouched
    return project


def export(project: Project, target: Path, fmt: str, **options: object) -> TransferReport:
    return export_corpus(project, ExportOptions(format=fmt, output=target, **options))  # type: ignore[arg-type]


def touched_records(project: Project) -> list[tuple[str, str, str, list[tuple[int, int, str, str | None]]]]:
    """(id, annotator, text, spans) of each record a training-format export writes, in order."""
    records = []
    for document, layers in project.iter_corpus():
        for name, status, spans in layers:
            if spans or status != "todo":
                records.append((document.id, name, document.text, list(spans)))
    return records
