"""Writing the files a user asks for: complete or not at all, inside the chosen folder, safely named.

Exports and agreement reports share these rules:

* **Staged, then moved into place.** Output goes to a hidden staging file or folder beside the
  target (``.NAME.HOST.PID.TOKEN.partial``) and is renamed over the target only when complete,
  so a failure, a full disk, a cancel or a kill leaves the previous file as it was. Each write
  has its own staging name, so two writes to one target never publish each other's half-written
  file; what a killed write left is removed by the next write to the same target once its
  process is gone.
* **Special files are written through.** A target that exists and is not a regular file or a
  folder (``/dev/null``, ``/dev/stdout``, a FIFO, a terminal) is opened and written directly:
  renaming a staging file over it would replace the device or pipe with a plain file. A
  symbolic link is followed: the file it points to is replaced, the link stays.
* **Inside the chosen folder.** Every path a writer creates inside an output folder is made by
  :func:`file_in`, which refuses any name that is not one plain path component, and is created
  exclusively (never through an existing file or link).
* **Portable, distinct names.** :class:`FileNames` turns ids into file names that are valid on
  Linux, macOS and Windows, distinct even where names are compared case-insensitively, and no
  longer than a file name may be.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from annotator.core.errors import AnnotatorError

__all__ = [
    "MAX_NAME_BYTES",
    "FileNames",
    "StagedOutput",
    "create_text_file",
    "file_in",
    "write_text_atomically",
]

_PARTIAL = ".partial"
#: This machine, in staging names (a process id means something only on its own host).
_HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname() or "host")


def _staging(target: Path) -> Path:
    """``.NAME.HOST.PID.TOKEN.partial`` beside ``target``: unique to this write."""
    return target.parent / f".{target.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}{_PARTIAL}"


def _process_gone(pid: int) -> bool:
    """True only when no process ``pid`` runs on this machine (never guessed on Windows, where
    ``os.kill`` would end the process)."""
    if pid == os.getpid() or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _remove_stale_staging(target: Path) -> None:
    """Remove what earlier writes to ``target`` left behind when they were killed.

    A staging file or folder of ``target`` goes when its process is gone; one written by an
    older version (``.NAME.partial``, no owner) goes too. Staging of a live write - in another
    process, another thread, or on another host sharing the folder - is left alone.
    """
    prefix = f".{target.name}."
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(_PARTIAL)):
            continue
        owner = name[len(prefix) : -len(_PARTIAL)]
        if owner:
            host, _, rest = owner.rpartition(".")[0].rpartition(".")
            pid = rest if host else ""
            if host != _HOST or not pid.isdigit() or not _process_gone(int(pid)):
                continue
        try:
            _remove(Path(entry.path))
        except OSError:
            pass  # in use or not ours to remove: the write itself is not affected


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def is_special_file(path: Path) -> bool:
    """Whether ``path`` (links followed) exists and is neither a regular file nor a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class StagedOutput:
    """A file or folder that replaces ``target`` only when it is complete.

    Write to :attr:`path`, then call :meth:`commit`; on any failure call :meth:`discard`. A
    single file whose target is a special file (:func:`is_special_file`) is written straight
    through: :attr:`path` is the target itself and there is nothing to move.
    """

    def __init__(self, target: Path, *, folder: bool = False) -> None:
        self.folder = folder
        self.through = not folder and is_special_file(target)
        self.committed = False
        if self.through:  # opened by its own name: /dev/stdout leads to a pipe no path names
            self.target = self.path = target
            return
        if target.is_symlink():
            target = Path(os.path.realpath(target))  # replace what the link points to, keep the link
        self.target = target
        _remove_stale_staging(target)
        self.path = _staging(target)
        if folder:
            self.path.mkdir()

    def open_text(self) -> TextIO:
        """The staged file, opened for writing UTF-8 text with ``\\n`` line ends."""
        if self.through:
            return self.target.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
        return create_text_file(self.path)

    def commit(self) -> None:
        """Move the complete output into place (an empty target folder is replaced)."""
        if not self.through:
            if self.folder and self.target.is_dir():
                self.target.rmdir()
            os.replace(self.path, self.target)
        self.committed = True

    def discard(self) -> None:
        """Remove the staged output; the target is as it was (never raises)."""
        if self.through or self.committed:
            return
        try:
            _remove(self.path)
        except OSError:
            pass  # the next write to this target removes it once this process is gone


