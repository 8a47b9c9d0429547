"""The schema of a project file and its upgrades, applied all at once or not at all.

A project records the upgrades (migrations) it has had in ``_sqlite_migrations``, the table
sqlite-utils' ``Migrations`` keeps (same columns, same migration-set name, so ``sqlite-utils
migrate`` reads it too), and its schema version in ``PRAGMA user_version``. Every pending
migration, its record and the new version are written in ONE transaction, so a kill at any
moment leaves the old schema or the new one, never a mix.

Earlier versions committed each migration on its own and wrote the version after them; a kill
in between left "current schema, old version number". :func:`plan` recognises such files (and
those upgraded part of the way) from the recorded migrations: readers read them as they are, and
the next write-open finishes the job.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils
from sqlite_utils.migrations import Migrations

from annotator import APP_ID
from annotator.core.store import facts

#: ``PRAGMA application_id`` of every Annotator project ("ANNO" in ASCII).
APPLICATION_ID = 0x414E4E4F
#: Where the applied migrations are recorded (sqlite-utils' table).
MIGRATIONS_TABLE = "_sqlite_migrations"


@dataclass(frozen=True)
class Migration:
    """One schema upgrade: its recorded name and the statements it runs, in order.

    ``fill`` runs after the statements, on the same connection and inside the same transaction,
    for what SQL alone cannot compute (a text's length in code points when it holds a NUL).
    """

    name: str
    statements: tuple[str, ...]
    why: str = ""
    fill: Callable[[sqlite3.Connection], None] | None = None


#: The upgrades, oldest first; the schema version is the number applied.
MIGRATION_STEPS: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        (
            """CREATE TABLE project_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
            """CREATE TABLE documents (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                text TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                source TEXT NOT NULL DEFAULT '',
                meta TEXT NOT NULL DEFAULT '{}',
                position INTEGER NOT NULL,
                created TEXT NOT NULL
            )""",
            """CREATE TABLE labels (
                name TEXT PRIMARY KEY,
                color TEXT NOT NULL,
                hotkey TEXT UNIQUE,
                position INTEGER NOT NULL
            )""",
            """CREATE TABLE annotators (
                name TEXT PRIMARY KEY,
                created TEXT NOT NULL
            )""",
            """CREATE TABLE spans (
                id INTEGER PRIMARY KEY,
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                annotator TEXT NOT NULL REFERENCES annotators(name) ON UPDATE CASCADE,
                start INTEGER NOT NULL CHECK (start >= 0),
                "end" INTEGER NOT NULL CHECK ("end" > start),
                label TEXT NOT NULL REFERENCES labels(name) ON UPDATE CASCADE,
                note TEXT,
                created TEXT NOT NULL,
                updated TEXT NOT NULL,
                UNIQUE (document_id, annotator, start, "end", label)
            )""",
            "CREATE INDEX spans_by_layer ON spans (document_id, annotator, start)",
            "CREATE INDEX spans_by_label ON spans (label)",
            """CREATE TABLE status (
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                annotator TEXT NOT NULL REFERENCES annotators(name) ON UPDATE CASCADE,
                status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
                updated TEXT NOT NULL,
                PRIMARY KEY (document_id, annotator)
            )""",
        ),
    ),
    Migration(
        "0002_adjudication",
        (
            """CREATE TABLE adjudications (
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                a_span TEXT NOT NULL,
                b_span TEXT NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                kind TEXT NOT NULL,
                decision TEXT NOT NULL CHECK (decision IN ('a', 'b', 'both', 'neither', 'edit')),
                result TEXT NOT NULL DEFAULT '[]',
                decided_at TEXT NOT NULL,
                PRIMARY KEY (document_id, a, b, a_span, b_span)
            )""",
        ),
        "Reviewers' decisions on disagreements between two layers (annotator.core.adjudication).",
    ),
    Migration(
        "0003_drop_redundant_span_index",
        ("DROP INDEX IF EXISTS spans_by_layer",),
        "The UNIQUE (document_id, annotator, start, end, label) index already serves layer reads in "
        "order; a second index on its prefix only slowed every span insert (about 9 % of a bulk import).",
    ),
    Migration(
        "0004_span_ids_never_reused",
        (
            """CREATE TABLE spans_new (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                annotator TEXT NOT NULL REFERENCES annotators(name) ON UPDATE CASCADE,
                start INTEGER NOT NULL CHECK (start >= 0),
                "end" INTEGER NOT NULL CHECK ("end" > start),
                label TEXT NOT NULL REFERENCES labels(name) ON UPDATE CASCADE,
                note TEXT,
                created TEXT NOT NULL,
                updated TEXT NOT NULL,
                UNIQUE (document_id, annotator, start, "end", label)
            )""",
            'INSERT INTO spans_new (id, document_id, annotator, start, "end", label, note, created, updated) '
            'SELECT id, document_id, annotator, start, "end", label, note, created, updated FROM spans',
            "DROP TABLE spans",
            "ALTER TABLE spans_new RENAME TO spans",
            "CREATE INDEX spans_by_label ON spans (label)",
            "CREATE INDEX documents_in_order ON documents (position, id)",
        ),
        "Span ids are never handed out twice (AUTOINCREMENT), so undo can restore a deleted span under "
        "its own id even after new spans were made; documents are found in order by index.",
    ),
    Migration(
        "0005_suggestion_sources",
        (
            "ALTER TABLE spans ADD COLUMN source TEXT",
            """CREATE TABLE rejections (
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                annotator TEXT NOT NULL REFERENCES annotators(name) ON UPDATE CASCADE,
                start INTEGER NOT NULL CHECK (start >= 0),
                "end" INTEGER NOT NULL CHECK ("end" > start),
                label TEXT NOT NULL REFERENCES labels(name) ON UPDATE CASCADE ON DELETE CASCADE,
                source TEXT NOT NULL,
                created TEXT NOT NULL,
                PRIMARY KEY (document_id, annotator, start, "end", label)
            )""",
            "CREATE INDEX spans_with_source ON spans (document_id) WHERE source IS NOT NULL",
        ),
        "Where each span came from (NULL: made by hand; else the suggestion source that proposed it, "
        "e.g. memory, patterns:default, model:NAME@VERSION) and the proposals an annotator rejected "
        "(never proposed to them again on that document; the negative examples).",
    ),
    Migration(
        "0006_document_list_facts",
        (*facts.TABLES, *facts.FILL, *facts.TRIGGERS.values()),
        "Per-document and per-layer facts (length, title, status, span count) kept by triggers as "
        "writes happen, so the document list, its status filter and 'next unfinished' read small "
        "indexes instead of counting every span and measuring every text "
        "(annotator.core.store.facts).",
        fill=facts.fill_lengths,
    ),
)

