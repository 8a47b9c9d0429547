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
from typing import Any, overload

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
from annotator.core.store import facts, rows
from annotator.core.store.connection import Connection, now, reads, streams

#: The document list's filters by one annotator's status: every document, those not done, and
#: those with one status (a document without a recorded status is "todo").
LIST_FILTERS = ("all", "unfinished", "todo", "in_progress", "done")
#: The recorded statuses each filter leaves out (for "all": nothing) or keeps.
_LEFT_OUT = {"unfinished": ("done",), "todo": ("in_progress", "done")}
_KEPT = {"in_progress": "in_progress", "done": "done"}
#: Most parameters in one ``IN (...)`` list (SQLite allows 32,766 since 3.32; older ones 999).
_IN_CHUNK = 900
_FACTS_COLUMNS = "f.position, f.document_id, f.title, f.length"


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
                if self._has_facts and "\x00" in doc.text:
                    # SQL's length() stops at the NUL, so the facts trigger left it unmeasured.
                    self.db.execute(
                        "UPDATE document_facts SET length = ? WHERE document_id = ?", [len(doc.text), doc.id]
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

    # -- the document list -------------------------------------------------------------------------
    #
    # Everything here reads the facts tables (annotator.core.store.facts): index ranges, never a
    # text, never a count over the spans. A project of an older schema opened read-only has no
    # facts; it is counted afresh instead (``_has_facts`` is False then).

    #: False for a project read as it is whose schema is older than the facts (or whose facts
    #: triggers another program removed): its lists are counted afresh.
    _has_facts = True

    @reads
    def document_count(self, *, annotator: str = "", status: str = "all") -> int:
        """How many documents the list shows with ``status`` as the filter for ``annotator``
        (:data:`LIST_FILTERS`; "all": every document)."""
        status = _checked_filter(status)
        if not self._has_facts:
            return len(self._filtered(annotator, status))
        if status in _KEPT:
            return self._status_count(annotator, _KEPT[status])
        total = int(self.db.execute("SELECT count(*) FROM document_facts").fetchone()[0])
        for left_out in _LEFT_OUT.get(status, ()):
            total -= self._status_count(annotator, left_out)
        return total

    def _status_count(self, annotator: str, status: str, before: tuple[int, str] | None = None) -> int:
        sql = "SELECT count(*) FROM layer_facts WHERE annotator = ? AND status = ?"
        params: list[object] = [annotator, status]
        if before is not None:
            sql += " AND (position, document_id) < (?, ?)"
            params += before
        return int(self.db.execute(sql, params).fetchone()[0])

    @reads
    def status_counts(self, annotator: str) -> dict[Status, int]:
        """How many documents ``annotator`` has in each status (the list's progress figure)."""
        done = self.document_count(annotator=annotator, status="done")
        in_progress = self.document_count(annotator=annotator, status="in_progress")
        todo = self.document_count() - done - in_progress
        return {Status.TODO: todo, Status.IN_PROGRESS: in_progress, Status.DONE: done}

    @reads
    def summary_page(
        self, first: int, count: int, *, annotator: str = "", status: str = "all"
    ) -> list[DocumentSummary]:
        """Rows ``first`` to ``first + count`` (end-exclusive) of the document list as ``status``
        filters it for ``annotator``: what a lazy list model asks for when rows come into view.

        Each summary carries every layer of its document (not only ``annotator``'s), like
        :meth:`summaries`. Costs an index range of ``first + count`` entries, never a text.
        """
        status = _checked_filter(status)
        first, count = max(0, int(first)), max(0, int(count))
        if not count:
            return []
        if not self._has_facts:
            return self._filtered(annotator, status)[first : first + count]
        with self.snapshot():
            if status in _KEPT:
                found = self.db.execute(
                    f"SELECT {_FACTS_COLUMNS} FROM layer_facts l JOIN document_facts f "
                    "ON f.position = l.position AND f.document_id = l.document_id "
                    "WHERE l.annotator = ? AND l.status = ? "
                    "ORDER BY l.position, l.document_id LIMIT ? OFFSET ?",
                    [annotator, _KEPT[status], count, first],
                ).fetchall()
            elif status in _LEFT_OUT:
                left_out = _LEFT_OUT[status]
                marks = ", ".join("?" * len(left_out))
                found = self.db.execute(
                    f"SELECT {_FACTS_COLUMNS} FROM document_facts f WHERE NOT EXISTS (SELECT 1 FROM "
                    "layer_facts l WHERE l.document_id = f.document_id AND l.annotator = ? AND "
                    f"l.status IN ({marks})) ORDER BY f.position, f.document_id LIMIT ? OFFSET ?",
                    [annotator, *left_out, count, first],
                ).fetchall()
            else:
                found = self.db.execute(
                    f"SELECT {_FACTS_COLUMNS} FROM document_facts f "
                    "ORDER BY f.position, f.document_id LIMIT ? OFFSET ?",
                    [count, first],
                ).fetchall()
            layers = self._layer_facts([row[1] for row in found])
            return [self._summary(row, layers.get(row[1])) for row in found]

    @reads
    def document_row(self, doc_id: str, *, annotator: str = "", status: str = "all") -> int | None:
        """The row of ``doc_id`` in the document list as ``status`` filters it for ``annotator``;
        None when the filter hides it (or there is no such document)."""
        status = _checked_filter(status)
        if not self._has_facts:
            ids = [s.id for s in self._filtered(annotator, status)]
            return ids.index(doc_id) if doc_id in ids else None
        with self.snapshot():
            found = self.db.execute(
                "SELECT position FROM document_facts WHERE document_id = ?", [doc_id]
            ).fetchone()
            if found is None:
                return None
            key = (int(found[0]), doc_id)
            layer = self.db.execute(
                "SELECT status FROM layer_facts WHERE document_id = ? AND annotator = ?", [doc_id, annotator]
            ).fetchone()
            recorded = layer[0] if layer is not None else None
            if status in _KEPT:
                if recorded != _KEPT[status]:
                    return None
                return self._status_count(annotator, _KEPT[status], key)
            if recorded in _LEFT_OUT.get(status, ()):
                return None
            row = int(
                self.db.execute(
                    "SELECT count(*) FROM document_facts WHERE (position, document_id) < (?, ?)", key
                ).fetchone()[0]
            )
            for left_out in _LEFT_OUT.get(status, ()):
                row -= self._status_count(annotator, left_out, key)
            return row

    @reads
    def summaries(self) -> DocumentList:
        """Every document with its per-annotator status and span counts (no texts), in list order.

        A :class:`DocumentList`: a sequence read a page at a time as rows are asked for (opening
        a project of 100,000 documents reads its count and one page, not every row). A damaged
        title, text or status anywhere in the list raises here, before anything is shown, as
        reading every row would.
        """
        if not self._has_facts:
            return DocumentList(self, self._summaries_recounted())
        return DocumentList(self)

    def _all_summaries(self) -> list[DocumentSummary]:
        """Every row of the list from the facts tables, in one read."""
        with self.snapshot():
            layers = self._layer_facts(None)
            return [
                self._summary(row, layers.get(row[1]))
                for row in self.db.execute(
                    f"SELECT {_FACTS_COLUMNS} FROM document_facts f ORDER BY f.position, f.document_id"
                ).fetchall()
            ]

    def _check_list_rows(self) -> None:
        """Raise for the first damaged row of the list (a title or text that is not text, a
        status no version writes): two passes over the small facts tables, no text read."""
        with self.snapshot():
            row = self.db.execute(
                f"SELECT {_FACTS_COLUMNS} FROM document_facts f "
                "WHERE typeof(f.title) != 'text' OR f.length IS NULL LIMIT 1"
            ).fetchone()
            if row is None:
                row = self.db.execute(
                    f"SELECT {_FACTS_COLUMNS} FROM layer_facts l JOIN document_facts f "
                    "ON f.document_id = l.document_id WHERE l.status IS NOT NULL "
                    "AND l.status NOT IN ('todo', 'in_progress', 'done') LIMIT 1"
                ).fetchone()
            if row is not None:
                self._summary(row, self._layer_facts([row[1]]).get(row[1]))

    @reads
    def document_lengths(self, ids: Sequence[str]) -> dict[str, int]:
        """The length in code points of each of ``ids`` that exists (no text is read)."""
        lengths: dict[str, int] = {}
        if not self._has_facts:
            for doc_id in ids:
                if self.has_document(doc_id):
                    lengths[doc_id] = len(self.document_text(doc_id))
            return lengths
        for part in range(0, len(ids), _IN_CHUNK):
            chunk = list(ids[part : part + _IN_CHUNK])
            marks = ", ".join("?" * len(chunk))
            for doc_id, length in self.db.execute(
                f"SELECT document_id, length FROM document_facts WHERE document_id IN ({marks})", chunk
            ).fetchall():
                lengths[doc_id] = length if type(length) is int else len(self.document_text(doc_id))
        return lengths

    def _layer_facts(self, ids: Sequence[str] | None) -> dict[str, tuple[dict[str, Status], dict[str, int]]]:
        """(statuses, span counts) by document, of ``ids`` (None: every document)."""
        found: list[Any] = []
        if ids is None:
            found = self.db.execute(
                "SELECT document_id, annotator, status, spans FROM layer_facts"
            ).fetchall()
        else:
            for part in range(0, len(ids), _IN_CHUNK):
                chunk = list(ids[part : part + _IN_CHUNK])
                marks = ", ".join("?" * len(chunk))
                found += self.db.execute(
                    "SELECT document_id, annotator, status, spans FROM layer_facts "
                    f"WHERE document_id IN ({marks})",
                    chunk,
                ).fetchall()
        layers: dict[str, tuple[dict[str, Status], dict[str, int]]] = {}
        for doc_id, annotator, status, spans in found:
            entry = layers.get(doc_id)
            if entry is None:
                entry = layers[doc_id] = ({}, {})
            if status is not None:
                entry[0][annotator] = rows.status(self.path, doc_id, annotator, status)
            if spans:
                entry[1][annotator] = spans
        return layers

    def _summary(
        self, row: Sequence[Any], layers: tuple[dict[str, Status], dict[str, int]] | None
    ) -> DocumentSummary:
        position, doc_id, title, length = row
        if type(length) is not int:  # a NUL in the text (SQL cannot measure it), or damaged
            length = len(self.document_text(doc_id))
        statuses, counts = layers if layers is not None else ({}, {})
        return DocumentSummary(
            id=doc_id,
            title=rows.title(self.path, doc_id, title),
            length=length,
            position=position,
            status=statuses,
            span_counts=counts,
        )

    def _summaries_recounted(self) -> list[DocumentSummary]:
        """:meth:`summaries` without the facts: every span counted, every text measured."""
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

    def _filtered(self, annotator: str, status: str) -> list[DocumentSummary]:
        """The list as ``status`` filters it, from :meth:`_summaries_recounted` (no facts)."""
        everything = self._summaries_recounted()
        if status == "all":
            return everything
        if status == "unfinished":
            return [s for s in everything if s.status_for(annotator) is not Status.DONE]
        return [s for s in everything if s.status_for(annotator).value == status]

    @reads
    def shared_documents(self, a: str, b: str) -> list[str]:
        """Ids of the documents both annotators have touched (a span or a status), in list order."""
        if not self._has_facts:
            return [
                s.id
                for s in self._summaries_recounted()
                if all(name in s.status or name in s.span_counts for name in (a, b))
            ]
        return [
            row[0]
            for row in self.db.execute(
                "SELECT la.document_id FROM layer_facts la JOIN layer_facts lb "
                "ON lb.document_id = la.document_id AND lb.annotator = ? "
                "WHERE la.annotator = ? ORDER BY la.position, la.document_id",
                [b, a],
            )
        ]

    def check_facts(self) -> list[str]:
        """Where the kept facts differ from the project counted afresh (empty: they agree).

        For tests and for ``annotator stats --check``-like diagnostics: reads every span.
        """
        if not self._has_facts:
            return []
        with self.snapshot():
            expected = facts.recount(self.db.conn)
            found = facts.kept(self.db.conn)
        problems = []
        for what, want, have in zip(("document", "layer"), expected, found, strict=True):
            missing = sorted(set(want) - set(have), key=repr)
            extra = sorted(set(have) - set(want), key=repr)
            problems += [f"{what} facts lack {row!r}" for row in missing]
            problems += [f"{what} facts hold {row!r}, not counted afresh" for row in extra]
        return problems

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
        """The next document (in list order, wrapping) that ``annotator`` has not marked done.

        Walks the list's index from ``after`` and looks each document's layer up by key, so it
        costs the run of done documents it skips, never a text or a span.
        """
        if not self._has_facts:
            return self._next_unfinished_recounted(annotator, after)
        unfinished = (
            "SELECT f.document_id FROM document_facts f WHERE f.document_id != :after AND NOT EXISTS "
            "(SELECT 1 FROM layer_facts l WHERE l.document_id = f.document_id AND l.annotator = :annotator "
            "AND l.status = 'done') "
        )
        params: dict[str, object] = {"after": after if after is not None else "", "annotator": annotator}
        with self.snapshot():
            if after is not None:
                row = self.db.execute(
                    "SELECT position FROM document_facts WHERE document_id = ?", [after]
                ).fetchone()
                if row is not None:
                    params["position"] = row[0]
                    later = self.db.execute(
                        unfinished + "AND (f.position, f.document_id) > (:position, :after) "
                        "ORDER BY f.position, f.document_id LIMIT 1",
                        params,
                    ).fetchone()
                    if later is not None:
                        return str(later[0])
            first = self.db.execute(
                unfinished + "ORDER BY f.position, f.document_id LIMIT 1", params
            ).fetchone()
            return str(first[0]) if first is not None else None

    def _next_unfinished_recounted(self, annotator: str, after: str | None) -> str | None:
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


class DocumentList(Sequence[DocumentSummary]):
    """The document list of a project as a sequence whose rows are read when asked for.

    ``len()`` is one count; ``list[i]`` reads the page of :data:`PAGE` rows around ``i`` (kept
    until :meth:`refresh`); iterating reads every row in one snapshot. Filtered views, row
    numbers and progress figures are the project's own index queries
    (:meth:`Documents.summary_page`, :meth:`~Documents.document_count`,
    :meth:`~Documents.document_row`, :meth:`~Documents.status_counts`); :attr:`project` is there
    for them. A project without the facts (an older file read as it is) gives a list read whole.
    """

    #: Rows read at once.
    PAGE = 256

    def __init__(self, project: Documents, rows: list[DocumentSummary] | None = None) -> None:
        self.project = project
        #: Read page by page from the facts tables (False: ``rows`` were read whole).
        self.lazy = rows is None
        self._rows = rows
        self._pages: dict[int, list[DocumentSummary]] = {}
        self._length = 0
        if rows is None:
            project._check_list_rows()
        self.refresh()

    def refresh(self) -> None:
        """Forget the pages read (the project changed): the next reads see it as it is now."""
        self._pages.clear()
        self._length = len(self._rows) if self._rows is not None else self.project.document_count()

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> DocumentSummary: ...
    @overload
    def __getitem__(self, index: slice) -> list[DocumentSummary]: ...
    def __getitem__(self, index: int | slice) -> DocumentSummary | list[DocumentSummary]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if self._rows is not None:
            return self._rows[index]
        row = index + self._length if index < 0 else index
        if not 0 <= row < self._length:
            raise IndexError("document list index out of range")
        page = self._pages.get(row // self.PAGE)
        if page is None:
            page = self.project.summary_page(row - row % self.PAGE, self.PAGE)
            self._pages[row // self.PAGE] = page
        if row % self.PAGE >= len(page):  # the project lost documents since the count
            raise IndexError("document list index out of range (the project changed; refresh)")
        return page[row % self.PAGE]

    def __iter__(self) -> Iterator[DocumentSummary]:
        if self._rows is not None:
            return iter(self._rows)
        return iter(self.project._all_summaries())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<DocumentList of {self._length} documents{' (read by page)' if self.lazy else ''}>"


def _checked_filter(status: str) -> str:
    if status not in LIST_FILTERS:
        raise AnnotatorError(f"unknown document filter {status!r} (use {', '.join(LIST_FILTERS)})")
    return status
