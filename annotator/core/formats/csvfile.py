"""CSV and TSV files of documents: one row per document, a header row naming the columns.

The text is the column named ``text`` (any case) unless another is named (``--text-column``);
``--id-column`` and ``--title-column`` name the id and title (default: ids ``<file stem>-<row>``,
no title); every other column is kept in the document's meta under its header. ``.csv`` is
comma-separated, ``.tsv`` tab-separated; fields may be quoted (RFC 4180), and a quoted field may
hold line breaks, kept exactly (``\\r\\n`` stays ``\\r\\n``). A row with another number of fields
than the header, an unterminated quote or a missing column is an error naming the file and the
line the row starts on, and the import keeps nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.formats.input_files import read_text_file
from annotator.core.formats.plain import document_from_record
from annotator.core.formats.records import shown
from annotator.core.store import DocumentInput

SUFFIXES = (".csv", ".tsv")


@dataclass(frozen=True)
class Columns:
    """Which columns hold the text, the id and the title (None: the defaults above)."""

    text: str | None = None
    id: str | None = None
    title: str | None = None


def _find(path: Path, header: list[str], name: str, option: str) -> int:
    if name in header:
        return header.index(name)
    raise InputError(
        path, f"no column {shown(name)} ({option}); the columns are {', '.join(map(shown, header))}", 1
    )


def read_csv_documents(path: Path, columns: Columns = Columns()) -> Iterator[DocumentInput]:
    """The documents of one CSV or TSV file (see the module docstring)."""
    text = read_text_file(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1  # where the next row starts
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(path, f"malformed header row: {exc}", 1) from None
    if header is None:
        raise InputError(path, "empty file: a CSV of documents needs a header row naming its columns")
    if len(set(header)) != len(header):
        raise InputError(path, "the header row names a column twice", 1)
    if columns.text is not None:
        text_at = _find(path, header, columns.text, "--text-column")
    else:
        found = [i for i, name in enumerate(header) if name.strip().lower() == "text"]
        if len(found) != 1:
            raise InputError(
                path,
                f"no column named 'text' (columns: {', '.join(map(shown, header))}); "
                "name it with --text-column",
                1,
            )
        text_at = found[0]
    id_at = _find(path, header, columns.id, "--id-column") if columns.id is not None else None
    title_at = _find(path, header, columns.title, "--title-column") if columns.title is not None else None
    special = {text_at, id_at, title_at}
    line = reader.line_num + 1
    row_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(path, f"malformed row: {exc}", line) from None
        start, line = line, reader.line_num + 1
        if not row:
            continue  # a blank line
        row_number += 1
        if len(row) != len(header):
            raise InputError(path, f"the row has {len(row)} field(s), the header {len(header)}", start)
        record: dict[str, object] = {
            "text": row[text_at],
            "id": row[id_at] if id_at is not None else f"{path.stem}-{row_number}",
            "meta": {
                name: value
                for i, (name, value) in enumerate(zip(header, row, strict=True))
                if i not in special
            },
        }
        if title_at is not None:
            record["title"] = row[title_at]
        yield document_from_record(path, start, record)
