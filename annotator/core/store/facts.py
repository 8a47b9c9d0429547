"""Facts the document list needs, kept up to date by SQLite itself as every write happens.

A project of 100,000 documents and 10,000,000 spans took seconds to list: every open counted
every span (``GROUP BY document_id, annotator``) and measured every text. Two small tables
hold those answers instead:

- ``document_facts``: per document its position, title and length in code points, keyed in
  list order (``position, document_id``), so a page of the list is one index range;
- ``layer_facts``: per (document, annotator) layer its recorded status (NULL: none) and its
  number of spans, indexed by (annotator, status, position) so the status filter, progress
  counts and "next unfinished" are index ranges too. A row exists exactly while its layer has a
  span or a status.

Triggers on ``documents``, ``spans`` and ``status`` keep both tables equal to what recounting
would give, inside the same transaction as the write: every write path (the store's own, a bulk
import, another program writing the file with sqlite3) updates them or rolls back with them. The
one exception is :meth:`~annotator.core.store.Project.bulk_transaction`, which sets the span
counting trigger aside for its own transaction and counts each imported layer itself (one
statement per layer instead of one per span); the trigger is back before that transaction
commits, and a kill rolls both back. ``tests/core/test_facts.py`` compares the tables with
:data:`RECOUNT_LAYERS` / :data:`RECOUNT_DOCUMENTS` after random operation sequences and after
killed transactions.

A migration that rebuilds ``documents``, ``spans`` or ``status`` (which drops their triggers)
must run :data:`TRIGGERS` again.

What the triggers cannot do in SQL, Python does: SQLite's ``length()`` stops at a NUL
character, so a text holding one gets length NULL from the trigger and its length is written by
:func:`fill_lengths` (the store calls it after adding such a document; a reader measures a NULL
length itself).
"""

from __future__ import annotations

import sqlite3

#: A text's length in code points, or NULL where SQL cannot measure it (a NUL inside, not text).
_LENGTH = "CASE WHEN typeof({0}) = 'text' AND instr({0}, char(0)) = 0 THEN length({0}) END"
#: A document's position as the list sorts it (a NULL written by another program sorts first).
_POSITION = "coalesce({0}, -1)"

