"""Project-file safety: look before opening, open for reading or writing, back up, explain failures.

A file is looked at through a connection that cannot write (:func:`inspect`) before anything
opens it for writing, so a foreign, damaged or newer file is refused byte-for-byte unchanged,
with no ``-wal``/``-shm`` file left beside it. Readers (:func:`connect_reader`) take part in
SQLite's normal locking, so another program may write while they read; writers
(:func:`connect_writer`) use WAL with ``synchronous = FULL``. When opening fails (a full disk),
the ``-wal``/``-shm`` files the attempt created are removed again.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import closing, suppress
from pathlib import Path

import sqlite_utils

from annotator.core.errors import AnnotatorError, ProjectBusyError, ProjectError, ProjectWriteError
from annotator.core.store.schema import FileState, read_state

#: How long a write waits for another program's write (an import, a second window) to finish.
DEFAULT_BUSY_TIMEOUT_MS = 5000
#: Seconds a write waits for another program's write before it gives up (default 5).
BUSY_TIMEOUT_ENV = "ANNOTATOR_BUSY_TIMEOUT"

#: SQLite primary result codes that the explanations below tell apart.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
#: Size of one piece of SQLite's shared-memory WAL index: a ``-shm`` file in use is at least this.
_SHM_PIECE = 32 * 1024
#: Less free space than this in the project's folder counts as a full disk.
_ROOM_NEEDED = 64 * 1024
#: Attempts at a consistent look at a file that another program is changing meanwhile.
_INSPECT_ATTEMPTS = 5


def busy_timeout_ms() -> int:
    """The wait for another program's write, from ``ANNOTATOR_BUSY_TIMEOUT`` (seconds) if set."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    try:
        seconds = float(value) if value else DEFAULT_BUSY_TIMEOUT_MS / 1000
    except ValueError:
        raise AnnotatorError(f"{BUSY_TIMEOUT_ENV}={value!r}: expected a number of seconds") from None
    return max(0, int(seconds * 1000))


# -- looking at a file without writing ---------------------------------------------------------


def read_only_uri(path: Path) -> str:
    """URI of a connection to ``path`` that can neither write nor leave a file beside it.

    A ``mode=ro`` connection to a WAL-mode database creates ``-wal`` and ``-shm`` files when
    they are missing and, being read-only, cannot remove them again. Without a ``-wal`` file
    the database file is complete, and ``immutable=1`` reads it without either. Only for short
    looks: an immutable reader does not notice another program writing (:func:`inspect`
    checks that the file did not change under it).
    """
    resolved = path.resolve()
    uri = resolved.as_uri() + "?mode=ro"
    if not Path(f"{resolved}-wal").exists():
        uri += "&immutable=1"
    return uri


def _fingerprint(path: Path) -> tuple[object, ...]:
    """Changes whenever another program writes the file (or starts or ends its journal)."""
    try:
        st = path.stat()
    except OSError:
        return ()
    return (st.st_ino, st.st_size, st.st_mtime_ns, Path(f"{path}-wal").exists())


#: Files up to this size get SQLite's whole-file ``quick_check`` when opened (about 1 ms per MB:
#: 64 ms here); larger ones check their small tables only (:data:`CHECKED_WHEN_LARGE`), so
#: opening a project of 100,000 documents does not read its gigabyte of texts and spans first.
#: Their large tables are checked page by page as they are read: SQLite refuses a damaged page
#: (SQLITE_CORRUPT, explained like any failure) and a write that meets one rolls back whole.
WHOLE_FILE_CHECK_BYTES = 64 * 1024 * 1024
#: What a file larger than :data:`WHOLE_FILE_CHECK_BYTES` has checked when opened.
CHECKED_WHEN_LARGE = ("project_meta", "labels", "annotators", "_sqlite_migrations")


def _look(path: Path, check: bool) -> tuple[FileState, list[str]]:
    with closing(sqlite3.connect(read_only_uri(path), uri=True)) as conn:
        state = read_state(conn)
        problems = ["ok"]
        if check and path.stat().st_size <= WHOLE_FILE_CHECK_BYTES:
            problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check(3)")]
        elif check:
            for table in CHECKED_WHEN_LARGE:
                if table in state.tables:
                    problems = [str(row[0]) for row in conn.execute(f"PRAGMA quick_check([{table}])")]
                    if problems != ["ok"]:
                        break
    return state, problems


