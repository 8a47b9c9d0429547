"""A project file opened, created or upgraded; figures about it; corpora streamed in and out.

:class:`Project` is the top of the store's layers (see its docstring). Every public method that
changes anything runs in one transaction and has committed when it returns, so a caller (CLI or
GUI) may show the change as saved. Every reader checks the rows it returns
(:mod:`annotator.core.store.rows`) and explains SQLite's failures (a
:class:`~annotator.core.errors.ProjectError`, never an ``sqlite3`` exception).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlite_utils

from annotator import APP_ID
from annotator.core.errors import ProjectError
from annotator.core.model import Document, SpanKey, Status, default_label_set
from annotator.core.store import facts, rows
from annotator.core.store.connection import now, reads, streams
from annotator.core.store.documents import DocumentInput
from annotator.core.store.files import (
    DEFAULT_BUSY_TIMEOUT_MS,
    backup_path,
    check_writable,
    connect_reader,
    connect_writer,
    inspect,
    process_alive,
    remove_database_files,
    write_backup,
)
from annotator.core.store.schema import (
    MIGRATION_STEPS,
    FileState,
    RefusedFile,
    migrate,
    plan,
    read_state,
)
from annotator.core.store.spans import Layers

#: Row counts of the multi-row INSERTs that :meth:`Project.import_layer` uses (largest first).
_BULK_SIZES = (64, 16, 4, 1)
#: Page cache of :meth:`Project.bulk_transaction`, in KiB.
_BULK_CACHE_KIB = 64 * 1024
#: SQLite's result codes for a statement the schema does not allow (a table that already exists).
_SQLITE_ERROR, _SQLITE_CONSTRAINT = 1, 19

#: A layer's spans as exports stream them: (start, end, label, note).
LayerRow = tuple[int, int, str, str | None]


@lru_cache(maxsize=len(_BULK_SIZES))
def _bulk_insert_sql(count: int) -> str:
    """INSERT OR IGNORE of ``count`` spans: ?1 document, ?2 annotator, ?3 time, then 4 per span."""
    values = ",".join(
        f"(?1, ?2, ?{4 * i + 4}, ?{4 * i + 5}, ?{4 * i + 6}, ?{4 * i + 7}, ?3, ?3)" for i in range(count)
    )
    return (
        'INSERT OR IGNORE INTO spans (document_id, annotator, start, "end", label, note, created, updated) '
        f"VALUES {values}"
    )


class Project(Layers):
    """An open project file and everything that can be read from it or done to it.

    Built in layers, one per module, each using those below it: the connection (transactions,
    snapshots), documents with their labels, annotators and status, then spans and decisions;
    this class adds opening, creating and upgrading files, figures, and bulk transfer.
    """

    # -- opening -----------------------------------------------------------------------------------

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

        Refuses (with :class:`ProjectError`, leaving the file byte-for-byte untouched, with no
        file beside it) anything that is not an Annotator project, one written by a newer
        schema version, a damaged or inconsistent one, an empty file, and a file that could be
        read but not saved to. A new project is built beside ``path`` (with the documents
        ``seed`` returns, if given) and moved into place only when complete, so a crash never
        leaves a half-made project. Before an older project's schema is upgraded a copy of it
        is written next to it (:func:`~annotator.core.store.files.backup_path`); the upgrade is
        one transaction, and a project whose upgrade was cut short by an earlier version is
        finished here.

        ``readonly`` opens an existing project (of any schema version this code knows) for
        reading only (export, statistics, agreement): read-only files and folders are fine,
        nothing is ever written, and other programs may write meanwhile.
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
        state = inspect(path, check=True)
        cls._plan(path, state, readonly=readonly)
        if readonly:
            return cls._open_readonly(path, busy_timeout_ms)
        check_writable(path)
        project = cls(connect_writer(path, busy_timeout_ms), path, busy_timeout_ms=busy_timeout_ms)
        try:
            project._upgrade(state)
        except BaseException:
            project.close()
            raise
        return project

    @classmethod
    def open_for_reading(
        cls,
        path: str | Path,
        *,
        seed: Callable[[], Iterable[DocumentInput]] | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> Project:
        """An existing project read-only; a missing one is created first (``seed`` as in :meth:`open`)."""
        path = Path(path)
        if not path.exists():
            cls.open(path, seed=seed, busy_timeout_ms=busy_timeout_ms).close()
        return cls.open(path, readonly=True, busy_timeout_ms=busy_timeout_ms)

    @staticmethod
    def _plan(path: Path, state: FileState, *, readonly: bool) -> bool:
        """Whether the file needs writing before use (raises for a file that must be refused)."""
        try:
            steps = plan(state)
        except RefusedFile as exc:
            raise ProjectError(f"{path}: {exc}") from None
        if readonly and not steps.readable:
            raise ProjectError(f"{path}: not an Annotator project (no schema recorded)")
        return bool(steps.pending or steps.set_version)

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
            if not process_alive(stale.name.rsplit("-", 1)[-1]):
                remove_database_files(stale)  # left by a creator that was killed
        staging = path.with_name(f".{path.name}.creating-{os.getpid()}")
        remove_database_files(staging)
        try:
            project = cls(connect_writer(staging, busy_timeout_ms, new=True), staging)
        except ProjectError as exc:
            remove_database_files(staging)
            raise ProjectError(str(exc).replace(str(staging), str(path), 1)) from exc
        try:
            project._initialise()
            if seed is not None:
                project.add_documents(seed())
            project.close()
            try:
                os.link(staging, path)
            except FileExistsError:
                pass  # created by another process meanwhile: open that one
            except OSError:
                # No hard links here (some network or FAT file systems): move it instead.
                if not path.exists():
                    os.replace(staging, path)
        except ProjectError as exc:
            raise ProjectError(str(exc).replace(str(staging), str(path))) from exc
        except OSError as exc:
            raise ProjectError(f"{path}: cannot create the project: {exc.strerror or exc}") from exc
        finally:
            project.close()
            remove_database_files(staging)

    @classmethod
    def _open_readonly(cls, path: Path, busy_timeout_ms: int) -> Project:
        db = connect_reader(path, busy_timeout_ms)
        try:
            state = read_state(db.conn)
            cls._plan(path, state, readonly=True)
        except sqlite3.Error as exc:
            db.close()
            raise ProjectError(f"{path}: cannot read the project: {exc}") from exc
        except BaseException:
            db.close()
            raise
        project = cls(db, path, readonly=True, busy_timeout_ms=busy_timeout_ms)
        project._has_decisions = "adjudications" in state.tables
        project._has_facts = state.has_facts
        if "rejections" not in state.tables:
            project._has_sources = False
            project._span_columns = rows.SPAN_COLUMNS_BEFORE_SOURCES
        return project

    @classmethod
    def in_memory(cls) -> Project:
        """A throw-away project, for tests and dry runs."""
        db = sqlite_utils.Database(memory=True)
        db.execute("PRAGMA foreign_keys = ON")
        project = cls(db, None)
        project._initialise()
        return project

    def _initialise(self) -> None:
        """The schema and the default labels of a new project, in one transaction."""
        with self.transaction():
            migrate(self.db, MIGRATION_STEPS)
            for key, value in (("created", now()), ("app", APP_ID)):
                self.db.execute("INSERT INTO project_meta (key, value) VALUES (?, ?)", [key, value])
            for position, label in enumerate(default_label_set()):
                self._insert_label(label, position)

    def _upgrade(self, seen: FileState) -> None:
        """Bring an existing file to the current schema, in one transaction.

        Pending migrations get a backup copy first (removed again if the upgrade fails, since
        the file is then unchanged); a file whose version number alone is behind (an upgrade
        killed before it recorded the number) gets the number. The plan is made again under
        the write lock, in case another program upgraded the file meanwhile.
        """
        assert self.path is not None
        if not self._plan(self.path, seen, readonly=False):
            if not seen.has_facts:
                self._repair_facts()
            return
        backup = None
        if plan(seen).pending:
            backup = write_backup(self.db, self.path, backup_path(self.path, seen.user_version))
        try:
            with self.transaction():
                try:
                    steps = plan(read_state(self.db.conn))
                except RefusedFile as exc:
                    raise ProjectError(f"{self.path}: {exc}") from None
                try:
                    if steps.pending or steps.set_version:
                        migrate(self.db, steps.pending)
                except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
                    if getattr(exc, "sqlite_errorcode", _SQLITE_ERROR) & 0xFF not in (
                        _SQLITE_ERROR,
                        _SQLITE_CONSTRAINT,
                    ):
                        raise  # busy, full, read-only: explained by transaction()
                    raise ProjectError(
                        f"{self.path}: the project file is damaged (upgrading it from schema "
                        f"{seen.user_version} failed: {exc}); it was left as it is - restore it from a backup"
                    ) from exc
        except BaseException:
            if backup is not None:
                remove_database_files(backup)
            raise

    def _repair_facts(self) -> None:
        """Count the document-list facts afresh and put their triggers back, when another
        program removed a trigger (so the facts could no longer be trusted)."""
        with self.transaction():
            if not read_state(self.db.conn).has_facts:
                facts.rebuild(self.db.conn)

    @property
    @reads
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- figures -----------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Figures about the project, for ``annotator stats`` (read in one snapshot)."""
        with self.snapshot():
            return self._stats()

    @reads
    def _stats(self) -> dict[str, Any]:
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

    # -- bulk transfer (annotator.core.formats) ----------------------------------------------------

    @streams
    def iter_corpus(
        self, annotator: str | None = None
    ) -> Iterator[tuple[Document, list[tuple[str, str, list[LayerRow]]]]]:
        """Each document in project order with its layers, streamed for exports.

        A layer is (annotator, status value, spans as (start, end, label, note) sorted by
        (start, end, label)). With ``annotator`` every document has exactly that one layer
        (possibly empty, status 'todo'); without, a document has the layers that have spans or a
        status, sorted by name, and may have none. Call it inside :meth:`snapshot` for a
        consistent export while other programs write.
        """
        conn = self.db.conn
        where = self.path
        layer_sql = (
            'SELECT start, "end", label, note FROM spans WHERE document_id = ? AND annotator = ? '
            'ORDER BY start, "end", label'
        )
        all_sql = (
            'SELECT annotator, start, "end", label, note FROM spans WHERE document_id = ? '
            'ORDER BY annotator, start, "end", label'
        )
        docs = conn.execute(f"SELECT {rows.DOCUMENT_COLUMNS} FROM documents ORDER BY position, id")
        for row in docs:
            document = rows.document(where, row)
            doc_id, length = document.id, len(document.text)
            if annotator is not None:
                found = conn.execute(
                    "SELECT status FROM status WHERE document_id = ? AND annotator = ?", [doc_id, annotator]
                ).fetchone()
                status = rows.status(where, doc_id, annotator, found[0]).value if found else Status.TODO.value
                spans = rows.layer_spans(
                    where, doc_id, annotator, conn.execute(layer_sql, [doc_id, annotator]).fetchall(), length
                )
                yield document, [(annotator, status, spans)]
                continue
            statuses = {
                name: rows.status(where, doc_id, name, value).value
                for name, value in conn.execute(
                    "SELECT annotator, status FROM status WHERE document_id = ?", [doc_id]
                )
            }
            layers: dict[str, list[LayerRow]] = {}
            for name, group in groupby(conn.execute(all_sql, [doc_id]).fetchall(), key=itemgetter(0)):
                layers[name] = rows.layer_spans(where, doc_id, name, [r[1:] for r in group], length)
            names = sorted(statuses.keys() | layers.keys())
            yield document, [(n, statuses.get(n, Status.TODO.value), layers.get(n, [])) for n in names]

    def import_layer(
        self,
        doc_id: str,
        annotator: str,
        spans: Sequence[LayerRow],
        status: Status | str | None = None,
        sources: Mapping[SpanKey, str] | None = None,
    ) -> tuple[int, int]:
        """Insert already-checked spans into one layer in bulk; returns (added, already there).

        For importers, which check offsets and labels against the document themselves (so their
        errors can name file and line), usually inside :meth:`bulk_transaction`. Spans the layer
        already has are skipped. ``status`` is written as given; without it a new layer starts
        as 'todo' (no spans) or 'in_progress', and an existing one moves from 'todo' to
        'in_progress' when spans arrive. ``sources`` gives the suggestion source of the spans (by
        (start, end, label)) that have one. All of it or nothing (a savepoint inside a transaction).
        """
        with self.transaction():
            annotator = self._ensure_annotator(annotator)
            conn = self.db.conn
            stamp = now()
            # INSERT OR IGNORE skips spans the layer already has (the UNIQUE constraint); the
            # caller has checked everything else. Rows go in multi-row VALUES statements of a few
            # fixed sizes (cached by sqlite3), much cheaper than one executemany step per row.
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
            if added and self._counting_by_hand:
                conn.execute(facts.COUNT_UP, [doc_id, annotator, added])
            if status is not None:
                self._write_status(doc_id, annotator, Status(status))
            else:
                conn.execute(
                    "INSERT OR IGNORE INTO status (document_id, annotator, status, updated) "
                    "VALUES (?, ?, ?, ?)",
                    [doc_id, annotator, "in_progress" if added else "todo", stamp],
                )
                if added:
                    self._touch_status(doc_id, annotator)
            if sources:
                conn.executemany(
                    "UPDATE spans SET source = ? "
                    'WHERE document_id = ? AND annotator = ? AND start = ? AND "end" = ? AND label = ?',
                    [(source, doc_id, annotator, *key) for key, source in sources.items()],
                )
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
        with self._explained():
            cache = self.db.execute("PRAGMA cache_size").fetchone()[0]
            self.db.execute(f"PRAGMA cache_size = {-_BULK_CACHE_KIB}")
            if not outer:
                self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                if self._counting_by_hand or not self._has_facts:
                    yield
                    return
                # Spans are counted per imported layer, not by the trigger per span (a third
                # of the time of a bulk import). Dropping the trigger belongs to this
                # transaction: it is back before the commit, and a rollback restores it too.
                with self._explained():
                    self.db.execute(f"DROP TRIGGER {facts.SPAN_ADDED_TRIGGER}")
                self._counting_by_hand = True
                try:
                    yield
                finally:
                    self._counting_by_hand = False
                with self._explained():
                    self.db.execute(facts.SPAN_ADDED)
        finally:
            with self._explained():
                if not outer:
                    self.db.execute("PRAGMA foreign_keys = ON")
                self.db.execute(f"PRAGMA cache_size = {int(cache)}")