#: The schema version this code writes: one per migration.
SCHEMA_VERSION = len(MIGRATION_STEPS)
MIGRATION_NAMES: tuple[str, ...] = tuple(step.name for step in MIGRATION_STEPS)

#: Tables every Annotator project of the current schema has.
REQUIRED_TABLES = frozenset(
    {
        "project_meta",
        "documents",
        "labels",
        "annotators",
        "spans",
        "status",
        "adjudications",
        "rejections",
        "document_facts",
        "layer_facts",
    }
)
#: Tables a later migration added: the number of migrations after which a file has them.
TABLES_SINCE = {"adjudications": 2, "rejections": 5, "document_facts": 6, "layer_facts": 6}


def _runner(step: Migration) -> Callable[[sqlite_utils.Database], None]:
    def run(db: sqlite_utils.Database) -> None:
        for statement in step.statements:
            db.execute(statement)
        if step.fill is not None:
            step.fill(db.conn)

    run.__name__ = step.name
    run.__doc__ = step.why or None
    return run


#: The same steps as sqlite-utils ``Migrations`` (for ``sqlite-utils migrate`` and for tests that
#: build the files older versions wrote). Annotator itself applies them with :func:`migrate`.
MIGRATIONS = Migrations(APP_ID)
for _step in MIGRATION_STEPS:
    MIGRATIONS(name=_step.name)(_runner(_step))


@dataclass(frozen=True)
class FileState:
    """What the header and the migration record of a project file say (read without writing)."""

    application_id: int
    user_version: int
    tables: frozenset[str]
    #: Names in ``_sqlite_migrations`` for Annotator's set, in order; None without the table.
    applied: tuple[str, ...] | None
    triggers: frozenset[str] = frozenset()

    @property
    def has_facts(self) -> bool:
        """The document-list facts are there and kept up to date (:mod:`~annotator.core.store.facts`)."""
        return {"document_facts", "layer_facts"} <= self.tables and set(facts.TRIGGERS) <= self.triggers


