"""Two annotators' layers, gathered for agreement: from a project, or from two export files.

Agreement is computed over the documents both annotators have touched (a span or a status), or
over a list the user gives. From files, each file is one annotator's native JSONL export and
documents are matched by id; the same id with different text in the two files is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.core.agreement import DocumentLayers, SpanTuple
from annotator.core.errors import AnnotatorError, DocumentError, InputError
from annotator.core.store import Project

__all__ = ["layers_from_exports", "layers_from_project", "shared_documents"]


def shared_documents(project: Project, a: str, b: str) -> list[str]:
    """Ids of the documents both annotators have touched, in project order."""
    return [
        s.id for s in project.summaries() if all(name in s.status or name in s.span_counts for name in (a, b))
    ]


def layers_from_project(
    project: Project, a: str, b: str, doc_ids: Sequence[str] | None = None
) -> list[DocumentLayers]:
    """A's and B's layers of ``doc_ids`` (default: the shared documents); names are checked."""
    known = project.annotators()
    for name in (a, b):
        if name not in known:
            raise AnnotatorError(f"unknown annotator {name!r} (annotators: {', '.join(known) or 'none yet'})")
    if doc_ids is None:
        doc_ids = shared_documents(project, a, b)
    else:
        missing = [doc_id for doc_id in doc_ids if not project.has_document(doc_id)]
        if missing:
            raise DocumentError(f"no document with id {', '.join(map(repr, missing))} in the project")
    return [
        DocumentLayers(
            doc.id,
            len(doc.text),
            [s.key for s in project.spans(doc.id, a)],
            [s.key for s in project.spans(doc.id, b)],
        )
        for doc in project.iter_documents(list(doc_ids))
    ]


def _read_export(path: Path) -> tuple[str, dict[str, tuple[str, list[SpanTuple]]]]:
    """(annotator, {doc id: (text, spans)}) of one annotator's native JSONL export."""
    from annotator.core.importing import iter_jsonl

    if not path.is_file():
        raise InputError(path, "no such file")
    annotators: set[str] = set()
    documents: dict[str, tuple[str, list[SpanTuple]]] = {}
    for number, record in iter_jsonl(path):
        doc_id, text, annotator = record.get("id"), record.get("text"), record.get("annotator")
        if isinstance(doc_id, int) and not isinstance(doc_id, bool):
            doc_id = str(doc_id)
        if not isinstance(doc_id, str) or not doc_id:
            raise InputError(path, "field 'id' must be a non-empty string", number)
        if not isinstance(text, str):
            raise InputError(path, "field 'text' must be a string", number)
        if not isinstance(annotator, str) or not annotator.strip():
            raise InputError(path, "field 'annotator' is missing: not a native Annotator export", number)
        annotators.add(annotator.strip())
        spans = _spans_of(path, number, record.get("spans", []), text)
        if doc_id in documents:
            raise InputError(path, f"document {doc_id!r} appears more than once", number)
        documents[doc_id] = (text, spans)
    if len(annotators) > 1:
        raise InputError(
            path,
            f"holds the layers of several annotators ({', '.join(sorted(annotators))}); "
            "export one annotator per file",
        )
    if not annotators:
        raise InputError(path, "holds no documents")
    return annotators.pop(), documents


def _spans_of(path: Path, number: int, raw: Any, text: str) -> list[SpanTuple]:
    if not isinstance(raw, list):
        raise InputError(path, "field 'spans' must be a list", number)
    spans: list[SpanTuple] = []
    for item in raw:
        if not isinstance(item, dict):
            raise InputError(path, "each span must be an object with start, end and label", number)
        start, end, label = item.get("start"), item.get("end"), item.get("label")
        if not (
            isinstance(start, int)
            and isinstance(end, int)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
            and 0 <= start < end <= len(text)
        ):
            raise InputError(path, f"span {item!r} has no valid [start, end) inside the text", number)
        if not isinstance(label, str) or not label:
            raise InputError(path, f"span {item!r} has no label", number)
        if "text" in item and item["text"] != text[start:end]:
            raise InputError(
                path,
                f"span [{start}, {end}) says {item['text']!r} but the text there is {text[start:end]!r}",
                number,
            )
        spans.append((start, end, label))
    return spans


def layers_from_exports(
    path_a: Path, path_b: Path, doc_ids: Sequence[str] | None = None
) -> tuple[tuple[str, str], list[DocumentLayers]]:
    """The two annotators' names and layers of the documents both files hold (or ``doc_ids``)."""
    name_a, docs_a = _read_export(path_a)
    name_b, docs_b = _read_export(path_b)
    if doc_ids is None:
        doc_ids = [doc_id for doc_id in docs_a if doc_id in docs_b]
    else:
        for path, docs in ((path_a, docs_a), (path_b, docs_b)):
            missing = [doc_id for doc_id in doc_ids if doc_id not in docs]
            if missing:
                raise InputError(path, f"no document with id {', '.join(map(repr, missing))}")
    layers = []
    for doc_id in doc_ids:
        text_a, spans_a = docs_a[doc_id]
        text_b, spans_b = docs_b[doc_id]
        if text_a != text_b:
            raise DocumentError(
                f"document {doc_id!r} has different text in {path_a} and {path_b}; "
                "agreement needs the same text"
            )
        layers.append(DocumentLayers(doc_id, len(text_a), spans_a, spans_b))
    return (name_a, name_b), layers
