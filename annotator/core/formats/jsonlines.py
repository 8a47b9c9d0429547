"""JSON Lines: strict reading of one object per line, and the fields JSONL corpora share.

Reading refuses what ``json.loads`` lets through (duplicate keys, NaN and Infinity, numbers too
large for a float, lone surrogates, NUL) and names the file and line of anything it refuses.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.core.errors import InputError
from annotator.core.formats.input_files import decode_text, nul_reason
from annotator.core.formats.records import require_int, shown


class _Refused(Exception):
    """A JSON line that parses but is not acceptable (raised inside the JSON decoder's hooks)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused(f"duplicate key {shown(key)} in a JSON object (keys must be unique)")
            seen.add(key)
    return record


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _Refused(f"the number {shown(literal)} is too large")
    return value


#: The fast decoder, and the one that also refuses duplicate keys (a hook call per object).
_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant)
_STRICT_DECODER = json.JSONDecoder(
    parse_float=_finite_float, parse_constant=_no_constant, object_pairs_hook=_unique_pairs
)
#: A key followed by whitespace before its colon (``"key" : 1``).
_SPACED_KEY = re.compile(r'"[ \t\r\n]+:')


def _pairs_at_least(record: dict[str, Any]) -> int:
    """How many key/value pairs ``record`` has at least: its own and those one level down."""
    count = len(record)
    for value in record.values():
        kind = type(value)
        if kind is dict:
            count += len(value)
        elif kind is list:
            count += sum([len(item) for item in value if type(item) is dict])
    return count


def parse_json_line(line: str, raw: bytes | None = None) -> Any:
    """``json.loads`` for one record, refusing duplicate keys, NaN/Infinity and infinite numbers.

    ``raw`` is the line's UTF-8 bytes (searched much faster than the string). Raises
    ``json.JSONDecodeError``, ``RecursionError``, ``ValueError`` or ``_Refused``.

    Duplicate keys are found without slowing down the common case. When no string holds
    ``\\":`` and no key is spaced from its colon, every ``":`` of the line ends a key; if their
    number equals the number of keys the parsed object has (at least), no key was lost to a
    duplicate. Any other line is parsed again with a hook that checks every object.
    """
    if raw is None:
        raw = line.encode("utf-8", "surrogatepass")
    value = _DECODER.decode(line)
    if type(value) is dict and (
        raw.count(b'":') != _pairs_at_least(value)
        or (b"\\" in raw and b'\\":' in raw)
        or (_maybe_spaced(raw) and _SPACED_KEY.search(line) is not None)
    ):
        value = _STRICT_DECODER.decode(line)
    return value


def _maybe_spaced(raw: bytes) -> bool:
    """Whether whitespace may stand between a key and its colon (JSON strings hold no raw tab or CR)."""
    end = len(raw) - (2 if raw.endswith(b"\r\n") else 1 if raw.endswith(b"\n") else 0)
    return b" :" in raw or raw.find(b"\t", 0, end) >= 0 or raw.find(b"\r", 0, end) >= 0


def _strings_problem(record: Any) -> str | None:
    """What is wrong with the strings of a parsed record (lone surrogate, NUL), if anything."""
    stack = [record]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            if "\x00" in value:
                return "a \\u0000 escape: NUL characters are not allowed (Annotator stores plain text)"
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "a \\u escape gives half of a surrogate pair, not a character"
    return None


def _utf8_lines(path: Path, handle: BinaryIO) -> Iterator[tuple[int, str, bytes]]:
    for number, raw in enumerate(handle, start=1):
        if raw.startswith(codecs.BOM_UTF8):  # the file's BOM, or one left by joining files
            raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        if b"\x00" in raw:  # never JSON: a binary file, or UTF-16 without its byte-order mark
            raise InputError(path, nul_reason(raw), number)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                path, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})", number
            ) from exc
        yield number, line, raw


def _utf16_lines(path: Path, handle: BinaryIO) -> Iterator[tuple[int, str, bytes]]:
    text = decode_text(path, handle.read())
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removeprefix("\ufeff")
        if line.strip(" \t\n\r\x0b\x0c"):  # what bytes.strip() strips for UTF-8 lines
            yield number, line, line.encode("utf-8")


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) per non-blank line, streamed; bad input names its line.

    Lines end with ``\\n`` (a ``\\r`` before it is JSON whitespace); no other character ends a
    line. UTF-8 (a byte-order mark at the start of any line is dropped) or UTF-16 with a BOM.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    with handle:
        try:
            head = handle.read(4)
            handle.seek(0)
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from exc
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            decode_text(path, head)  # raises: UTF-32 is not read
        utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        lines = _utf16_lines(path, handle) if utf16 else _utf8_lines(path, handle)
        while True:
            try:
                number, line, raw = next(lines)
            except StopIteration:
                return
            except OSError as exc:
                raise InputError(path, f"cannot read: {exc.strerror}") from exc
            yield number, _json_record(path, number, line, raw)


def _json_record(path: Path, number: int, line: str, raw: bytes) -> dict[str, Any]:
    try:
        record = parse_json_line(line, raw)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and line[: exc.pos].rstrip(" \t").endswith("\r"):
            raise InputError(
                path,
                "records separated by a lone \\r (old Mac line ends): JSON Lines needs \\n or \\r\\n",
                number,
            ) from None
        raise InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", number) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply", number) from None
    except _Refused as exc:
        raise InputError(path, str(exc), number) from None
    except ValueError as exc:  # int() refuses more than sys.get_int_max_str_digits() digits
        reason = "a number with too many digits" if "digits" in str(exc) else str(exc)
        raise InputError(path, f"malformed JSON: {reason}", number) from None
    if not isinstance(record, dict):
        raise InputError(path, f"expected a JSON object, got {type(record).__name__}", number)
    if b"\\" in raw and (b"\\u0000" in raw or b"\\ud" in raw or b"\\uD" in raw):
        problem = _strings_problem(record)
        if problem is not None:
            raise InputError(path, problem, number)
    return record


def first_json_record(path: Path) -> dict[str, Any] | None:
    """The first object of a JSONL file (for format detection), or None if there is none."""
    for _number, record in iter_json_lines(path):
        return record
    return None


def record_id(path: Path, number: int, value: Any) -> str:
    """A document id from a record: a non-empty string, or an integer written as a string."""
    if require_int(value):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            path, f"document id must be a non-empty string or integer, got {shown(value)}", number
        )
    return value


def optional_str(path: Path, number: int, record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(path, f"field {key!r} must be a string or null", number)
    return value


def record_title(path: Path, number: int, record: dict[str, Any], key: str) -> str | None:
    """A record's title: None when the key is absent (the project then shows the id), ``""`` -
    no title - when it is ``null``, as an export writes a document without a title."""
    if key in record and record[key] is None:
        return ""
    return optional_str(path, number, record, key)


def record_header(path: Path, number: int, record: dict[str, Any]) -> tuple[str, str, str | None, str | None]:
    """(text, id, title, annotator) shared by the JSONL corpus formats.

    The id defaults to ``<file stem>-<line>``; ``"title": null`` is no title (see
    :func:`record_title`); a record without an ``annotator`` key belongs to the
    layer named after the file's stem, an explicit ``null`` to no layer.
    """
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(path, "field 'text' is missing or not a string", number)
    doc_id = record_id(path, number, record.get("id", f"{path.stem}-{number}"))
    title = record_title(path, number, record, "title")
    annotator = optional_str(path, number, record, "annotator") if "annotator" in record else path.stem
    return text, doc_id, title, annotator