def inspect(path: Path, *, check: bool = False) -> FileState:
    """What ``path`` holds (header, version, tables, recorded migrations), read without writing.

    Raises :class:`ProjectError` for anything that is not a readable SQLite database. ``check``
    also runs SQLite's ``quick_check`` (about 1 ms per MB; on a file larger than
    :data:`WHOLE_FILE_CHECK_BYTES`, of its small tables only). A look that another program's write
    disturbed (the file changed meanwhile) is taken again, so a busy project is never called
    damaged.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read the project file: {exc.strerror}") from exc
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise ProjectError(f"{path}: not an Annotator project (not an SQLite database)")
    for attempt in range(1, _INSPECT_ATTEMPTS + 1):
        before = _fingerprint(path)
        try:
            state, problems = _look(path, check)
        except sqlite3.DatabaseError as exc:
            if attempt < _INSPECT_ATTEMPTS and _fingerprint(path) != before:
                continue
            raise ProjectError(f"{path}: the project file is damaged or unreadable ({exc})") from exc
        if problems == ["ok"] or attempt == _INSPECT_ATTEMPTS or _fingerprint(path) == before:
            break
    if problems != ["ok"]:
        found = "; ".join(line.strip() for problem in problems for line in problem.splitlines())
        raise ProjectError(
            f"{path}: the project file is damaged ({found.replace('*** in database main *** ', '')}); "
            "it was left as it is - restore it from a backup"
        )
    return state


def inspect_file(path: Path, *, check: bool = False) -> tuple[int, int]:
    """(application_id, user_version) of ``path`` (see :func:`inspect`)."""
    state = inspect(path, check=check)
    return state.application_id, state.user_version


def check_writable(path: Path) -> None:
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


# -- connections ---------------------------------------------------------------------------------


def _companions(path: Path) -> set[str]:
    return {suffix for suffix in ("-wal", "-shm") if Path(f"{path}{suffix}").exists()}


def _remove_unused_companions(path: Path, existed: set[str]) -> None:
    """Remove the ``-wal``/``-shm`` that a failed open created and nobody uses.

    A ``-shm`` file that some connection uses has been grown to at least one 32 KiB piece; the
    one a failed open leaves (on a full disk) has 3 bytes, and its empty ``-wal`` holds nothing.
    """
    for suffix, unused_below in (("-wal", 1), ("-shm", _SHM_PIECE)):
        if suffix in existed:
            continue
        companion = Path(f"{path}{suffix}")
        with suppress(OSError):
            if companion.stat().st_size < unused_below:
                companion.unlink()


def _no_room(path: Path) -> str | None:
    """Why nothing more can be written beside ``path`` (a full disk, a file-size limit), if so."""
    with suppress(OSError):
        st = os.statvfs(path.parent)
        if st.f_bavail * st.f_frsize < _ROOM_NEEDED:
            return "the disk is full"
    if sys.platform != "win32":
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit != resource.RLIM_INFINITY:
            sizes = [0]
            for suffix in ("", "-wal", "-shm"):
                with suppress(OSError):
                    sizes.append(os.stat(f"{path}{suffix}").st_size)
            if limit < max(sizes) + _ROOM_NEEDED:
                return f"no room to write: this program may not write files over {limit} bytes (ulimit -f)"
    return None


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", -1)) & 0xFF


def _configure(db: sqlite_utils.Database, busy_timeout_ms: int) -> None:
    """WAL (readers never wait for a writer), FULL sync (a commit survives power loss)."""
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()


def connect_writer(path: Path, busy_timeout_ms: int, *, new: bool = False) -> sqlite_utils.Database:
    """A connection that writes ``path`` (WAL, FULL sync, foreign keys, the busy wait).

    If it cannot be opened (a full disk), the ``-wal``/``-shm`` files the attempt made are
    removed and the error says why.
    """
    existed = _companions(path)
    db: sqlite_utils.Database | None = None
    try:
        db = sqlite_utils.Database(path)
        _configure(db, busy_timeout_ms)
    except sqlite3.Error as exc:
        if db is not None:
            db.close()
        _remove_unused_companions(path, existed)
        what = "create" if new else "open"
        room = _no_room(path)
        if room is not None:
            raise ProjectWriteError(
                f"{path}: {room}; cannot {what} the project ({exc}); nothing was changed"
            ) from exc
        raise ProjectError(f"{path}: cannot {what} the project: {exc}") from exc
    return db


def connect_reader(path: Path, busy_timeout_ms: int) -> sqlite_utils.Database:
    """A connection that only reads ``path`` and sees other programs' writes as they commit.

    With a ``-wal`` beside the file (another program has it open, or left it), ``mode=ro``: it
    shares that program's WAL index and writes nothing. Without one, where this program could
    write the file and its folder, a normal connection with ``query_only``: it creates the
    ``-wal``/``-shm`` any connection needs and, when it is the last to close, removes them
    again. Otherwise (a read-only file or folder, which no writer can use without a ``-wal``)
    ``immutable=1``; also on a full disk, where no ``-shm`` (and so no writer) can be made.
    """
    resolved = path.resolve()
    base = resolved.as_uri()
    failure: sqlite3.Error | None = None
    for _attempt in range(3):
        existed = _companions(resolved)
        writable = os.access(resolved, os.R_OK | os.W_OK) and os.access(resolved.parent, os.W_OK | os.X_OK)
        if "-wal" in existed:
            uri = f"{base}?mode=ro"
        elif writable:
            uri = f"{base}?mode=rw"
        else:
            uri = f"{base}?mode=ro&immutable=1"
        try:
            return _reader(uri, busy_timeout_ms)
        except sqlite3.Error as exc:
            _remove_unused_companions(resolved, existed)
            failure = failure or exc
            if ("-wal" in existed) != Path(f"{resolved}-wal").exists():
                continue  # another program opened or closed the project meanwhile: look again
            if _code(exc) in (_IOERR, _FULL, _CANTOPEN) and _empty_wal(resolved) and _no_room(resolved):
                try:
                    return _reader(f"{base}?mode=ro&immutable=1", busy_timeout_ms)
                except sqlite3.Error:
                    pass  # explained below, with the first error
            break
    assert failure is not None
    raise read_failure(path, failure) from failure


def _empty_wal(path: Path) -> bool:
    """No committed change waits in a ``-wal`` file: the database file alone is complete."""
    try:
        return os.stat(f"{path}-wal").st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _reader(uri: str, busy_timeout_ms: int) -> sqlite_utils.Database:
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


# -- explaining failures -------------------------------------------------------------------------


def write_failure(path: Path | None, exc: sqlite3.Error, busy_timeout_ms: int) -> ProjectError:
    """The user's explanation of why a write failed; the change was rolled back in every case."""
    where = path or "project"
    code = _code(exc)
    if code in (_BUSY, _LOCKED):
        return ProjectBusyError(
            f"{where}: another program is writing to this project (an import, or Annotator open "
            f"twice) and did not finish within {busy_timeout_ms / 1000:g} s; the change was not "
            "saved - try again in a moment"
        )
    room = _no_room(path) if path is not None and code in (_FULL, _IOERR) else None
    if code == _FULL or room == "the disk is full":
        return ProjectWriteError(f"{where}: the disk is full; the change was not saved ({exc})")
    if room is not None:
        return ProjectWriteError(f"{where}: {room}; the change was not saved ({exc})")
    if code == _READONLY:
        return ProjectWriteError(
            f"{where}: the project file or its folder is read-only; the change was not saved ({exc})"
        )
    if code in (_IOERR, _CORRUPT):
        return ProjectWriteError(f"{where}: the disk refused the write; the change was not saved ({exc})")
    return ProjectWriteError(f"{where}: could not save: {exc}")