TABLES: tuple[str, ...] = (
    """CREATE TABLE document_facts (
        position INTEGER NOT NULL,
        document_id TEXT NOT NULL,
        title,
        length INTEGER,
        PRIMARY KEY (position, document_id)
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX document_facts_by_id ON document_facts (document_id)",
    """CREATE TABLE layer_facts (
        document_id TEXT NOT NULL,
        annotator TEXT NOT NULL,
        position INTEGER NOT NULL,
        status,
        spans INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (document_id, annotator)
    ) WITHOUT ROWID""",
    "CREATE INDEX layer_facts_by_status ON layer_facts (annotator, status, position, document_id)",
)

#: A layer gained a span: its row is made (at its document's position) or counted up.
_COUNT_UP = """
    INSERT INTO layer_facts (document_id, annotator, position, status, spans)
        SELECT {doc}, {annotator}, f.position, NULL, {count} FROM document_facts f
        WHERE f.document_id = {doc} AND true
        ON CONFLICT (document_id, annotator) DO UPDATE SET spans = spans + excluded.spans;"""
#: A layer lost a span: counted down, and gone once it has neither spans nor a status.
_COUNT_DOWN = """
    UPDATE layer_facts SET spans = spans - 1 WHERE document_id = {doc} AND annotator = {annotator};
    DELETE FROM layer_facts WHERE document_id = {doc} AND annotator = {annotator}
        AND spans = 0 AND status IS NULL;"""
#: A layer's status was recorded (or changed).
_STATUS_SET = """
    INSERT INTO layer_facts (document_id, annotator, position, status, spans)
        SELECT {doc}, {annotator}, f.position, {status}, 0 FROM document_facts f
        WHERE f.document_id = {doc} AND true
        ON CONFLICT (document_id, annotator) DO UPDATE SET status = excluded.status;"""
#: A layer's status was removed.
_STATUS_CLEARED = """
    UPDATE layer_facts SET status = NULL WHERE document_id = {doc} AND annotator = {annotator};
    DELETE FROM layer_facts WHERE document_id = {doc} AND annotator = {annotator}
        AND spans = 0 AND status IS NULL;"""
_DOCUMENT_SET = """
    INSERT OR REPLACE INTO document_facts (position, document_id, title, length)
        VALUES ({position}, NEW.id, NEW.title, {length});"""

_NEW = {"doc": "NEW.document_id", "annotator": "NEW.annotator"}
_OLD = {"doc": "OLD.document_id", "annotator": "OLD.annotator"}

#: The trigger that counts spans one by one (set aside by bulk imports, see the module doc).
SPAN_ADDED_TRIGGER = "facts_span_added"
SPAN_ADDED = (
    f"CREATE TRIGGER {SPAN_ADDED_TRIGGER} AFTER INSERT ON spans BEGIN"
    + _COUNT_UP.format(**_NEW, count=1)
    + "\nEND"
)

#: :data:`SPAN_ADDED`'s work for ``?3`` spans added to layer (``?1`` document, ``?2`` annotator),
#: for writes made while it is set aside.
COUNT_UP = _COUNT_UP.format(doc="?1", annotator="?2", count="?3").strip()

#: Every trigger that keeps the facts, by name.
TRIGGERS: dict[str, str] = {
    "facts_document_added": "CREATE TRIGGER facts_document_added AFTER INSERT ON documents BEGIN"
    + _DOCUMENT_SET.format(position=_POSITION.format("NEW.position"), length=_LENGTH.format("NEW.text"))
    + "\nEND",
    "facts_document_changed": "CREATE TRIGGER facts_document_changed "
    "AFTER UPDATE OF id, title, text, position ON documents BEGIN"
    "\n    DELETE FROM document_facts WHERE document_id = OLD.id;"
    + _DOCUMENT_SET.format(position=_POSITION.format("NEW.position"), length=_LENGTH.format("NEW.text"))
    + "\n    UPDATE layer_facts SET position = "
    + _POSITION.format("NEW.position")
    + " WHERE document_id = NEW.id;"
    "\n    DELETE FROM layer_facts WHERE document_id = OLD.id AND OLD.id IS NOT NEW.id;\nEND",
    "facts_document_removed": "CREATE TRIGGER facts_document_removed AFTER DELETE ON documents BEGIN"
    "\n    DELETE FROM document_facts WHERE document_id = OLD.id;"
    "\n    DELETE FROM layer_facts WHERE document_id = OLD.id;\nEND",
    SPAN_ADDED_TRIGGER: SPAN_ADDED,
    "facts_span_removed": "CREATE TRIGGER facts_span_removed AFTER DELETE ON spans BEGIN"
    + _COUNT_DOWN.format(**_OLD)
    + "\nEND",
    "facts_span_moved": "CREATE TRIGGER facts_span_moved AFTER UPDATE OF document_id, annotator ON spans "
    "WHEN OLD.document_id IS NOT NEW.document_id OR OLD.annotator IS NOT NEW.annotator BEGIN"
    + _COUNT_DOWN.format(**_OLD)
    + _COUNT_UP.format(**_NEW, count=1)
    + "\nEND",
    "facts_status_added": "CREATE TRIGGER facts_status_added AFTER INSERT ON status BEGIN"
    + _STATUS_SET.format(**_NEW, status="NEW.status")
    + "\nEND",
    "facts_status_changed": "CREATE TRIGGER facts_status_changed AFTER UPDATE ON status "
    "WHEN OLD.document_id IS NEW.document_id AND OLD.annotator IS NEW.annotator BEGIN"
    + _STATUS_SET.format(**_NEW, status="NEW.status")
    + "\nEND",
    "facts_status_moved": "CREATE TRIGGER facts_status_moved AFTER UPDATE ON status "
    "WHEN OLD.document_id IS NOT NEW.document_id OR OLD.annotator IS NOT NEW.annotator BEGIN"
    + _STATUS_CLEARED.format(**_OLD)
    + _STATUS_SET.format(**_NEW, status="NEW.status")
    + "\nEND",
    "facts_status_removed": "CREATE TRIGGER facts_status_removed AFTER DELETE ON status BEGIN"
    + _STATUS_CLEARED.format(**_OLD)
    + "\nEND",
}

#: Fill the tables from the project as it is (the migration, and a rebuild).
FILL: tuple[str, ...] = (
    "INSERT INTO document_facts (position, document_id, title, length) SELECT "
    + _POSITION.format("position")
    + ", id, title, "
    + _LENGTH.format("text")
    + " FROM documents",
    # Span counts straight from the (document_id, annotator, ...) UNIQUE index: no sort.
    "INSERT INTO layer_facts (document_id, annotator, position, status, spans) "
    "SELECT s.document_id, s.annotator, f.position, NULL, count(*) FROM spans s "
    "JOIN document_facts f ON f.document_id = s.document_id GROUP BY s.document_id, s.annotator",
    "INSERT INTO layer_facts (document_id, annotator, position, status, spans) "
    "SELECT s.document_id, s.annotator, f.position, s.status, 0 FROM status s "
    "JOIN document_facts f ON f.document_id = s.document_id WHERE true "
    "ON CONFLICT (document_id, annotator) DO UPDATE SET status = excluded.status",
)

#: What ``layer_facts`` must hold, counted afresh: (document_id, annotator, position, status, spans).
RECOUNT_LAYERS = (
    "SELECT l.document_id, l.annotator, f.position, "
    "(SELECT status FROM status s WHERE s.document_id = l.document_id AND s.annotator = l.annotator), "
    "(SELECT count(*) FROM spans s WHERE s.document_id = l.document_id AND s.annotator = l.annotator) "
    "FROM (SELECT document_id, annotator FROM spans UNION SELECT document_id, annotator FROM status) l "
    "JOIN document_facts f ON f.document_id = l.document_id ORDER BY 1, 2"
)
#: What ``layer_facts`` holds, in the same form.
KEPT_LAYERS = "SELECT document_id, annotator, position, status, spans FROM layer_facts ORDER BY 1, 2"
#: What ``document_facts`` must hold, measured afresh (NUL-holding texts measured in Python).
RECOUNT_DOCUMENTS = (
    "SELECT " + _POSITION.format("position") + ", id, title, text FROM documents ORDER BY 1, 2"
)
#: What ``document_facts`` holds.
KEPT_DOCUMENTS = "SELECT position, document_id, title, length FROM document_facts ORDER BY 1, 2"


def fill_lengths(conn: sqlite3.Connection) -> None:
    """Write the lengths SQL could not measure: texts holding a NUL (a damaged, non-text one
    keeps NULL, and whoever reads it is told)."""
    for doc_id, text in conn.execute(
        "SELECT d.id, d.text FROM document_facts f JOIN documents d ON d.id = f.document_id "
        "WHERE f.length IS NULL AND typeof(d.text) = 'text'"
    ).fetchall():
        conn.execute("UPDATE document_facts SET length = ? WHERE document_id = ?", [len(text), doc_id])


def recount(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(document facts, layer facts) as counting the project afresh gives them."""
    documents: list[tuple[object, ...]] = [
        (position, doc_id, title, len(text) if type(text) is str else None)
        for position, doc_id, title, text in conn.execute(RECOUNT_DOCUMENTS)
    ]
    return documents, [tuple(row) for row in conn.execute(RECOUNT_LAYERS)]


def kept(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(document facts, layer facts) as the tables hold them."""
    return (
        [tuple(row) for row in conn.execute(KEPT_DOCUMENTS)],
        [tuple(row) for row in conn.execute(KEPT_LAYERS)],
    )


def rebuild(conn: sqlite3.Connection) -> None:
    """Count everything afresh and put every trigger back (inside the caller's transaction)."""
    existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name in TRIGGERS:
        if name in existing:
            conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DELETE FROM document_facts")
    conn.execute("DELETE FROM layer_facts")
    for statement in FILL:
        conn.execute(statement)
    fill_lengths(conn)
    for sql in TRIGGERS.values():
        conn.execute(sql)


__all__ = [
    "COUNT_UP",
    "FILL",
    "KEPT_DOCUMENTS",
    "KEPT_LAYERS",
    "RECOUNT_DOCUMENTS",
    "RECOUNT_LAYERS",
    "SPAN_ADDED",
    "SPAN_ADDED_TRIGGER",
    "TABLES",
    "TRIGGERS",
    "fill_lengths",
    "kept",
    "rebuild",
    "recount",
]