@dataclass(frozen=True)
class Plan:
    """What opening a file of some :class:`FileState` takes."""

    #: Migrations still to apply (none: the schema is current).
    pending: tuple[Migration, ...]
    #: The version number must be (re)written: an upgrade, or one killed before it recorded it.
    set_version: bool

    @property
    def readable(self) -> bool:
        """Readers can read the file as it is: every schema since the first holds the same
        documents, labels, annotators, spans and status (decisions came with the second)."""
        return len(self.pending) < SCHEMA_VERSION


class RefusedFile(Exception):
    """The file must not be opened; ``str()`` says why (without the path)."""


def read_state(conn: sqlite3.Connection) -> FileState:
    """The :class:`FileState` of an open database (reads only)."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    names = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')").fetchall()
    tables = frozenset(name for kind, name in names if kind == "table")
    triggers = frozenset(name for kind, name in names if kind == "trigger")
    applied: tuple[str, ...] | None = None
    if MIGRATIONS_TABLE in tables:
        applied = tuple(
            row[0]
            for row in conn.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [APP_ID]
            )
        )
    return FileState(app_id, version, tables, applied, triggers)


def plan(state: FileState) -> Plan:
    """What it takes to bring an existing file of ``state`` to :data:`SCHEMA_VERSION`.

    Raises :class:`RefusedFile` for a file that is not ours, newer, or inconsistent, so it is
    never written to. (A new project is made by :func:`migrate` with every step.)
    """
    if state.application_id != APPLICATION_ID:
        raise RefusedFile("not an Annotator project (an SQLite database of another application)")
    applied = state.applied or ()
    unknown = [name for name in applied if name not in MIGRATION_NAMES]
    if state.user_version > SCHEMA_VERSION or unknown:
        found = f"schema {state.user_version}" + (
            f", unknown migrations {', '.join(unknown)}" if unknown else ""
        )
        raise RefusedFile(
            f"written by a newer Annotator ({found}; this version understands up to schema "
            f"{SCHEMA_VERSION}); upgrade Annotator to open it"
        )
    if state.applied is None:
        raise RefusedFile(
            f"the project file is damaged (its record of schema upgrades, {MIGRATIONS_TABLE}, is "
            "missing); it was left as it is - restore it from a backup"
        )
    done = len(applied)
    if tuple(applied) != MIGRATION_NAMES[:done] or state.user_version > done:
        raise RefusedFile(
            f"the project file is damaged (schema {state.user_version} with the upgrades "
            f"{', '.join(applied) or 'none'} recorded); it was left as it is - restore it from a backup"
        )
    required = {table for table in REQUIRED_TABLES if done >= TABLES_SINCE.get(table, 1)}
    if done and not required <= state.tables:
        missing = ", ".join(sorted(required - state.tables))
        raise RefusedFile(f"the project file is damaged (missing tables: {missing})")
    return Plan(MIGRATION_STEPS[done:], state.user_version != SCHEMA_VERSION)


def _ensure_migrations_table(db: sqlite_utils.Database) -> None:
    """The table as sqlite-utils creates it (so its own tools read our record)."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS [{MIGRATIONS_TABLE}] "
        "([id] INTEGER PRIMARY KEY, [migration_set] TEXT, [name] TEXT, [applied_at] TEXT)"
    )
    db.execute(
        f"CREATE UNIQUE INDEX IF NOT EXISTS [idx_{MIGRATIONS_TABLE}_migration_set_name] "
        f"ON [{MIGRATIONS_TABLE}] ([migration_set], [name])"
    )


def migrate(db: sqlite_utils.Database, steps: Sequence[Migration]) -> None:
    """Apply ``steps``, record them and write the current version and application id.

    The caller holds the write transaction (``BEGIN IMMEDIATE``) and commits it: all of this
    lands in the file at once, or none of it.
    """
    if steps:
        _ensure_migrations_table(db)
    for step in steps:
        for statement in step.statements:
            db.execute(statement)
        if step.fill is not None:
            step.fill(db.conn)
        db.execute(
            f"INSERT INTO [{MIGRATIONS_TABLE}] (migration_set, name, applied_at) VALUES (?, ?, ?)",
            [APP_ID, step.name, str(datetime.now(timezone.utc))],
        )
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "MIGRATION_STEPS",
    "REQUIRED_TABLES",
    "SCHEMA_VERSION",
    "FileState",
    "Migration",
    "Plan",
    "RefusedFile",
    "migrate",
    "plan",
    "read_state",
]
