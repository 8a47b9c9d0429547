"""The project file: one SQLite database per project, written through sqlite-utils.

Every public method that changes anything runs in one transaction (``db.atomic()``) and has
committed when it returns, so a caller (CLI or GUI) may show the change as saved.

A file is opened only after a read-only look has shown that it is an Annotator project of a
schema this code understands (or a new, empty file). A foreign, damaged or newer file is refused
and left byte-for-byte unchanged.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from annotator import APP_ID
from annotator.core.errors import (
    AnnotatorError,
    DocumentError,
    LabelError,
    ProjectBusyError,
    ProjectError,
    ProjectWriteError,
    SpanError,
)
from annotator.core.model import (
    GOLD_LAYER,
    HOTKEYS,
    UNCHANGED,
    Document,
    DocumentSummary,
    Label,
    LabelSet,
    Span,
    Status,
    Unchanged,
    content_hash,
    default_label_set,
    label_palette,
    validate_annotator_name,
    validate_label_name,
    validate_span,
)

#: ``PRAGMA application_id`` of every Annotator project ("ANNO" in ASCII).
APPLICATION_ID = 0x414E4E4F

MIGRATIONS = Migrations(APP_ID)


@MIGRATIONS(name="0001_initial")
def _initial_schema(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE project_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            meta TEXT NOT NULL DEFAULT '{}',
            position INTEGER NOT NULL,
            created TEXT NOT NULL
        );
        CREATE TABLE labels (
            name TEXT PRIMARY KEY,
            color TEXT NOT NULL,
            hotkey TEXT UNIQUE,
            position INTEGER NOT NULL
        );
        CREATE TABLE annotators (
            name TEXT PRIMARY KEY,
            created TEXT NOT NULL
        );
        CREATE TABLE spans (
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
        );
        CREATE INDEX spans_by_layer ON spans (document_id, annotator, start);
        CREATE INDEX spans_by_label ON spans (label);
        CREATE TABLE status (
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name) ON UPDATE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
            updated TEXT NOT NULL,
            PRIMARY KEY (document_id, annotator)
        );
        """
    )


@MIGRATIONS(name="0002_adjudication")
def _adjudication(db: sqlite_utils.Database) -> None:
    """Reviewers' decisions on disagreements between two layers (annotator.core.adjudication)."""
    db.executescript(
        """
        CREATE TABLE adjudications (
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
        );
        """
    )


@MIGRATIONS(name="0003_drop_redundant_span_index")
def _drop_redundant_span_index(db: sqlite_utils.Database) -> None:
    """The UNIQUE (document_id, annotator, start, end, label) index already serves layer reads in
    order; a second index on its prefix only slowed every span insert (about 9 % of a bulk import)."""
    db.execute("DROP INDEX IF EXISTS spans_by_layer")


@MIGRATIONS(name="0004_span_ids_never_reused")
def _span_ids_never_reused(db: sqlite_utils.Database) -> None:
    """Span ids are never handed out twice (AUTOINCREMENT), so undo can restore a deleted span
    under its own id even after new spans were made; documents are found in order by index."""
    db.executescript(
        """
        CREATE TABLE spans_new (
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
        );
        INSERT INTO spans_new (id, document_id, annotator, start, "end", label, note, created, updated)
            SELECT id, document_id, annotator, start, "end", label, note, created, updated FROM spans;
        DROP TABLE spans;
        ALTER TABLE spans_new RENAME TO spans;
        CREATE INDEX spans_by_label ON spans (label);
        CREATE INDEX documents_in_order ON documents (position, id);
        """
    )


#: Row counts of the multi-row INSERTs that :meth:`Project.import_layer` uses (largest first).
_BULK_SIZES = (64, 16, 4, 1)
#: Page cache of :meth:`Project.bulk_transaction`, in KiB.
_BULK_CACHE_KIB = 64 * 1024


