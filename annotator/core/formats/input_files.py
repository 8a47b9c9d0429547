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


def walk_files(root: Path, suffixes: Sequence[str]) -> list[Path]:
    """Files under ``root`` (recursively, sorted by relative path) whose suffix is in ``suffixes``.

    Symbolic links to folders are not followed; a folder that cannot be read is an error (a
    silent skip would lose its files).
    """

    def refuse(exc: OSError) -> None:
        raise InputError(exc.filename or root, f"cannot read folder: {exc.strerror}")

    found: list[tuple[str, Path]] = []
    for folder, _dirs, names in os.walk(root, onerror=refuse):
        base = Path(folder)
        for name in names:
            path = base / name
            if path.suffix.lower() in suffixes and path.is_file():
                found.append((path.relative_to(root).as_posix(), path))
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


def collect_files(paths: Iterable[str | Path], suffixes: Sequence[str]) -> list[Path]:
    """Expand folders (recursively, sorted) into the files with ``suffixes``; keep files as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(walk_files(path, suffixes))
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