def write_text_atomically(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` so that it is either the old file or the new one."""
    staged = StagedOutput(target)
    try:
        with staged.open_text() as handle:
            handle.write(text)
        staged.commit()
    finally:
        staged.discard()


def file_in(folder: Path, name: str) -> Path:
    """``folder / name``, after proving that ``name`` is one plain component inside ``folder``.

    Refused (:class:`AnnotatorError`): an empty name, ``.`` and ``..``, any separator, a drive
    or root, a NUL. A writer names every file and folder it creates through this function, so
    no id or annotator name can make it write anywhere else.
    """
    bad = (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or (os.altsep is not None and os.altsep in name)
    )
    path = folder / name
    if bad or path.parent != folder or path.name != name or Path(name).is_absolute() or Path(name).drive:
        raise AnnotatorError(f"{name!r} is not a file name inside {folder}: nothing was written there")
    return path


def create_text_file(path: Path) -> TextIO:
    """Create ``path`` for writing UTF-8 text; it must not exist yet (no file or link is followed)."""
    return path.open("x", encoding="utf-8", newline="\n", buffering=1 << 20)


#: The longest file name, in bytes, that common file systems take (ext4, APFS, NTFS: 255).
MAX_NAME_BYTES = 255
#: Names Windows reserves for devices, whatever follows a dot (``CON.txt`` is the console too).
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{kind}{n}" for kind in ("COM", "LPT") for n in "0123456789"]
)
#: A percent escape or one other character: the units a name is built from.
_UNITS = re.compile(r"%[0-9A-F]{2}|.", re.DOTALL)
_HASH_CHARS = 16


def _escape(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))


class FileNames:
    """Distinct, portable file names for the ids written into one folder.

    A name is the id percent-encoded (``urllib.parse.unquote`` gives the id back): every
    character but ASCII letters, digits, ``_.-~`` and space is escaped as UTF-8 bytes. On top of
    that, so that the name is valid and distinct everywhere:

    * a leading dot is escaped (no hidden files, never ``.`` or ``..``), and so are trailing
      dots and spaces, which Windows drops;
    * a name Windows reserves for a device (``CON``, ``NUL``, ``COM1``…, also before a dot)
      gets its first character escaped;
    * a name equal, ignoring case, to one already given in this folder (``Doc`` after ``doc``)
      gets all its letters escaped, which keeps it reversible and makes it distinct on
      case-insensitive file systems (Windows, macOS);
    * a name longer than :data:`MAX_NAME_BYTES` with its suffix is cut and ends with ``~`` and
      16 hex digits of the id's SHA-256; such a name no longer gives the id back, so the caller
      reports it (:meth:`name` says so).
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def name(self, ident: str, suffixes: tuple[str, ...] = ("",)) -> tuple[str, bool]:
        """The stem for ``ident`` (each of ``suffixes`` is appended to it to make a file name);
        True when the stem had to be shortened. The names are claimed in this folder."""
        limit = MAX_NAME_BYTES - max(len(suffix.encode("utf-8")) for suffix in suffixes)
        stem = _portable(quote(ident, safe=" "))
        if self._clashes(stem, suffixes):
            stem = "".join(_escape(u) if u.isascii() and u.isalpha() else u for u in _units(stem))
        shortened = len(stem) > limit
        if shortened:
            stem = _shorten(stem, ident, limit)
        if self._clashes(stem, suffixes):  # only a crafted id can get here; stay distinct anyway
            stem = _shorten(stem, f"{ident}\x00{len(self._taken)}", min(limit, len(stem)))
            shortened = True
        for suffix in suffixes:
            self._taken.add((stem + suffix).lower())
        return stem, shortened

    def _clashes(self, stem: str, suffixes: tuple[str, ...]) -> bool:
        return any((stem + suffix).lower() in self._taken for suffix in suffixes)


def _units(name: str) -> list[str]:
    return _UNITS.findall(name)


def _portable(name: str) -> str:
    """Escape what Windows (or a file listing) would treat specially; see :class:`FileNames`."""
    units = _units(name)
    if units and units[0] == ".":
        units[0] = _escape(".")
    end = len(units)
    while end > 0 and units[end - 1] in (".", " "):
        end -= 1
        units[end] = _escape(units[end])
    base = "".join(units).split(".")[0].rstrip(" ").upper()
    if base in _RESERVED:
        units[0] = _escape(units[0])
    return "".join(units)


def _shorten(name: str, ident: str, limit: int) -> str:
    """``name`` cut to ``limit`` bytes (never inside an escape), ending in ``~`` and a hash of ``ident``."""
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    room = limit - 1 - _HASH_CHARS
    kept: list[str] = []
    used = 0
    for unit in _units(name):
        if used + len(unit) > room:
            break
        kept.append(unit)
        used += len(unit)
    head = "".join(kept)
    while head.endswith((" ", ".")):  # what Windows would drop before the ~
        head = head[:-1]
    return f"{head}~{digest}"