@lru_cache(maxsize=len(_BULK_SIZES))
def _bulk_insert_sql(rows: int) -> str:
    """INSERT OR IGNORE of ``rows`` spans: ?1 document, ?2 annotator, ?3 time, then 4 per span."""
    values = ",".join(
        f"(?1, ?2, ?{4 * i + 4}, ?{4 * i + 5}, ?{4 * i + 6}, ?{4 * i + 7}, ?3, ?3)" for i in range(rows)
    )
    return (
        'INSERT OR IGNORE INTO spans (document_id, annotator, start, "end", label, note, created, updated) '
        f"VALUES {values}"
    )


#: The schema version this code writes: one per migration.
SCHEMA_VERSION = len(MIGRATIONS._migrations)


def now() -> str:
    """A UTC timestamp with milliseconds, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


@dataclass(frozen=True)
class NewSpan:
    """A span to be created (no id yet)."""

    document_id: str
    annotator: str
    start: int
    end: int
    label: str
    note: str | None = None


def read_only_uri(path: Path) -> str:
    """URI of a read-only SQLite connection to ``path`` that leaves no file beside it.

    A ``mode=ro`` connection to a WAL-mode database creates ``-wal`` and ``-shm`` files and, being
    read-only, cannot remove them again. Without a ``-wal`` file the database file is complete,
    and ``immutable=1`` reads it without either.
    """
    resolved = path.resolve()
    uri = resolved.as_uri() + "?mode=ro"
    if not Path(f"{resolved}-wal").exists():
        uri += "&immutable=1"
    return uri


def _process_alive(pid: str) -> bool:
    """Whether process ``pid`` (a decimal string) is still running; False for anything else."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _remove_database_files(path: Path) -> None:
    """Remove ``path`` and its ``-wal``/``-shm``/``-journal`` companions, if any."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


#: Tables every Annotator project of the current schema has.
_REQUIRED_TABLES = frozenset(
    {"project_meta", "documents", "labels", "annotators", "spans", "status", "adjudications"}
)


def inspect_file(path: Path, *, check: bool = False) -> tuple[int, int]:
    """Read (application_id, user_version) without writing anything; raise if not SQLite.

    ``check`` also runs SQLite's ``quick_check`` (about 1 ms per MB) and, for an Annotator
    project, looks for its tables, so a damaged file is refused before anything writes to it.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read the project file: {exc.strerror}") from exc
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise ProjectError(f"{path}: not an Annotator project (not an SQLite database)")
    uri = read_only_uri(path)
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")] if check else ["ok"]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: the project file is damaged or unreadable ({exc})") from exc
    if problems != ["ok"]:
        found = "; ".join(line.strip() for problem in problems for line in str(problem).splitlines())
        raise ProjectError(
            f"{path}: the project file is damaged ({found.replace('*** in database main *** ', '')}); "
            "it was left as it is - restore it from a backup"
        )
    if check and app_id == APPLICATION_ID and version == SCHEMA_VERSION and not _REQUIRED_TABLES <= tables:
        missing = ", ".join(sorted(_REQUIRED_TABLES - tables))
        raise ProjectError(f"{path}: the project file is damaged (missing tables: {missing})")
    return app_id, version


#: How long a write waits for another program's write (an import, a second window) to finish.
DEFAULT_BUSY_TIMEOUT_MS = 5000

#: SQLite primary result codes that :func:`save_error` explains.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL = (
    5,
    6,
    8,
    10,
    11,
    13,
)


