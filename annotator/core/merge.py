"""Merging another project's annotator layers into this one, so a reviewer can collect them.

The rules, in the order they are checked (nothing is written unless every check passes; the
whole merge is one transaction):

* The other file must be an Annotator project this version understands. It is opened
  read-only and never modified.
* Documents are matched by id *and* content hash. A document the target lacks is copied; the
  same id with different text is refused, naming the id.
* A layer is one annotator's spans and status on one document. A layer the target does not
  have (no spans and no status) is copied with its spans, notes and status (the spans get new ids). A
  layer the target already has with exactly the same spans is left as it is (so merging the
  same file twice changes nothing). A layer the target has with *different* spans is refused,
  naming the document and annotator: two versions of one person's work must be reconciled by
  a person, not silently unioned.
* Labels the other project's spans use and the target lacks are added (with the other
  project's colour; its hotkey if free), so no span is lost.

The gold layer is merged under the same rules as any other layer.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import DocumentError, ProjectError
from annotator.core.model import Span, Status
from annotator.core.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    DocumentInput,
    NewSpan,
    Project,
    inspect_file,
    read_only_uri,
)

__all__ = ["MergeResult", "merge_project"]


@dataclass(frozen=True)
class MergeResult:
    """What a merge did."""

    documents_added: list[str] = field(default_factory=list)
    layers_added: list[tuple[str, str]] = field(default_factory=list)
    layers_unchanged: list[tuple[str, str]] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    spans_added: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        parts = [
            f"merged {len(self.layers_added)} layer(s) with {self.spans_added} span(s)",
            f"{len(self.documents_added)} new document(s)",
        ]
        if self.layers_unchanged:
            parts.append(f"{len(self.layers_unchanged)} layer(s) already present")
        if self.labels_added:
            parts.append("new label(s): " + ", ".join(self.labels_added))
        return ", ".join(parts)


@dataclass
class _Other:
    """Everything read from the other project."""

    documents: list[tuple[str, str, str, str, str, str]]  # id, title, text, sha256, source, meta
    labels: dict[str, tuple[str, str | None]]  # name -> (color, hotkey)
    spans: dict[tuple[str, str], list[Span]]
    status: dict[tuple[str, str], Status]


def _read_other(path: Path) -> _Other:
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    app_id, version = inspect_file(path)
    if app_id != APPLICATION_ID:
        raise ProjectError(f"{path}: not an Annotator project (an SQLite database of another application)")
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: written by a newer Annotator (schema {version}, this version understands up to "
            f"{SCHEMA_VERSION}); upgrade Annotator to merge it"
        )
    if version < 1:
        raise ProjectError(f"{path}: not an Annotator project (no schema version)")
    uri = read_only_uri(path)
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            documents = conn.execute(
                "SELECT id, title, text, sha256, source, meta FROM documents ORDER BY position, id"
            ).fetchall()
            labels = {
                name: (color, hotkey)
                for name, color, hotkey in conn.execute(
                    "SELECT name, color, hotkey FROM labels ORDER BY position, name"
                )
            }
            spans: dict[tuple[str, str], list[Span]] = defaultdict(list)
            for row in conn.execute(
                'SELECT id, document_id, annotator, start, "end", label, note, created, updated '
                'FROM spans ORDER BY document_id, annotator, start, "end", label'
            ):
                span = Span(*row)
                spans[(span.document_id, span.annotator)].append(span)
            status = {
                (doc_id, annotator): Status(value)
                for doc_id, annotator, value in conn.execute(
                    "SELECT document_id, annotator, status FROM status"
                )
            }
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: cannot read the project: {exc}") from exc
    return _Other(documents, labels, dict(spans), status)


def merge_project(target: Project, other_path: str | Path) -> MergeResult:
    """Copy the other project's annotator layers (and the documents they need) into ``target``."""
    other_path = Path(other_path)
    if target.path is not None and other_path.exists() and other_path.resolve() == target.path.resolve():
        raise ProjectError(f"{other_path}: cannot merge a project into itself")
    other = _read_other(other_path)

    # Check everything before writing anything.
    new_documents: list[DocumentInput] = []
    for doc_id, title, text, sha256, source, meta in other.documents:
        mine = target.document_hash(doc_id)
        if mine is None:
            new_documents.append(DocumentInput(doc_id, text, title, source, json.loads(meta)))
        elif mine != sha256:
            raise DocumentError(
                f"{other_path}: document {doc_id!r} has different text here and in the other "
                "project; refusing to merge (spans would point into the wrong text)"
            )
    layers = sorted(set(other.spans) | set(other.status))
    to_copy: list[tuple[str, str]] = []
    unchanged: list[tuple[str, str]] = []
    for doc_id, annotator in layers:
        theirs = [s.key for s in other.spans.get((doc_id, annotator), [])]
        mine_spans = [s.key for s in target.spans(doc_id, annotator)] if target.has_document(doc_id) else []
        has_layer = bool(mine_spans) or (target.has_document(doc_id) and annotator in target.layers(doc_id))
        if not has_layer:
            to_copy.append((doc_id, annotator))
        elif sorted(mine_spans) == sorted(theirs):
            unchanged.append((doc_id, annotator))
        else:
            raise DocumentError(
                f"{other_path}: {annotator}'s layer of document {doc_id!r} differs from the one in "
                f"this project ({len(mine_spans)} vs {len(theirs)} span(s)); refusing to merge - "
                "reconcile the two versions first"
            )
    used_labels = sorted(
        {s.label for key in to_copy for s in other.spans.get(key, [])} - set(target.labels().names),
        key=list(other.labels).index,
    )

    documents_added: list[str] = []
    spans_added = 0
    with target.transaction():
        for name in used_labels:
            color, hotkey = other.labels[name]
            free = hotkey is not None and target.labels().by_hotkey(hotkey) is None
            target.add_label(name, color, hotkey if free else None)
        if new_documents:
            documents_added = target.add_documents(new_documents).added
        for doc_id, annotator in to_copy:
            spans = other.spans.get((doc_id, annotator), [])
            target.add_annotator(annotator)
            if spans:
                spans_added += len(
                    target.add_spans(
                        NewSpan(s.document_id, s.annotator, s.start, s.end, s.label, s.note) for s in spans
                    )
                )
            status = other.status.get((doc_id, annotator))
            if status is not None:
                target.set_status(doc_id, annotator, status)
    return MergeResult(documents_added, to_copy, unchanged, used_labels, spans_added)
