"""Merging another project's annotator layers into this one, so a reviewer can collect them.

The rules, in the order they are checked (nothing is written unless every check passes; the
whole merge is one transaction):

* The other file must be an Annotator project this version understands. It is opened
  read-only (the store's own checks) and read in one snapshot; it is never modified.
* Documents are matched by id *and* content hash. A document the target lacks is copied; the
  same id with different text is refused, naming the id.
* A layer is one annotator's spans and status on one document. A layer the target does not
  have (no spans and no status) is copied with its spans, notes and status (the spans get new ids). A
  layer the target already has with exactly the same spans is left as it is (so merging the
  same file twice changes nothing). A layer the target has with *different* spans is refused,
  naming the document and annotator: two versions of one person's work must be reconciled by
  a person, not silently unioned.
* Labels the other project's spans use and the target lacks are added with the other
  project's colour and its hotkey when that key is free here (else without a hotkey), so no
  span is lost.
* Reviewers' decisions (:mod:`annotator.core.adjudication`) travel with the layers: the
  decisions on one document and pair of annotators are copied when the target has none for
  them, left alone when it has the same ones, and refused when it has others.

The gold layer is merged under the same rules as any other layer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import DocumentError, ProjectError
from annotator.core.model import DecisionRecord, Document, Label, Span, Status
from annotator.core.store import DocumentInput, NewSpan, Project

__all__ = ["MergeResult", "merge_project"]


@dataclass(frozen=True)
class MergeResult:
    """What a merge did."""

    documents_added: list[str] = field(default_factory=list)
    layers_added: list[tuple[str, str]] = field(default_factory=list)
    layers_unchanged: list[tuple[str, str]] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    spans_added: int = 0
    decisions_added: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        parts = [
            f"merged {len(self.layers_added)} layer(s) with {self.spans_added} span(s)",
            f"{len(self.documents_added)} new document(s)",
        ]
        if self.decisions_added:
            parts.append(f"{self.decisions_added} reviewer decision(s)")
        if self.layers_unchanged:
            parts.append(f"{len(self.layers_unchanged)} layer(s) already present")
        if self.labels_added:
            parts.append("new label(s): " + ", ".join(self.labels_added))
        return ", ".join(parts)


#: The decisions on one document and pair of annotators: (document id, a, b).
_Pair = tuple[str, str, str]


@dataclass
class _Other:
    """Everything read from the other project."""

    documents: list[Document]
    labels: dict[str, Label]
    spans: dict[tuple[str, str], list[Span]]
    status: dict[tuple[str, str], Status]
    decisions: dict[_Pair, list[DecisionRecord]]


def _read_other(path: Path) -> _Other:
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    with Project.open(path, readonly=True) as other, other.snapshot():
        spans: dict[tuple[str, str], list[Span]] = {}
        for doc_id, annotator, layer in other.iter_layer_spans():
            spans[(doc_id, annotator)] = layer
        decisions: dict[_Pair, list[DecisionRecord]] = defaultdict(list)
        for record in other.decisions():
            decisions[(record.document_id, record.a, record.b)].append(record)
        return _Other(
            list(other.iter_documents()),
            {label.name: label for label in other.labels()},
            spans,
            other.statuses(),
            dict(decisions),
        )


def _what_was_decided(records: list[DecisionRecord]) -> set[tuple[object, ...]]:
    """The decisions of one pair, without the moments they were made."""
    return {(r.a_span, r.b_span, r.start, r.end, r.kind, r.decision, r.result) for r in records}


def merge_project(target: Project, other_path: str | Path) -> MergeResult:
    """Copy the other project's annotator layers (and the documents they need) into ``target``."""
    other_path = Path(other_path)
    if target.path is not None and other_path.exists() and other_path.resolve() == target.path.resolve():
        raise ProjectError(f"{other_path}: cannot merge a project into itself")
    other = _read_other(other_path)

    # Check everything before writing anything.
    new_documents: list[DocumentInput] = []
    for document in other.documents:
        mine = target.document_hash(document.id)
        if mine is None:
            new_documents.append(
                DocumentInput(document.id, document.text, document.title, document.source, document.meta)
            )
        elif mine != document.sha256:
            raise DocumentError(
                f"{other_path}: document {document.id!r} has different text here and in the other "
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
    decisions_to_copy: list[DecisionRecord] = []
    for (doc_id, a, b), records in sorted(other.decisions.items()):
        mine_records = target.decisions(doc_id, a, b) if target.has_document(doc_id) else []
        if not mine_records:
            decisions_to_copy += records
        elif _what_was_decided(mine_records) != _what_was_decided(records):
            raise DocumentError(
                f"{other_path}: the reviewer's decisions on {a} vs {b} in document {doc_id!r} differ "
                f"from the ones in this project ({len(mine_records)} vs {len(records)} decision(s)); "
                "refusing to merge - reconcile the two reviews first"
            )
    used_labels = sorted(
        (
            {s.label for key in to_copy for s in other.spans.get(key, [])}
            | {s[2] for record in decisions_to_copy for s in record.result}
        )
        - set(target.labels().names),
        key=list(other.labels).index,
    )

    documents_added: list[str] = []
    spans_added = 0
    with target.transaction():
        for name in used_labels:
            label = other.labels[name]
            free = label.hotkey is not None and target.labels().by_hotkey(label.hotkey) is None
            target.add_label(name, label.color, label.hotkey if free else None)
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
        for record in decisions_to_copy:
            target.record_decision(record)
    return MergeResult(documents_added, to_copy, unchanged, used_labels, spans_added, len(decisions_to_copy))