def save_error(path: Path | None, exc: sqlite3.Error, busy_timeout_ms: int) -> ProjectError:
    """The user's explanation of why a write failed; the change was rolled back in every case."""
    where = path or "project"
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return ProjectBusyError(
            f"{where}: another program is writing to this project (an import, or Annotator open "
            f"twice) and did not finish within {busy_timeout_ms / 1000:g} s; the change was not "
            "saved - try again in a moment"
        )
    if code == _SQLITE_FULL:
        return ProjectWriteError(f"{where}: the disk is full; the change was not saved ({exc})")
    if code == _SQLITE_READONLY:
        return ProjectWriteError(
            f"{where}: the project file or its folder is read-only; the change was not saved ({exc})"
        )
    if code in (_SQLITE_IOERR, _SQLITE_CORRUPT):
        return ProjectWriteError(f"{where}: the disk refused the write; the change was not saved ({exc})")
    return ProjectWriteError(f"{where}: could not save: {exc}")


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a schema-``version`` project is kept before it is upgraded."""
    candidate = path.with_name(f"{path.name}.schema-{version}.backup")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.schema-{version}.backup-{number}")
    return candidate


def _check_writable(path: Path) -> None:
    """Refuse, before SQLite tries, a project it could open but never save to."""
    if not os.access(path, os.R_OK):
        raise ProjectError(f"{path}: cannot read the project file (permission denied)")
    if not os.access(path, os.W_OK):
        raise ProjectError(
            f"{path}: the project file is read-only; Annotator saves every change at once, so it "
            "opens only files it can write (make it writable, or work on a copy; "
            "'annotator --db FILE export/stats/agree' still read it)"
        )
    folder = path.parent
    if not Path(f"{path}-wal").exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise ProjectError(
            f"{path}: the folder {folder} is read-only; Annotator keeps its journal "
            f"({path.name}-wal) beside the project file and cannot create it there (move the "
            "project to a writable folder)"
        )


class Project:
    """An open project file; the only code that talks SQL."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        path: Path | None,
        *,
        readonly: bool = False,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        self.db = db
        self.path = path
        self.readonly = readonly
        self.busy_timeout_ms = busy_timeout_ms
        self._labels: LabelSet | None = None
        self._text_cache: tuple[str, str] | None = None
        self._data_version = self._read_data_version()

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        readonly: bool = False,
        seed: Callable[[], Iterable[DocumentInput]] | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> Project:
        """Open an existing project or create a new one at ``path``.

        Refuses (with :class:`ProjectError`, leaving the file untouched) anything that is not an
        Annotator project, one written by a newer schema version, an empty file, and a file
        that could be read but not saved to. A new project is built beside ``path`` (with the
        documents ``seed`` returns, if given) and moved into place only when complete, so a
        crash never leaves a half-made project. Before an older project's schema is upgraded
        a copy of it is written next to it (:func:`backup_path`).

        ``readonly`` opens an existing project for reading only (export, statistics,
        agreement): read-only files and folders are fine, and nothing is ever written.
        """
        path = Path(path)
        if path.is_dir():
            raise ProjectError(f"{path}: is a folder, not a project file")
        if not path.exists():
            if readonly or not create:
                raise ProjectError(f"{path}: no such project file")
            cls._create(path, seed, busy_timeout_ms)
        elif path.stat().st_size == 0:
            raise ProjectError(
                f"{path}: the file is empty (0 bytes), not an Annotator project; it was left as it "
                "is (delete it, or choose another name for a new project)"
            )
        app_id, version = inspect_file(path, check=True)
        if app_id != APPLICATION_ID:
            raise ProjectError(
                f"{path}: not an Annotator project (an SQLite database of another application)"
            )
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{path}: written by a newer Annotator (schema {version}, this version "
                f"understands up to {SCHEMA_VERSION}); upgrade Annotator to open it"
            )
        if readonly:
            return cls._open_readonly(path, version, busy_timeout_ms)
        _check_writable(path)
        try:
            db = sqlite_utils.Database(path)
            cls._configure(db, busy_timeout_ms)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{path}: cannot open the project: {exc}") from exc
        project = cls(db, path, busy_timeout_ms=busy_timeout_ms)
        try:
            project._upgrade(version)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise ProjectError(f"{path}: the project file is damaged or unreadable ({exc})") from exc
        except BaseException:
            db.close()
            raise
        return project

    @staticmethod
    def _configure(db: sqlite_utils.Database, busy_timeout_ms: int) -> None:
        """WAL (readers never wait for a writer), FULL sync (a commit survives power loss)."""
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")

    @classmethod
    def _create(
        cls, path: Path, seed: Callable[[], Iterable[DocumentInput]] | None, busy_timeout_ms: int
    ) -> None:
        """Build a complete new project beside ``path``, then link it into place.

        If another process created ``path`` meanwhile, its project wins and ours is dropped.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectError(f"{path}: cannot create the project folder: {exc}") from exc
        for stale in path.parent.glob(f".{path.name}.creating-*"):
            if not _process_alive(stale.name.rsplit("-", 1)[-1]):
                _remove_database_files(stale)  # left by a creator that was killed
        staging = path.with_name(f".{path.name}.creating-{os.getpid()}")
        _remove_database_files(staging)
        try:
            db = sqlite_utils.Database(staging)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{path}: cannot create the project: {exc}") from exc
        try:
            cls._configure(db, busy_timeout_ms)
            project = cls(db, staging, busy_timeout_ms=busy_timeout_ms)
            project._migrate(fresh=True)
            if seed is not None:
                project.add_documents(seed())
            db.close()
            try:
                os.link(staging, path)
            except FileExistsError:
                pass  # created by another process meanwhile: open that one
            except OSError:
                # No hard links here (some network or FAT file systems): move it instead.
                if not path.exists():
                    os.replace(staging, path)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{path}: cannot create the project: {exc}") from exc
        except OSError as exc:
            raise ProjectError(f"{path}: cannot create the project: {exc.strerror or exc}") from exc
        finally:
            db.close()
            _remove_database_files(staging)

    @classmethod
    def _open_readonly(cls, path: Path, version: int, busy_timeout_ms: int) -> Project:
        if version < SCHEMA_VERSION:
            raise ProjectError(
                f"{path}: written by an older Annotator (schema {version}); open it once in "
                "Annotator to upgrade it (a backup copy is kept) before reading it"
            )
        try:
            conn = sqlite3.connect(read_only_uri(path), uri=True)
            db = sqlite_utils.Database(conn)
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            db.execute("PRAGMA query_only = ON")
            db.execute("SELECT count(*) FROM documents").fetchone()
            project = cls(db, path, readonly=True, busy_timeout_ms=busy_timeout_ms)
            project._refuse_unknown_migrations()
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{path}: cannot read the project: {exc}") from exc
        return project

    @classmethod
    def in_memory(cls) -> Project:
        """A throw-away project, for tests and dry runs."""
        db = sqlite_utils.Database(memory=True)
        db.execute("PRAGMA foreign_keys = ON")
        project = cls(db, None)
        project._migrate(True)
        return project

    def _upgrade(self, version: int) -> None:
        """Apply pending migrations to an existing project, after writing a backup copy of it."""
        self._refuse_unknown_migrations()
        if not MIGRATIONS.pending(self.db):
            return
        assert self.path is not None
        self.write_backup(backup_path(self.path, version))
        self._migrate(fresh=False)

    def _refuse_unknown_migrations(self) -> None:
        known = {m.name for m in MIGRATIONS._migrations}
        applied = {m.name for m in MIGRATIONS.applied(self.db)}
        if applied - known:
            raise ProjectError(
                f"{self.path}: written by a newer Annotator (unknown migrations "
                f"{', '.join(sorted(applied - known))})"
            )

    def write_backup(self, target: Path) -> Path:
        """A complete, consistent copy of the project at ``target`` (written beside, then moved)."""
        staging = target.with_name(f".{target.name}.writing-{os.getpid()}")
        try:
            with closing(sqlite3.connect(staging)) as copy:
                self.db.conn.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
            os.replace(staging, target)
        except (OSError, sqlite3.Error) as exc:
            _remove_database_files(staging)
            raise ProjectError(
                f"{self.path}: cannot write the backup copy {target} before upgrading the project "
                f"({exc}); the project was left unchanged"
            ) from exc
        return target

    def _migrate(self, fresh: bool) -> None:
        try:
            MIGRATIONS.apply(self.db)
            with self.db.atomic():
                self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                if fresh:
                    self._set_meta("created", now())
                    self._set_meta("app", APP_ID)
                    for position, label in enumerate(default_label_set()):
                        self._insert_label(label, position)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: cannot write the project: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several operations into one commit (nested calls become savepoints).

        The outermost level starts with ``BEGIN IMMEDIATE``: it takes the write lock first
        (waiting up to ``busy_timeout_ms`` for another program's write), so a transaction never
        fails half-way because another connection wrote meanwhile. When it returns, the change
        is committed; when it raises, nothing of it was saved.
        """
        if self.readonly:
            raise ProjectWriteError(f"{self.path}: opened read-only; nothing can be changed")
        if self.db.conn.in_transaction:
            with self._explained():
                with self.db.atomic():
                    yield
            return
        with self._explained():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            try:
                self.db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    @property
    def in_transaction(self) -> bool:
        """True while a write of this connection is under way (e.g. an import with progress)."""
        return bool(self.db.conn.in_transaction)

    def _rollback(self) -> None:
        if self.db.conn.in_transaction:
            self.db.conn.rollback()
        self.forget_cached()

    @contextmanager
    def _explained(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError as exc:
            raise AnnotatorError(f"the project refused the change: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise save_error(self.path, exc, self.busy_timeout_ms) from exc

    # -- other programs ------------------------------------------------------------------

    def set_busy_timeout(self, milliseconds: int) -> None:
        """How long a write waits for another program's write before giving up."""
        self.busy_timeout_ms = int(milliseconds)
        self.db.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")

    def _read_data_version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def changed_elsewhere(self) -> bool:
        """True (once) when another connection committed since this one last looked.

        ``PRAGMA data_version`` changes only for other connections' commits, so the window can
        poll this cheaply and reload what it shows. Cached labels and text are dropped then.
        """
        try:
            version = self._read_data_version()
        except sqlite3.Error:
            return False
        if version == self._data_version:
            return False
        self._data_version = version
        self.forget_cached()
        return True

    # -- meta ----------------------------------------------------------------------------

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO project_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM project_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._set_meta(key, value)

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- labels --------------------------------------------------------------------------

    def labels(self) -> LabelSet:
        if self._labels is None:
            rows = self.db.execute(
                "SELECT name, color, hotkey FROM labels ORDER BY position, name"
            ).fetchall()
            self._labels = LabelSet(tuple(Label(name, color, hotkey) for name, color, hotkey in rows))
        return self._labels

    def _insert_label(self, label: Label, position: int) -> None:
        self.db.execute(
            "INSERT INTO labels (name, color, hotkey, position) VALUES (?, ?, ?, ?)",
            [label.name, label.color, label.hotkey, position],
        )
        self._labels = None

    def add_label(self, name: str, color: str | None = None, hotkey: str | None = None) -> Label:
        """Append a label; colour and hotkey default to the next free ones."""
        labels = self.labels()
        if name in labels:
            raise LabelError(f"label {name!r} already exists")
        if color is None:
            used = {label.color.upper() for label in labels}
            palette = label_palette()
            color = next((c for c in palette if c.upper() not in used), palette[len(labels) % len(palette)])
        if hotkey is None:
            used_keys = {label.hotkey for label in labels}
            hotkey = next((k for k in HOTKEYS if k not in used_keys), None)
        elif labels.by_hotkey(hotkey) is not None:
            raise LabelError(f"hotkey {hotkey} is already used by {labels.by_hotkey(hotkey).name!r}")  # type: ignore[union-attr]
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
        new_hotkey = old.hotkey if hotkey is UNCHANGED else hotkey
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

    def label_usage(self, name: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM spans WHERE label = ?", [name]).fetchone()[0])

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

    def ensure_labels(self, names: Iterable[str]) -> list[Label]:
        """Add any of ``names`` that are missing (for ``import --add-labels``)."""
        added = []
        for name in names:
            if name not in self.labels():
                validate_label_name(name)
                added.append(self.add_label(name))
        return added

    # -- annotators ----------------------------------------------------------------------

    def annotators(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM annotators ORDER BY name")]

    def ensure_annotator(self, name: str) -> str:
        name = validate_annotator_name(name)
        self.db.execute("INSERT OR IGNORE INTO annotators (name, created) VALUES (?, ?)", [name, now()])
        return name

    def add_annotator(self, name: str) -> str:
        with self.transaction():
            return self.ensure_annotator(name)

    # -- documents -----------------------------------------------------------------------

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

    def document(self, doc_id: str) -> Document:
        row = self.db.execute(
            "SELECT id, title, text, source, meta FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:
            raise DocumentError(f"no document with id {doc_id!r}")
        return Document(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def document_text(self, doc_id: str) -> str:
        """The text of a document (cached for the last one, since span checks need it)."""
        if self._text_cache is not None and self._text_cache[0] == doc_id:
            return self._text_cache[1]
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise DocumentError(f"no document with id {doc_id!r}")
        self._text_cache = (doc_id, row[0])
        return str(row[0])

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone() is not None

    def document_hash(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM documents WHERE id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    def document_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY position, id")]

    def iter_documents(self, ids: Sequence[str] | None = None) -> Iterator[Document]:
        """Documents in project order, streamed (never all texts in memory at once)."""
        if ids is None:
            cursor = self.db.conn.execute(
                "SELECT id, title, text, source, meta FROM documents ORDER BY position, id"
            )
            for row in cursor:
                yield Document(row[0], row[1], row[2], row[3], json.loads(row[4]))
        else:
            for doc_id in ids:
                yield self.document(doc_id)

    def document_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def summaries(self) -> list[DocumentSummary]:
        """Every document with its per-annotator status and span counts (no texts)."""
        counts: dict[str, dict[str, int]] = {}
        for doc_id, annotator, n in self.db.execute(
            "SELECT document_id, annotator, count(*) FROM spans GROUP BY document_id, annotator"
        ):
            counts.setdefault(doc_id, {})[annotator] = n
        statuses: dict[str, dict[str, Status]] = {}
        for doc_id, annotator, status in self.db.execute("SELECT document_id, annotator, status FROM status"):
            statuses.setdefault(doc_id, {})[annotator] = Status(status)
        # SQL's length() stops at a NUL character: such (rare) texts are measured in Python.
        return [
            DocumentSummary(
                id=doc_id,
                title=title,
                length=length if not has_nul else len(self.document_text(doc_id)),
                position=position,
                status=statuses.get(doc_id, {}),
                span_counts=counts.get(doc_id, {}),
            )
            for doc_id, title, length, position, has_nul in self.db.execute(
                "SELECT id, title, length(text), position, instr(text, char(0)) > 0 "
                "FROM documents ORDER BY position, id"
            ).fetchall()
        ]

    # -- status --------------------------------------------------------------------------

    def status(self, doc_id: str, annotator: str) -> Status:
        row = self.db.execute(
            "SELECT status FROM status WHERE document_id = ? AND annotator = ?", [doc_id, annotator]
        ).fetchone()
        return Status(row[0]) if row else Status.TODO

    def set_status(self, doc_id: str, annotator: str, status: Status | str) -> Status:
        try:
            status = Status(status)
        except ValueError:
            raise AnnotatorError(f"unknown status {status!r} (use todo, in_progress or done)") from None
        if not self.has_document(doc_id):
            raise DocumentError(f"no document with id {doc_id!r}")
        with self.transaction():
            self._write_status(doc_id, self.ensure_annotator(annotator), status)
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

    # -- spans ---------------------------------------------------------------------------

    _SPAN_COLUMNS = 'id, document_id, annotator, start, "end", label, note, created, updated'

    def spans(self, doc_id: str, annotator: str) -> list[Span]:
        """One annotator's layer of one document, sorted by (start, end, label)."""
        return [
            Span(*row)
            for row in self.db.execute(
                f"SELECT {self._SPAN_COLUMNS} FROM spans WHERE document_id = ? AND annotator = ? "
                'ORDER BY start, "end", label, id',
                [doc_id, annotator],
            )
        ]

    def span(self, span_id: int) -> Span:
        row = self.db.execute(f"SELECT {self._SPAN_COLUMNS} FROM spans WHERE id = ?", [span_id]).fetchone()
        if row is None:
            raise SpanError(f"no span with id {span_id}")
        return Span(*row)

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

    def span_count(self, annotator: str | None = None) -> int:
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
        annotator = self.ensure_annotator(new.annotator)
        stamp = now()
        try:
            cursor = self.db.execute(
                'INSERT INTO spans (id, document_id, annotator, start, "end", label, note, created, updated) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ],
            )
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise SpanError(
                    f"{annotator} already has a {new.label!r} span at [{new.start}, {new.end}) "
                    f"in {new.document_id!r}"
                ) from exc
            raise
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
        )

    def add_span(
        self, doc_id: str, annotator: str, start: int, end: int, label: str, note: str | None = None
    ) -> Span:
        """Create one span, validated, committed when this returns."""
        with self.transaction():
            return self._insert_span(NewSpan(doc_id, annotator, start, end, label, note))

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
                    NewSpan(s.document_id, s.annotator, s.start, s.end, s.label, s.note),
                    span_id=s.id,
                    created=s.created,
                )
                for s in spans
            ]

    def restore_span(self, span: Span) -> Span:
        return self.restore_spans([span])[0]

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
                f"SELECT {self._SPAN_COLUMNS} FROM spans WHERE id = ?", [span_id]
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

    def iter_layer_spans(self, annotator: str | None = None) -> Iterator[tuple[str, str, list[Span]]]:
        """(document id, annotator, spans) for every non-empty layer, in project order."""
        columns = ", ".join(f"s.{c.strip()}" for c in self._SPAN_COLUMNS.split(","))
        sql = f"SELECT {columns} FROM spans s JOIN documents d ON d.id = s.document_id"
        params: list[str] = []
        if annotator is not None:
            sql += " WHERE s.annotator = ?"
            params.append(annotator)
        sql += ' ORDER BY d.position, d.id, s.annotator, s.start, s."end", s.label, s.id'
        current: tuple[str, str] | None = None
        batch: list[Span] = []
        for row in self.db.conn.execute(sql, params):
            span = Span(*row)
            key = (span.document_id, span.annotator)
            if key != current:
                if current is not None:
                    yield current[0], current[1], batch
                current, batch = key, []
            batch.append(span)
        if current is not None:
            yield current[0], current[1], batch

    def stats(self) -> dict[str, Any]:
        """Figures about the project, for ``annotator stats``."""
        summaries = self.summaries()
        annotators: dict[str, dict[str, int]] = {}
        for name in self.annotators():
            annotators[name] = {"spans": 0, "documents": 0, "todo": 0, "in_progress": 0, "done": 0}
        for s in summaries:
            for name, entry in annotators.items():
                entry["spans"] += s.span_counts.get(name, 0)
                if name in s.status or name in s.span_counts:
                    entry["documents"] += 1
                entry[s.status_for(name).value] += 1
        label_counts = {name: 0 for name in self.labels().names}
        for label, n in self.db.execute("SELECT label, count(*) FROM spans GROUP BY label"):
            label_counts[label] = n
        return {
            "project": str(self.path) if self.path else ":memory:",
            "schema_version": self.schema_version,
            "totals": {
                "documents": len(summaries),
                "characters": sum(s.length for s in summaries),
                "spans": self.span_count(),
                "annotators": len(annotators),
                "labels": len(label_counts),
            },
            "labels": label_counts,
            "annotators": annotators,
            "documents": [
                {
                    "id": s.id,
                    "title": s.title,
                    "characters": s.length,
                    "spans": dict(sorted(s.span_counts.items())),
                    "status": {k: v.value for k, v in sorted(s.status.items())},
                }
                for s in summaries
            ],
        }

    # -- bulk transfer (annotator.core.formats) ------------------------------------------

    def iter_corpus(
        self, annotator: str | None = None
    ) -> Iterator[tuple[Document, list[tuple[str, str, list[tuple[int, int, str, str | None]]]]]]:
        """Each document in project order with its layers, streamed for exports.

        A layer is (annotator, status value, spans as (start, end, label, note) sorted by
        (start, end, label)). With ``annotator`` every document has exactly that one layer
        (possibly empty, status 'todo'); without, a document has the layers that have spans or a
        status, sorted by name, and may have none.
        """
        conn = self.db.conn
        layer_sql = (
            'SELECT start, "end", label, note FROM spans WHERE document_id = ? AND annotator = ? '
            'ORDER BY start, "end", label'
        )
        all_sql = (
            'SELECT annotator, start, "end", label, note FROM spans WHERE document_id = ? '
            'ORDER BY annotator, start, "end", label'
        )
        docs = conn.execute("SELECT id, title, text, source, meta FROM documents ORDER BY position, id")
        for doc_id, title, text, source, meta in docs:
            document = Document(doc_id, title, text, source, json.loads(meta))
            if annotator is not None:
                row = conn.execute(
                    "SELECT status FROM status WHERE document_id = ? AND annotator = ?", [doc_id, annotator]
                ).fetchone()
                status = row[0] if row else Status.TODO.value
                yield document, [(annotator, status, conn.execute(layer_sql, [doc_id, annotator]).fetchall())]
                continue
            statuses = dict(
                conn.execute("SELECT annotator, status FROM status WHERE document_id = ?", [doc_id])
            )
            spans: dict[str, list[tuple[int, int, str, str | None]]] = {}
            for name, group in groupby(conn.execute(all_sql, [doc_id]).fetchall(), key=itemgetter(0)):
                spans[name] = [row[1:] for row in group]
            names = sorted(statuses.keys() | spans.keys())
            yield document, [(n, statuses.get(n, Status.TODO.value), spans.get(n, [])) for n in names]

    def import_layer(
        self,
        doc_id: str,
        annotator: str,
        spans: Sequence[tuple[int, int, str, str | None]],
        status: Status | str | None = None,
    ) -> tuple[int, int]:
        """Insert already-checked spans into one layer in bulk; returns (added, already there).

        For importers, which check offsets and labels against the document themselves (so their
        errors can name file and line) and call this inside :meth:`transaction`. Spans the layer
        already has are skipped. ``status`` is written as given; without it a new layer starts
        as 'todo' (no spans) or 'in_progress', and an existing one moves from 'todo' to
        'in_progress' when spans arrive.
        """
        annotator = self.ensure_annotator(annotator)
        conn = self.db.conn
        stamp = now()
        # INSERT OR IGNORE skips spans the layer already has (the UNIQUE constraint); the caller
        # has checked everything else. Rows go in multi-row VALUES statements of a few fixed
        # sizes (cached by sqlite3), much cheaper than one executemany step per row.
        added = 0
        position = 0
        remaining = len(spans)
        for size in _BULK_SIZES:
            while remaining >= size:
                params: list[object] = [doc_id, annotator, stamp]
                for start, end, label, note in spans[position : position + size]:
                    params += (start, end, label, note or None)
                added += max(conn.execute(_bulk_insert_sql(size), params).rowcount, 0)
                position += size
                remaining -= size
        if status is not None:
            self._write_status(doc_id, annotator, Status(status))
        else:
            conn.execute(
                "INSERT OR IGNORE INTO status (document_id, annotator, status, updated) VALUES (?, ?, ?, ?)",
                [doc_id, annotator, "in_progress" if added else "todo", stamp],
            )
            if added:
                self._touch_status(doc_id, annotator)
        return added, len(spans) - added

    @contextmanager
    def bulk_transaction(self) -> Iterator[None]:
        """:meth:`transaction` for large imports whose references the caller guarantees.

        The page cache grows to a fixed 64 MiB meanwhile (big imports otherwise spill index
        pages to the WAL and read them back). Foreign-key checks are off while it runs (SQLite
        switches them only outside a transaction, so inside another transaction this is a plain
        savepoint): the importer inserts a span only after its document, annotator and label
        exist.
        """
        outer = self.db.conn.in_transaction
        cache = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-_BULK_CACHE_KIB}")
        if not outer:
            self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                yield
        finally:
            if not outer:
                self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute(f"PRAGMA cache_size = {int(cache)}")

    def forget_cached(self) -> None:
        """Drop cached labels and text, e.g. after a rolled-back transaction changed them."""
        self._labels = None
        self._text_cache = None


__all__ = [
    "APPLICATION_ID",
    "DEFAULT_BUSY_TIMEOUT_MS",
    "GOLD_LAYER",
    "SCHEMA_VERSION",
    "AddResult",
    "DocumentInput",
    "NewSpan",
    "Project",
    "inspect_file",
]
