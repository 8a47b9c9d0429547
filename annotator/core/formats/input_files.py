"""Reading input files: finding them in folders, refusing what is not a regular file, decoding.

Files are read as bytes and decoded strictly (UTF-8, or UTF-16 with a byte-order mark), so a
stored text is exactly the file's text and a bad byte is refused naming its line.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from annotator.core.errors import InputError


def walk_files(root: Path, suffixes: Sequence[str], notes: list[str] | None = None) -> list[Path]:
    """Files under ``root`` (recursively, sorted by relative path) whose suffix is in ``suffixes``.

    Symbolic links are followed, to files and to folders, as a user who links data into a corpus
    folder expects; each folder is read once. A link to a folder that this walk reads anyway -
    one that contains the link (which would loop forever) or one reached another way - is not
    followed again, and a file with a wanted suffix that is not a regular file (a link that
    leads nowhere, a FIFO, a device) is skipped; each of these is added to ``notes``. A folder
    that cannot be read is an error (a silent skip would lose its files).
    """

    def refuse(exc: OSError) -> None:
        raise InputError(exc.filename or root, f"cannot read folder: {exc.strerror}")

    def read_once(folder: Path) -> bool:
        try:
            info = folder.stat()
        except OSError as exc:
            raise InputError(folder, f"cannot read folder: {exc.strerror}") from exc
        first = seen.setdefault((info.st_dev, info.st_ino), folder)
        if first == folder:
            return True
        if notes is not None:
            how = "a link to" if folder.is_symlink() else "the same folder as"
            if folder.is_relative_to(first):
                notes.append(f"{folder}: not followed: {how} {first}, which contains it (a loop)")
            else:
                notes.append(f"{folder}: not read twice: {how} {first}, which this import reads")
        return False

    seen: dict[tuple[int, int], Path] = {}
    read_once(root)
    found: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root, onerror=refuse, followlinks=True):
        base = Path(folder)
        dirs[:] = [name for name in sorted(dirs) if read_once(base / name)]
        for name in names:
            path = base / name
            if path.suffix.lower() not in suffixes:
                continue
            if path.is_file():
                found.append((path.relative_to(root).as_posix(), path))
            elif notes is not None:
                what = (
                    "a link that leads nowhere"
                    if path.is_symlink() and not path.exists()
                    else "not a regular file"
                )
                notes.append(f"{path}: skipped: {what}")
    found.sort(key=lambda item: item[0])
    return [path for _key, path in found]


def check_file_name(path: Path, root: Path | None = None) -> None:
    """Refuse a file name (or the names below ``root``) that is not valid Unicode.

    Such a name (``os.fsdecode`` turns its bad bytes into lone surrogates) would become a
    document id, a source or an annotator's name, which the project cannot store.
    """
    names = [path.name] if root is None else [root.resolve().name, *path.relative_to(root).parts]
    try:
        for name in names:
            name.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            os.fsencode(path).decode("utf-8", "backslashreplace"),
            "the file name is not valid UTF-8; rename the file",
        ) from None


def decode_text(path: Path, data: bytes) -> str:
    """The text of a file: UTF-8 (a leading BOM is dropped), or UTF-16 with a byte-order mark.

    Decoding is strict; an error names the line of the bad byte. NUL bytes mean a binary file,
    UTF-32 is refused with a note to save the file as UTF-8.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError(path, "UTF-32 text (byte-order mark): save the file as UTF-8", 1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(path, data)
    if b"\x00" in data:
        raise InputError(path, nul_reason(data), data[: data.index(b"\x00")].count(b"\n") + 1)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path, f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", line
        ) from exc


def nul_reason(data: bytes) -> str:
    """Why bytes with NULs are refused: UTF-16 without a byte-order mark, or not text at all."""
    sample = data[:4096]
    zeros = sample.count(b"\x00")
    if zeros * 3 > len(sample) and zeros in (sample[0::2].count(b"\x00"), sample[1::2].count(b"\x00")):
        return "UTF-16 text without a byte-order mark: save the file as UTF-8 (or UTF-16 with BOM)"
    return "binary file (contains NUL bytes), not UTF-8 text"


def _decode_utf16(path: Path, data: bytes) -> str:
    encoding = "UTF-16 LE" if data.startswith(codecs.BOM_UTF16_LE) else "UTF-16 BE"
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        line = data[: exc.start - exc.start % 2].decode("utf-16", "replace").count("\n") + 1
        raise InputError(path, f"invalid {encoding} ({exc.reason} at byte offset {exc.start})", line) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, f"binary file ({encoding} text with NUL characters)", line)
    return text


def collect_files(
    paths: Iterable[str | Path], suffixes: Sequence[str], notes: list[str] | None = None
) -> list[Path]:
    """Expand folders (see :func:`walk_files`) into the files with ``suffixes``; keep files as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(walk_files(path, suffixes, notes))
        else:
            check_input_file(path)
            found.append(path)
    for path in found:
        check_file_name(path)
    return found


def check_input_file(path: Path) -> None:
    """Refuse a path given as a file that is missing or not a regular file (a FIFO, a device)."""
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if not path.is_file():
        raise InputError(path, "not a regular file or folder")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc


def read_text_file(path: Path) -> str:
    """A file's text, strictly decoded (see :func:`decode_text`)."""
    return decode_text(path, read_bytes(path))
