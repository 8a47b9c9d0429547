"""Reading documents into a project: ``.txt`` files, folders and JSONL, atomically.

Files are read as bytes and decoded strictly as UTF-8 (or UTF-16 with a byte-order mark), so the
stored text is exactly the file's text (``\\r\\n`` stays ``\\r\\n``) and offsets into it mean the
same thing everywhere. Any bad input raises :class:`InputError` naming the file and line, and
because documents are added inside one transaction, nothing of a failed import is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.formats.common import (
    check_file_name,
    check_meta,
    decode_text,
    iter_json_lines,
    walk_files,
)
from annotator.core.paths import default_project_path, seeds_dir
from annotator.core.store import AddResult, DocumentInput, Project, busy_timeout_ms

#: File suffixes a folder import picks up.
DOCUMENT_SUFFIXES = (".txt", ".jsonl")


def collect_files(paths: Iterable[str | Path], suffixes: Sequence[str] = DOCUMENT_SUFFIXES) -> list[Path]:
    """Expand folders (recursively, sorted) into the files with ``suffixes``; keep files as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(walk_files(path, suffixes))
        else:
            check_input_file(path)
            found.append(path)
    for path in found:
        check_file_name(path)
    return found


def check_input_file(path: Path) -> None:
    """Refuse a path given as a file that is missing or not a regular file (a FIFO, a device)."""
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if not path.is_file():
        raise InputError(path, "not a regular file or folder")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc


def read_text_file(path: Path) -> str:
    """A file's text, strictly decoded (see :func:`~annotator.core.formats.common.decode_text`)."""
    return decode_text(path, read_bytes(path))


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
    for path in collect_files(paths):
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


def open_project(path: str | Path | None = None, *, readonly: bool = False, reading: bool = False) -> Project:
    """Open ``path``, or the default project, creating it with the sample article on first use.

    ``readonly`` opens an existing project for reading only (see :meth:`Project.open`);
    ``reading`` does that too, but creates a missing project (the default one on first use)
    first. The wait for other programs' writes comes from ``ANNOTATOR_BUSY_TIMEOUT``.
    """
    wait = busy_timeout_ms()
    target = Path(path).expanduser() if path is not None else default_project_path()
    seed = seed_documents if path is None else None
    if reading:
        return Project.open_for_reading(target, seed=seed, busy_timeout_ms=wait)
    return Project.open(target, readonly=readonly, seed=seed, busy_timeout_ms=wait)
