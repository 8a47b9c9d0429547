"""Two annotators' layers, gathered for agreement: from a project, or from two export files.

Agreement is computed over the documents both annotators have touched (a span or a status), or
over a list the user gives. From files, each file is one annotator's native JSONL export and
documents are matched by id; the same id with different text in the two files is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator.core.agreement import DocumentLayers, SpanTuple
from annotator.core.errors import AnnotatorError, DocumentError, InputError
from annotator.core.store import Project

__all__ = ["layers_from_exports", "layers_from_project", "shared_documents"]


def shared_documents(project: Project, a: str, b: str) -> list[str]:
    """Ids of the documents both annotators have touched, in project order (from the list's
    facts: no span is counted)."""
    return project.shared_documents(a, b)


def layers_from_project(
    project: Project, a: str, b: str, doc_ids: Sequence[str] | None = None
) -> Iterator[DocumentLayers]:
    """A's and B's layers of ``doc_ids`` (default: the shared documents), one document at a
    time: memory is bounded by the largest document, not the corpus. Names and ids are checked
    before the first document is read; the documents are read in one snapshot, so another
    program writing meanwhile never mixes two states.
    """
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
    return (
        DocumentLayers(doc_id, length, keys_a, keys_b)
        for doc_id, length, keys_a, keys_b in project.iter_layer_pairs(list(doc_ids), a, b)
    )


def _read_export(path: Path) -> tuple[str, dict[str, tuple[str, list[SpanTuple]]]]:
    """(annotator, {doc id: (text, spans)}) of one annotator's native JSONL export.

    Read with the native format's reader, which checks every span against its text. A record
    without an annotator names its layer after the file; a record whose annotator is null (a
    document without a layer) is skipped.
    """
    from annotator.core.formats.jsonl import iter_native

    if not path.is_file():
        raise InputError(path, "no such file")
    annotators: set[str] = set()
    documents: dict[str, tuple[str, list[SpanTuple]]] = {}
    for record in iter_native(path):
        if record.annotator is None:
            continue
        annotators.add(record.annotator)
        if record.id in documents:
            raise InputError(path, f"document {record.id!r} appears more than once", record.line)
        documents[record.id] = (record.text, [(s[0], s[1], s[2]) for s in record.spans])
    if len(annotators) > 1:
        raise InputError(
            path,
            f"holds the layers of several annotators ({', '.join(sorted(annotators))}); "
            "export one annotator per file",
        )
    if not annotators:
        raise InputError(path, "holds no annotator's layer")
    return annotators.pop(), documents


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