def read_failure(path: Path | None, exc: sqlite3.Error) -> ProjectError:
    """The user's explanation of why a read failed (nothing was changed by it)."""
    where = path or "project"
    code = _code(exc)
    if code in (_CORRUPT, _NOTADB):
        return ProjectError(f"{where}: the project file is damaged or unreadable ({exc})")
    if code in (_FULL, _IOERR) and path is not None:
        room = _no_room(path)
        if room is not None:
            return ProjectError(f"{where}: cannot read the project: {room} ({exc})")
    if code in (_BUSY, _LOCKED):
        return ProjectBusyError(f"{where}: another program kept the project locked; try again ({exc})")
    return ProjectError(f"{where}: cannot read the project: {exc}")


# -- copies, staging files -----------------------------------------------------------------------


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a schema-``version`` project is kept before it is upgraded."""
    candidate = path.with_name(f"{path.name}.schema-{version}.backup")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.schema-{version}.backup-{number}")
    return candidate


def write_backup(db: sqlite_utils.Database, path: Path, target: Path) -> Path:
    """A complete, consistent copy of the project ``path`` at ``target`` (written beside, then moved)."""
    staging = target.with_name(f".{target.name}.writing-{os.getpid()}")
    try:
        with closing(sqlite3.connect(staging)) as copy:
            db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        os.replace(staging, target)
    except (OSError, sqlite3.Error) as exc:
        remove_database_files(staging)
        raise ProjectError(
            f"{path}: cannot write the backup copy {target} before upgrading the project "
            f"({exc}); the project was left unchanged"
        ) from exc
    return target


def process_alive(pid: str) -> bool:
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


def remove_database_files(path: Path) -> None:
    """Remove ``path`` and its ``-wal``/``-shm``/``-journal`` companions, if any."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


__all__ = [
    "BUSY_TIMEOUT_ENV",
    "DEFAULT_BUSY_TIMEOUT_MS",
    "backup_path",
    "busy_timeout_ms",
    "check_writable",
    "connect_reader",
    "connect_writer",
    "inspect",
    "inspect_file",
    "read_failure",
    "read_only_uri",
    "write_backup",
    "write_failure",
]
