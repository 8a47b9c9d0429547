"""Spans and reviewers' decisions: the annotators' layers of each document and the gold layer's why.

:class:`Layers` is the second layer of :class:`~annotator.core.store.Project`, above
:class:`~annotator.core.store.documents.Documents` (a span is checked against its document's
text and the label set).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter
from typing import Any

from annotator.core.errors import DocumentError, LabelError, SpanError
from annotator.core.model import (
    UNCHANGED,
    DecisionRecord,
    Span,
    SpanKey,
    Unchanged,
    validate_span,
)
from annotator.core.store import facts, rows
from annotator.core.store.connection import now, reads, streams
from annotator.core.store.documents import Documents


@dataclass(frozen=True)
class NewSpan:
    """A span to be created (no id yet)."""

    document_id: str
    annotator: str
    start: int
    end: int
    label: str
    note: str | None = None
    #: The suggestion source the span was accepted from (None: made by hand).
    source: str | None = None


@dataclass(frozen=True)
class Rejection:
    """A proposal an annotator rejected: not proposed to them again on that document."""

    document_id: str
    annotator: str
    start: int
    end: int
    label: str
    source: str
    created: str = ""

    @property
    def key(self) -> SpanKey:
        return (self.start, self.end, self.label)


_DECISION_COLUMNS = 'document_id, a, b, a_span, b_span, start, "end", kind, decision, result, decided_at'


def _span_key_text(span: SpanKey | None) -> str:
    """How a decision's candidate span is stored (its part of the decision's key)."""
    return "" if span is None else json.dumps([span[0], span[1], span[2]], ensure_ascii=False)


class Layers(Documents):
    """Each annotator's spans on each document, and the reviewers' recorded decisions."""

    #: False for a project of a schema older than the reviewers' decisions (read-only).
    _has_decisions = True
    #: The span columns to select: a file older than span sources (read-only) reads them as NULL.
    _span_columns = rows.SPAN_COLUMNS
    #: False for a project of a schema older than span sources and rejections (read-only).
    _has_sources = True

    # -- spans -------------------------------------------------------------------------------------

    @reads
    def spans(self, doc_id: str, annotator: str) -> list[Span]:
        """One annotator's layer of one document, sorted by (start, end, label)."""
        found = self.db.execute(
            f"SELECT {self._span_columns} FROM spans WHERE document_id = ? AND annotator = ? "
            'ORDER BY start, "end", label, id',
            [doc_id, annotator],
        ).fetchall()
        return rows.spans(self.path, found, len(self.document_text(doc_id)) if found else None)

    @streams
    def iter_layer_pairs(
        self, doc_ids: Sequence[str], a: str, b: str
    ) -> Iterator[tuple[str, int, list[tuple[int, int, str]], list[tuple[int, int, str]]]]:
        """(document id, length, A's keys, B's keys) of each of ``doc_ids`` in turn, with keys
        (start, end, label) sorted and checked against the length: what agreement reads.

        One document at a time (memory bounded by the largest layer), no text read when the
        list's facts know its length; in one read snapshot while it runs.
        """
        sql = (
            'SELECT annotator, start, "end", label, NULL FROM spans WHERE document_id = ? '
            'AND annotator IN (?, ?) ORDER BY annotator, start, "end", label'
        )
        conn = self.db.conn
        with self.snapshot():
            for part in range(0, len(doc_ids), 500):
                chunk = list(doc_ids[part : part + 500])
                lengths = self.document_lengths(chunk)
                for doc_id in chunk:
                    if doc_id not in lengths:
                        raise DocumentError(f"no document with id {doc_id!r} in the project")
                    length = lengths[doc_id]
                    layers: dict[str, list[tuple[Any, ...]]] = {a: [], b: []}
                    for row in conn.execute(sql, [doc_id, a, b]).fetchall():
                        layers[row[0]].append(row[1:])
                    keys = [
                        [
                            (s, e, label)
                            for s, e, label, _ in rows.layer_spans(
                                self.path, doc_id, name, layers[name], length
                            )
                        ]
                        for name in (a, b)
                    ]
                    yield doc_id, length, keys[0], keys[1]

    @reads
    def span(self, span_id: int) -> Span:
        row = self.db.execute(f"SELECT {self._span_columns} FROM spans WHERE id = ?", [span_id]).fetchone()
        if row is None:
            raise SpanError(f"no span with id {span_id}")
        return rows.span(self.path, row, len(self.document_text(row[1])))

    @reads
    def layers(self, doc_id: str) -> list[str]:
        """Annotators that have spans or a status on ``doc_id``."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT annotator FROM spans WHERE document_id = ? UNION "
                "SELECT annotator FROM status WHERE document_id = ? ORDER BY 1",
                [doc_id, doc_id],
            )
        ]

    @reads
    def span_count(self, annotator: str | None = None) -> int:
        if self._has_facts:  # the layers' counts: no pass over the spans
            sql = "SELECT coalesce(sum(spans), 0) FROM layer_facts"
            if annotator is None:
                return int(self.db.execute(sql).fetchone()[0])
            return int(self.db.execute(sql + " WHERE annotator = ?", [annotator]).fetchone()[0])
        if annotator is None:
            return int(self.db.execute("SELECT count(*) FROM spans").fetchone()[0])
        return int(
            self.db.execute("SELECT count(*) FROM spans WHERE annotator = ?", [annotator]).fetchone()[0]
        )

    def _validate_new(self, new: NewSpan) -> None:
        text = self.document_text(new.document_id)
        validate_span(text, new.start, new.end, new.label, self.labels())
        if new.note is not None and not isinstance(new.note, str):
            raise SpanError("a span note must be text")

    def _insert_span(self, new: NewSpan, span_id: int | None = None, created: str | None = None) -> Span:
        self._validate_new(new)
        annotator = self._ensure_annotator(new.annotator)
        stamp = now()
        try:
            cursor = self.db.execute(
                "INSERT INTO spans "
                '(id, document_id, annotator, start, "end", label, note, created, updated, source) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    span_id,
                    new.document_id,
                    annotator,
                    new.start,
                    new.end,
                    new.label,
                    new.note or None,
                    created or stamp,
                    stamp,
                    new.source,
                ],
            )
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise SpanError(
                    f"{annotator} already has a {new.label!r} span at [{new.start}, {new.end}) "
                    f"in {new.document_id!r}"
                ) from exc
            raise
        if self._counting_by_hand:
            self.db.execute(facts.COUNT_UP, [new.document_id, annotator, 1])
        self._touch_status(new.document_id, annotator)
        return Span(
            int(cursor.lastrowid or span_id or 0),
            new.document_id,
            annotator,
            new.start,
            new.end,
            new.label,
            new.note or None,
            created or stamp,
            stamp,
            new.source,
        )

    def add_span(
        self,
        doc_id: str,
        annotator: str,
        start: int,
        end: int,
        label: str,
        note: str | None = None,
        *,
        source: str | None = None,
    ) -> Span:
        """Create one span, validated, committed when this returns (``source``: the suggestion
        source it was accepted from)."""
        with self.transaction():
            return self._insert_span(NewSpan(doc_id, annotator, start, end, label, note, source))

    def add_spans(self, spans: Iterable[NewSpan], *, skip_duplicates: bool = False) -> list[Span]:
        """Create many spans in one transaction (all or nothing)."""
        created: list[Span] = []
        with self.transaction():
            for new in spans:
                if skip_duplicates and self._find_span(new) is not None:
                    continue
                created.append(self._insert_span(new))
        return created

    def _find_span(self, new: NewSpan) -> int | None:
        row = self.db.execute(
            'SELECT id FROM spans WHERE document_id = ? AND annotator = ? AND start = ? AND "end" = ? '
            "AND label = ?",
            [new.document_id, new.annotator, new.start, new.end, new.label],
        ).fetchone()
        return int(row[0]) if row else None

    def restore_spans(self, spans: Sequence[Span]) -> list[Span]:
        """Put deleted spans back with their ids, labels, notes and creation times (undo)."""
        with self.transaction():
            return [
                self._insert_span(
                    NewSpan(s.document_id, s.annotator, s.start, s.end, s.label, s.note, s.source),
                    span_id=s.id,
                    created=s.created,
                )
                for s in spans
            ]

    def delete_span(self, span_id: int) -> Span:
        """Delete one span; returns it so it can be restored."""
        with self.transaction():
            deleted = self._delete_span_rows([span_id])
        if not deleted:
            raise SpanError(f"no span with id {span_id}")
        return deleted[0]

    def delete_spans(self, span_ids: Sequence[int]) -> list[Span]:
        with self.transaction():
            return self._delete_span_rows(span_ids)

    def _delete_span_rows(self, span_ids: Sequence[int]) -> list[Span]:
        deleted = []
        for span_id in span_ids:
            row = self.db.execute(
                f"SELECT {self._span_columns} FROM spans WHERE id = ?", [span_id]
            ).fetchone()
            if row is None:
                continue
            self.db.execute("DELETE FROM spans WHERE id = ?", [span_id])
            deleted.append(Span(*row))
        return deleted

    def update_span(
        self,
        span_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
        note: str | None | Unchanged = UNCHANGED,
    ) -> Span:
        """Relabel, resize or annotate a span; returns the updated span."""
        with self.transaction():
            old = self.span(span_id)
            new = replace(
                old,
                start=old.start if start is None else start,
                end=old.end if end is None else end,
                label=old.label if label is None else label,
                note=old.note if isinstance(note, Unchanged) else (note or None),
                updated=now(),
            )
            self._validate_new(
                NewSpan(new.document_id, new.annotator, new.start, new.end, new.label, new.note)
            )
            try:
                self.db.execute(
                    'UPDATE spans SET start = ?, "end" = ?, label = ?, note = ?, updated = ? WHERE id = ?',
                    [new.start, new.end, new.label, new.note, new.updated, span_id],
                )
            except sqlite3.IntegrityError as exc:
                raise SpanError(
                    f"{old.annotator} already has a {new.label!r} span at [{new.start}, {new.end}) "
                    f"in {old.document_id!r}"
                ) from exc
        return new

    def set_span(self, span: Span) -> Span:
        """Write a span's start, end, label and note back as given (undo of an update)."""
        return self.update_span(span.id, start=span.start, end=span.end, label=span.label, note=span.note)

    @streams
    def iter_layer_spans(self, annotator: str | None = None) -> Iterator[tuple[str, str, list[Span]]]:
        """(document id, annotator, spans) for every non-empty layer, in project order."""
        columns = ", ".join(
            c if c == "NULL" else f"s.{c}" for c in (c.strip() for c in self._span_columns.split(","))
        )
        sql = f"SELECT {columns} FROM spans s JOIN documents d ON d.id = s.document_id"
        params: list[str] = []
        if annotator is not None:
            sql += " WHERE s.annotator = ?"
            params.append(annotator)
        sql += ' ORDER BY d.position, d.id, s.annotator, s.start, s."end", s.label, s.id'
        for (doc_id, name), group in groupby(self.db.conn.execute(sql, params), key=itemgetter(1, 2)):
            yield doc_id, name, rows.spans(self.path, list(group), len(self.document_text(doc_id)))

    # -- suggestions (annotator.core.suggest) ------------------------------------------------------

    def add_rejection(
        self, doc_id: str, annotator: str, start: int, end: int, label: str, source: str
    ) -> Rejection:
        """Record that ``annotator`` rejected a proposal (rejecting it again changes nothing)."""
        with self.transaction():
            validate_span(self.document_text(doc_id), start, end, label, self.labels())
            annotator = self._ensure_annotator(annotator)
            stamp = now()
            self.db.execute(
                'INSERT INTO rejections (document_id, annotator, start, "end", label, source, created) '
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [doc_id, annotator, start, end, label, source, stamp],
            )
        return Rejection(doc_id, annotator, start, end, label, source, stamp)

    def remove_rejection(self, doc_id: str, annotator: str, start: int, end: int, label: str) -> bool:
        """Forget a rejection (undo); whether there was one."""
        with self.transaction():
            cursor = self.db.execute(
                'DELETE FROM rejections WHERE document_id = ? AND annotator = ? AND start = ? AND "end" = ? '
                "AND label = ?",
                [doc_id, annotator, start, end, label],
            )
        return bool(cursor.rowcount)

    @reads
    def rejections(self, doc_id: str, annotator: str) -> list[Rejection]:
        """The proposals ``annotator`` rejected on ``doc_id``, sorted by (start, end, label)."""
        if not self._has_sources:
            return []
        return [
            Rejection(*row)
            for row in self.db.execute(
                'SELECT document_id, annotator, start, "end", label, source, created FROM rejections '
                'WHERE document_id = ? AND annotator = ? ORDER BY start, "end", label',
                [doc_id, annotator],
            )
        ]

    @reads
    def has_span_sources(self) -> bool:
        """Whether any span was accepted from a suggestion source (a partial index answers)."""
        if not self._has_sources:
            return False
        return self.db.execute("SELECT 1 FROM spans WHERE source IS NOT NULL LIMIT 1").fetchone() is not None

    @reads
    def span_sources(self, doc_id: str) -> dict[str, dict[SpanKey, str]]:
        """Per annotator, the suggestion source of each span of ``doc_id`` that has one."""
        found: dict[str, dict[SpanKey, str]] = {}
        if not self._has_sources:
            return found
        for annotator, start, end, label, source in self.db.execute(
            'SELECT annotator, start, "end", label, source FROM spans '
            "WHERE document_id = ? AND source IS NOT NULL",
            [doc_id],
        ):
            found.setdefault(annotator, {})[(start, end, label)] = source
        return found

    @reads
    def source_tallies(self, annotator: str) -> dict[str, tuple[int, int]]:
        """Per suggestion source: (spans accepted from it, proposals rejected) by ``annotator``."""
        tallies: dict[str, tuple[int, int]] = {}
        if not self._has_sources:
            return tallies
        for source, n in self.db.execute(
            "SELECT source, count(*) FROM spans WHERE annotator = ? AND source IS NOT NULL GROUP BY source",
            [annotator],
        ):
            tallies[source] = (n, 0)
        for source, n in self.db.execute(
            "SELECT source, count(*) FROM rejections WHERE annotator = ? GROUP BY source", [annotator]
        ):
            tallies[source] = (tallies.get(source, (0, 0))[0], n)
        return dict(sorted(tallies.items()))

    # -- labels in use -----------------------------------------------------------------------------

    def delete_label(
        self, name: str, *, reassign_to: str | None = None, delete_spans: bool = False
    ) -> list[Span]:
        """Remove a label. Spans using it are relabelled or deleted; which must be said.

        Returns the spans that were deleted (so the GUI can offer undo).
        """
        labels = self.labels()
        labels.get(name)
        used = self.label_usage(name)
        if used and reassign_to is None and not delete_spans:
            raise LabelError(
                f"label {name!r} is used by {used} span(s): choose a label to move them to, or delete them"
            )
        if reassign_to is not None:
            labels.get(reassign_to)
            if reassign_to == name:
                raise LabelError("cannot move spans to the label being deleted")
        deleted: list[Span] = []
        with self.transaction():
            if used and reassign_to is not None:
                # Spans that would become duplicates of an existing span are removed instead.
                dupes = self.db.execute(
                    """SELECT s.id FROM spans s JOIN spans t
                       ON t.document_id = s.document_id AND t.annotator = s.annotator
                       AND t.start = s.start AND t."end" = s."end" AND t.label = ?
                       WHERE s.label = ?""",
                    [reassign_to, name],
                ).fetchall()
                deleted += self._delete_span_rows([row[0] for row in dupes])
                self.db.execute(
                    "UPDATE spans SET label = ?, updated = ? WHERE label = ?",
                    [reassign_to, now(), name],
                )
            elif used:
                ids = [r[0] for r in self.db.execute("SELECT id FROM spans WHERE label = ?", [name])]
                deleted += self._delete_span_rows(ids)
            self.db.execute("DELETE FROM labels WHERE name = ?", [name])
            remaining = [n for n in labels.names if n != name]
            for position, other in enumerate(remaining):
                self.db.execute("UPDATE labels SET position = ? WHERE name = ?", [position, other])
            self._labels = None
        return deleted

    # -- reviewers' decisions (annotator.core.adjudication) ----------------------------------------

    @reads
    def decisions(
        self, doc_id: str | None = None, a: str | None = None, b: str | None = None
    ) -> list[DecisionRecord]:
        """Recorded decisions: of one document and pair, or (no arguments) all of them."""
        if not self._has_decisions:
            return []
        sql = f"SELECT {_DECISION_COLUMNS} FROM adjudications"
        params: list[str] = []
        if doc_id is not None:
            sql += " WHERE document_id = ? AND a = ? AND b = ?"
            params = [doc_id, a or "", b or ""]
        sql += " ORDER BY document_id, a, b, start, a_span, b_span"
        return [rows.decision(self.path, row) for row in self.db.execute(sql, params).fetchall()]

    @reads
    def find_decision(
        self, doc_id: str, a: str, b: str, key: tuple[SpanKey | None, SpanKey | None]
    ) -> DecisionRecord | None:
        """The decision recorded for one disagreement (its two candidate spans), if any."""
        if not self._has_decisions:
            return None
        row = self.db.execute(
            f"SELECT {_DECISION_COLUMNS} FROM adjudications WHERE document_id = ? AND a = ? AND b = ? "
            "AND a_span = ? AND b_span = ?",
            [doc_id, a, b, _span_key_text(key[0]), _span_key_text(key[1])],
        ).fetchone()
        return rows.decision(self.path, row) if row else None

    def record_decision(self, record: DecisionRecord) -> None:
        """Record (or replace) the decision on one disagreement."""
        with self.transaction():
            self.db.execute(
                f"INSERT OR REPLACE INTO adjudications ({_DECISION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    record.document_id,
                    record.a,
                    record.b,
                    _span_key_text(record.a_span),
                    _span_key_text(record.b_span),
                    record.start,
                    record.end,
                    record.kind,
                    record.decision.value,
                    json.dumps([list(s) for s in record.result], ensure_ascii=False),
                    record.decided_at,
                ],
            )

    def forget_decision(
        self, doc_id: str, a: str, b: str, key: tuple[SpanKey | None, SpanKey | None]
    ) -> None:
        """Remove the decision recorded for one disagreement (undo of a first decision)."""
        with self.transaction():
            self.db.execute(
                "DELETE FROM adjudications WHERE document_id = ? AND a = ? AND b = ? AND a_span = ? "
                "AND b_span = ?",
                [doc_id, a, b, _span_key_text(key[0]), _span_key_text(key[1])],
            )
