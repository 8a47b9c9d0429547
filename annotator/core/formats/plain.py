"""Plain documents, without spans: ``.txt`` files and JSONL records of text, id, title and meta.

This is the import format "text", and how the sample articles in ``seeds/`` are read. A ``.txt``
file is one document whose id is the file name without ``.txt``; its text is the file's text,
exactly (``\\r\\n`` stays ``\\r\\n``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.formats.input_files import collect_files, read_text_file
from annotator.core.formats.jsonlines import iter_json_lines
from annotator.core.formats.records import check_meta
from annotator.core.paths import seeds_dir
from annotator.core.store import AddResult, DocumentInput, Project

#: File suffixes a folder import of plain documents picks up.
DOCUMENT_SUFFIXES = (".txt", ".jsonl")


def document_from_record(path: Path, number: int, record: dict[str, Any]) -> DocumentInput:
    """The document part of a JSONL record: ``text`` and optional ``id``, ``title``, ``meta``."""
    if "text" not in record:
        raise InputError(path, "missing field 'text'", number)
    text = record["text"]
    if not isinstance(text, str):
        raise InputError(path, "field 'text' must be a string", number)
    doc_id = record.get("id", f"{path.stem}-{number}")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise InputError(path, "field 'id' must be a non-empty string or integer", number)
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError(path, "field 'title' must be a string", number)
    if "title" in record and title is None:
        title = ""  # "title": null is no title, not the id
    meta = record.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(path, "field 'meta' must be a JSON object", number)
    check_meta(path, number, meta)
    source = record.get("source", path.name)
    return DocumentInput(
        id=doc_id,
        text=text,
        title=title,
        source=source if isinstance(source, str) else path.name,
        meta=meta,
        origin=f"{path}:{number}",
    )


def read_documents(paths: Iterable[str | Path]) -> Iterator[DocumentInput]:
    """Documents from ``.txt`` files (id = file name stem), JSONL files and folders of both."""
    for path in collect_files(paths, DOCUMENT_SUFFIXES):
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            for number, record in iter_json_lines(path):
                yield document_from_record(path, number, record)
        elif suffix == ".txt":
            yield DocumentInput(
                id=path.stem,
                text=read_text_file(path),
                title=path.stem,
                source=path.name,
                origin=str(path),
            )
        else:
            raise InputError(
                path, f"unsupported file type {path.suffix or '(none)'!r}: expected .txt or .jsonl"
            )


def import_documents(project: Project, paths: Iterable[str | Path]) -> AddResult:
    """Add every document found under ``paths`` in one transaction (all or nothing)."""
    return project.add_documents(read_documents(paths))


def seed_documents() -> list[DocumentInput]:
    """The sample documents shipped in ``seeds/``."""
    docs: list[DocumentInput] = []
    for entry in sorted(seeds_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".jsonl"):
            for number, line in enumerate(entry.read_text(encoding="utf-8").split("\n"), 1):
                if line.strip():
                    docs.append(document_from_record(Path(entry.name), number, json.loads(line)))
        elif entry.name.endswith(".txt"):
            stem = entry.name[: -len(".txt")]
            docs.append(DocumentInput(stem, entry.read_text(encoding="utf-8"), stem, entry.name))
    return docs
