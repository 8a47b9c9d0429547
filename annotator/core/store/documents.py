"""Documents, labels, annotators and status: what a project annotates and with what.

:class:`Documents` is the first layer of :class:`~annotator.core.store.Project` above its
connection. Every public method that changes anything runs in one transaction and has committed
when it returns; every reader checks its rows (:mod:`annotator.core.store.rows`) and explains
SQLite's failures.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.errors import AnnotatorError, DocumentError, LabelError
from annotator.core.model import (
    AUTOMATIC,
    HOTKEYS,
    UNCHANGED,
    Automatic,
    Document,
    DocumentSummary,
    Label,
    LabelSet,
    Status,
    Unchanged,
    content_hash,
    label_palette,
    validate_annotator_name,
    validate_label_name,
)
from annotator.core.store import rows
from annotator.core.store.connection import Connection, now, reads, streams


@dataclass(frozen=True)
class DocumentInput:
    """A document on its way into a project (from a file, a record or the API)."""

    id: str
    text: str
    title: str | None = None
    source: str = ""
    meta: dict[str, Any] | None = None
    origin: str = ""  # "file:line" for error messages


@dataclass(frozen=True)
class AddResult:
    """What adding documents did."""

    added: list[str]
    unchanged: list[str]


class Documents(Connection):
    """The documents of a project, its labels, its annotators and their status per document."""

    # -- labels ------------------------------------------------------------------------------------

    @reads
    def labels(self) -> LabelSet:
        if self._labels is None:
            found = self.db.execute("SELECT name, color, hotkey FROM labels ORDER BY position, name")
            self._labels = LabelSet(tuple(rows.label(self.path, row) for row in found.fetchall()))
        return self._labels

    def _insert_label(self, label: Label, position: int) -> None:
        self.db.execute(
            "INSERT INTO labels (name, color, hotkey, position) VALUES (?, ?, ?, ?)",
            [label.name, label.color, label.hotkey, position],
        )
        self._labels = None

    def add_label(
        self, name: str, color: str | None = None, hotkey: str | None | Automatic = AUTOMATIC
    ) -> Label:
        """Append a label; colour and hotkey default to the next free ones (``hotkey=None``: none)."""
        labels = self.labels()
        if name in labels:
            raise LabelError(f"label {name!r} already exists")
        if color is None:
            used = {label.color.upper() for label in labels}
            palette = label_palette()
            color = next((c for c in palette if c.upper() not in used), palette[len(labels) % len(palette)])
        if isinstance(hotkey, Automatic):
            used_keys = {label.hotkey for label in labels}
            hotkey = next((k for k in HOTKEYS if k not in used_keys), None)
        elif hotkey is not None:
            holder = labels.by_hotkey(hotkey)
            if holder is not None:
                raise LabelError(f"hotkey {hotkey} is already used by {holder.name!r}")
        label = Label(name, color, hotkey)
        with self.transaction():
            self._insert_label(label, len(labels))
        return label

    def update_label(
        self,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        hotkey: str | None | Unchanged = UNCHANGED,
    ) -> Label:
        """Rename, recolour or re-key a label; spans follow a rename (ON UPDATE CASCADE)."""
        labels = self.labels()
        old = labels.get(name)
        target = new_name if new_name is not None else name
        if target != name and target in labels:
            raise LabelError(f"label {target!r} already exists")
        new_hotkey = old.hotkey if isinstance(hotkey, Unchanged) else hotkey
        if new_hotkey is not None:
            holder = labels.by_hotkey(new_hotkey)
            if holder is not None and holder.name != name:
                raise LabelError(f"hotkey {new_hotkey} is already used by {holder.name!r}")
        label = Label(target, color or old.color, new_hotkey)
        with self.transaction():
            self.db.execute(
                "UPDATE labels SET name = ?, color = ?, hotkey = ? WHERE name = ?",
                [label.name, label.color, label.hotkey, name],
            )
            self._labels = None
        return label

    def reorder_labels(self, names: Sequence[str]) -> None:
        """Set the label order (the label bar and exports follow it)."""
        current = self.labels().names
        if sorted(names) != sorted(current):
            raise LabelError("the new order must name every label exactly once")
        with self.transaction():
            for position, name in enumerate(names):
                self.db.execute("UPDATE labels SET position = ? WHERE name = ?", [position, name])
            self._labels = None

    @reads
    def label_usage(self, name: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM spans WHERE label = ?", [name]).fetchone()[0])

    def ensure_labels(self, names: Iterable[str]) -> list[Label]:
        """Add any of ``names`` that are missing (for ``import --add-labels``)."""
        added = []
        for name in names:
            if name not in self.labels():
                validate_label_name(name)
                added.append(self.add_label(name))
        return added

    # -- annotators --------------------------------------------------------------------------------

    @reads
    def annotators(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM annotators ORDER BY name")]

    def _ensure_annotator(self, name: str) -> str:
        """The checked name, added to ``annotators`` if new (inside the caller's transaction)."""
        name = validate_annotator_name(name)
        self.db.execute("INSERT OR IGNORE INTO annotators (name, created) VALUES (?, ?)", [name, now()])
        return name

    def add_annotator(self, name: str) -> str:
        with self.transaction():
            return self._ensure_annotator(name)

    # -- documents ---------------------------------------------------------------------------------

    def add_documents(self, docs: Iterable[DocumentInput]) -> AddResult:
        """Add documents in one transaction: all of them, or (on any error) none.

        The same id with the same text is a no-op; with different text it is refused, because
        spans must never point into changed text.
        """
        added: list[str] = []
        unchanged: list[str] = []
        with self.transaction():
            position = int(
                self.db.execute("SELECT coalesce(max(position), -1) + 1 FROM documents").fetchone()[0]
            )
            created = now()
            for doc in docs:
                self._check_document(doc)
                digest = content_hash(doc.text)
                row = self.db.execute("SELECT sha256 FROM documents WHERE id = ?", [doc.id]).fetchone()
                if row is not None:
                    if row[0] != digest:
                        where = f"{doc.origin}: " if doc.origin else ""
                        raise DocumentError(
                            f"{where}document {doc.id!r} already exists with different text; "
                            "refusing to change it (spans point into the old text) - "
                            "give the new text another id"
                        )
                    unchanged.append(doc.id)
                    continue
                self.db.execute(
                    "INSERT INTO documents (id, title, text, sha256, source, meta, position, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        doc.id,
                        doc.title if doc.title is not None else doc.id,
                        doc.text,
                        digest,
                        doc.source,
                        json.dumps(doc.meta or {}, ensure_ascii=False, sort_keys=True),
                        position,
                        created,
                    ],
                )
                position += 1
                added.append(doc.id)
        return AddResult(added, unchanged)

    @staticmethod
    def _check_document(doc: DocumentInput) -> None:
        where = f"{doc.origin}: " if doc.origin else ""
        if not isinstance(doc.id, str) or not doc.id.strip():
            raise DocumentError(f"{where}document id must be a non-empty string")
        if not isinstance(doc.text, str):
            raise DocumentError(f"{where}document {doc.id!r}: text must be a string")
        if doc.title is not None and not isinstance(doc.title, str):
            raise DocumentError(f"{where}document {doc.id!r}: title must be a string")
        if doc.meta is not None and not isinstance(doc.meta, dict):
            raise DocumentError(f"{where}document {doc.id!r}: meta must be a JSON object")

    @reads
    def document(self, doc_id: str) -> Document:
        row = self.db.execute(
            f"SELECT {rows.DOCUMENT_COLUMNS} FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:
            raise DocumentError(f"no document with id {doc_id!r}")
        document = rows.document(self.path, row)
        self._text_cache = (document.id, document.text)
        return document

    @reads
    def document_text(self, doc_id: str) -> str:
        """The text of a document (cached for the last one, since span checks need it)."""
        if self._text_cache is not None and self._text_cache[0] == doc_id:
            return self._text_cache[1]
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise DocumentError(f"no document with id {doc_id!r}")
        text = rows.document_text(self.path, doc_id, row[0])
        self._text_cache = (doc_id, text)
        return text

    @reads
    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone() is not None

    @reads
    def document_hash(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM documents WHERE id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    @reads
    def document_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY position, id")]

    @streams
    def iter_documents(self, ids: Sequence[str] | None = None) -> Iterator[Document]:
        """Documents in project order, streamed (never all texts in memory at once)."""
        if ids is None:
            cursor = self.db.conn.execute(
                f"SELECT {rows.DOCUMENT_COLUMNS} FROM documents ORDER BY position, id"
            )
            for row in cursor:
                yield rows.document(self.path, row)
        else:
            for doc_id in ids:
                yield self.document(doc_id)

    @reads
    def document_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    @reads
    def summaries(self) -> list[DocumentSummary]:
        """Every document with its per-annotator status and span counts (no texts)."""
        counts: dict[str, dict[str, int]] = {}
        for doc_id, annotator, n in self.db.execute(
            "SELECT document_id, annotator, count(*) FROM spans GROUP BY document_id, annotator"
        ):
            counts.setdefault(doc_id, {})[annotator] = n
        statuses: dict[str, dict[str, Status]] = {}
        for doc_id, annotator, value in self.db.execute("SELECT document_id, annotator, status FROM status"):
            statuses.setdefault(doc_id, {})[annotator] = rows.status(self.path, doc_id, annotator, value)
        summaries = []
        # SQL's length() stops at a NUL character: such (rare) texts are measured in Python.
        for doc_id, title, length, position, has_nul, kind in self.db.execute(
            "SELECT id, title, length(text), position, instr(text, char(0)) > 0, typeof(text) "
            "FROM documents ORDER BY position, id"
        ).fetchall():
            if has_nul or kind != "text":
                length = len(self.document_text(doc_id))
            summaries.append(
                DocumentSummary(
                    id=doc_id,
                    title=rows.title(self.path, doc_id, title),
                    length=length,
                    position=position,
                    status=statuses.get(doc_id, {}),
                    span_counts=counts.get(doc_id, {}),
                )
            )
        return summaries

    # -- status ------------------------------------------------------------------------------------

    @reads
    def status(self, doc_id: str, annotator: str) -> Status:
        row = self.db.execute(
            "SELECT status FROM status WHERE document_id = ? AND annotator = ?", [doc_id, annotator]
        ).fetchone()
        return rows.status(self.path, doc_id, annotator, row[0]) if row else Status.TODO

    @reads
    def statuses(self) -> dict[tuple[str, str], Status]:
        """Every recorded status, by (document id, annotator)."""
        return {
            (doc_id, annotator): rows.status(self.path, doc_id, annotator, value)
            for doc_id, annotator, value in self.db.execute(
                "SELECT document_id, annotator, status FROM status"
            )
        }

    def set_status(self, doc_id: str, annotator: str, status: Status | str) -> Status:
        try:
            status = Status(status)
        except ValueError:
            raise AnnotatorError(f"unknown status {status!r} (use todo, in_progress or done)") from None
        if not self.has_document(doc_id):
            raise DocumentError(f"no document with id {doc_id!r}")
        with self.transaction():
            self._write_status(doc_id, self._ensure_annotator(annotator), status)
        return status

    def _write_status(self, doc_id: str, annotator: str, status: Status) -> None:
        self.db.execute(
            "INSERT INTO status (document_id, annotator, status, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(document_id, annotator) DO UPDATE SET status = excluded.status, "
            "updated = excluded.updated",
            [doc_id, annotator, status.value, now()],
        )

    def _touch_status(self, doc_id: str, annotator: str) -> None:
        """A first span moves a document from 'todo' to 'in progress' (never out of 'done')."""
        self.db.execute(
            "INSERT INTO status (document_id, annotator, status, updated) VALUES (?, ?, 'in_progress', ?) "
            "ON CONFLICT(document_id, annotator) DO UPDATE SET status = 'in_progress', "
            "updated = excluded.updated WHERE status = 'todo'",
            [doc_id, annotator, now()],
        )

    @reads
    def next_unfinished(self, annotator: str, after: str | None = None) -> str | None:
        """The next document (in project order, wrapping) that ``annotator`` has not marked done."""
        unfinished = (
            "SELECT d.id FROM documents d WHERE d.id != :after AND NOT EXISTS (SELECT 1 FROM status s "
            "WHERE s.document_id = d.id AND s.annotator = :annotator AND s.status = 'done') "
        )
        params = {"after": after if after is not None else "", "annotator": annotator}
        if after is not None:
            row = self.db.execute("SELECT position FROM documents WHERE id = ?", [after]).fetchone()
            if row is not None:
                params["position"] = row[0]
                later = self.db.execute(
                    unfinished
                    + "AND (d.position, d.id) > (:position, :after) ORDER BY d.position, d.id LIMIT 1",
                    params,
                ).fetchone()
                if later is not None:
                    return str(later[0])
        first = self.db.execute(unfinished + "ORDER BY d.position, d.id LIMIT 1", params).fetchone()
        return str(first[0]) if first is not None else None
