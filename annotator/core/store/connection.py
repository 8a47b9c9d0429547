"""An open project file's connection: transactions, snapshots, other programs, failures explained.

:class:`Connection` is the part of :class:`~annotator.core.store.Project` that is about the
file rather than its content: every write runs in :meth:`Connection.transaction` (committed when
it returns), every multi-read that must agree with itself in :meth:`Connection.snapshot`, and no
``sqlite3`` error leaves the store unexplained (:func:`reads`, :func:`streams`).
"""

from __future__ import annotations

import functools
import sqlite3
import traceback
import weakref
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import sqlite_utils

from annotator.core.errors import AnnotatorError, ProjectBusyError, ProjectWriteError
from annotator.core.model import LabelSet
from annotator.core.store.files import DEFAULT_BUSY_TIMEOUT_MS, read_failure, write_failure

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound="Connection")


def now() -> str:
    """A UTC timestamp with milliseconds, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def reads(method: Callable[Concatenate[C, P], T]) -> Callable[Concatenate[C, P], T]:
    """A read whose SQLite failure (an I/O error, a damaged page) becomes a :class:`ProjectError`.

    A user's error (a damaged row) lets go of the cursors it was raised among, so closing the
    project afterwards really closes the file (and removes its ``-wal``/``-shm``).
    """

    @functools.wraps(method)
    def explained(self: C, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise read_failure(self.path, exc) from exc
        except AnnotatorError as exc:
            traceback.clear_frames(exc.__traceback__)
            raise

    return explained


def streams(method: Callable[Concatenate[C, P], Iterator[T]]) -> Callable[Concatenate[C, P], Iterator[T]]:
    """:func:`reads` for a generator (the failure may come at any item).

    The project keeps the streams it hands out: :meth:`Connection.close` ends those still
    running, so their cursors never keep the file open.
    """

    @functools.wraps(method)
    def start(self: C, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        stream = _explained_stream(self, method(self, *args, **kwargs))
        self._streams.add(stream)
        return stream

    return start


def _explained_stream(owner: Connection, items: Iterator[T]) -> Generator[T, None, None]:
    try:
        yield from items
    except sqlite3.Error as exc:
        raise read_failure(owner.path, exc) from exc
    except AnnotatorError as exc:
        traceback.clear_frames(exc.__traceback__)
        raise


class Connection:
    """An open project file: its connection, transactions and snapshots (see :class:`Project`)."""

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
        self._snapshots = 0
        #: True while a bulk transaction has set the span-counting trigger aside: each span
        #: insert then counts itself (annotator.core.store.facts).
        self._counting_by_hand = False
        self._streams: weakref.WeakSet[Generator[object, None, None]] = weakref.WeakSet()
        try:
            self._data_version = self._read_data_version()
        except sqlite3.Error as exc:
            db.close()
            raise read_failure(path, exc) from exc

    def close(self) -> None:
        """Close the file; streams still running end first (their cursors would keep it open)."""
        for stream in list(self._streams):
            stream.close()
        self.db.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------

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
        if self._snapshots:
            raise ProjectBusyError(
                f"{self.path or 'project'}: a read of the whole project (an export) is still "
                "running; the change was not saved - try again when it has finished"
            )
        conn = self.db.conn
        if conn.in_transaction:
            # A savepoint of one fixed name (SQLite releases or rolls back the innermost of that
            # name), so its statements stay in sqlite3's cache: bulk imports make one per layer.
            with self._explained():
                conn.execute("SAVEPOINT nested_write")
                try:
                    yield
                except BaseException:
                    if conn.in_transaction:  # an error may have ended the whole transaction
                        conn.execute("ROLLBACK TO nested_write")
                        conn.execute("RELEASE nested_write")
                    raise
                conn.execute("RELEASE nested_write")
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
        """True while a write or a :meth:`snapshot` of this connection is under way."""
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
            raise write_failure(self.path, exc, self.busy_timeout_ms) from exc

    # -- reading -----------------------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the project as it was at one moment.

        A read transaction: other programs go on writing meanwhile (WAL) and neither waits for
        the other; what they commit is seen after the snapshot ends. An export, ``stats`` and
        ``agree`` read inside one, so they never mix two states of the project. Inside a write
        transaction or another snapshot it adds nothing (those see one moment already). No write
        may start inside it.
        """
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        try:
            conn.execute("BEGIN DEFERRED")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the moment is now
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise read_failure(self.path, exc) from exc
        self._snapshots += 1
        try:
            yield
        finally:
            self._snapshots -= 1
            if conn.in_transaction:
                conn.rollback()

    # -- other programs ----------------------------------------------------------------------------

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

    def forget_cached(self) -> None:
        """Drop cached labels and text, e.g. after a rolled-back transaction changed them."""
        self._labels = None
        self._text_cache = None
