"""CSV/TSV documents (issue 12, item 10): the text column found or named, id and title columns,
other columns as meta, texts kept exactly (emoji, CJK, combining marks, \\r\\n inside quoted
fields, UTF-16 files), and every malformed row an error naming the file and line, keeping nothing.
The files are written by Python's csv module (what spreadsheets and pandas write)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.errors import InputError
from annotator.core.formats.importer import ImportOptions, detect_file, import_corpus
from annotator.core.store import Project

TEXTS = [
    "Kim 👩\u200d🔬 met 🇺🇸 friends.",
    "北朝鮮の兵士がクルスクにいる。",
    'Cafe\u0301 de\u0301ja\u0300 vu, "quoted", and commas',
    "Line one.\r\nLine two\rthree\u2028four\n\ttabbed\u00a0NBSP",
    "السفير قال שלום",
]


def write_table(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding=encoding, newline="")


@pytest.mark.parametrize(
    ("suffix", "delimiter", "encoding"), [(".csv", ",", "utf-8"), (".tsv", "\t", "utf-16")]
)
def test_texts_come_back_exactly_with_ids_titles_and_meta(
    project: Project, tmp_path: Path, suffix: str, delimiter: str, encoding: str
) -> None:
    path = tmp_path / f"news{suffix}"
    rows = [["Text", "source", "n"]] + [[text, "wire", str(n)] for n, text in enumerate(TEXTS)]
    write_table(path, rows, delimiter, encoding)
    assert detect_file(path) == "csv"
    import_corpus(project, [path])
    ids = [f"news-{n}" for n in range(1, len(TEXTS) + 1)]
    assert project.document_ids() == ids
    for doc_id, text, n in zip(ids, TEXTS, range(len(TEXTS)), strict=True):
        assert project.document_text(doc_id) == text
        assert project.document(doc_id).meta == {"source": "wire", "n": str(n)}


def test_named_columns(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_table(
        path,
        [["body", "key", "headline", "x"], [TEXTS[0], "a1", "Title 👍🏽", "y"], [TEXTS[1], "a2", "", "z"]],
    )
    options = ImportOptions(text_column="body", id_column="key", title_column="headline")
    import_corpus(project, [path], options)
    assert project.document_ids() == ["a1", "a2"]
    assert project.document("a1").title == "Title 👍🏽"
    assert project.document("a1").meta == {"x": "y"}
    assert project.document_text("a2") == TEXTS[1]


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("text,a\r\nKim,1\r\nWood\r\n", {}, r"t.csv:3: the row has 1 field\(s\), the header 2"),
        ('text,a\r\n"Kim\r\nmet,1\r\n', {}, r"t.csv:2: malformed row"),
        (
            "body,a\r\nKim,1\r\n",
            {},
            r"t.csv:1: no column named 'text' \(columns: 'body', 'a'\); name it with --text-column",
        ),
        ("text,a\r\nKim,1\r\n", {"id_column": "key"}, r"t.csv:1: no column 'key' \(--id-column\)"),
        ("text,text\r\nKim,1\r\n", {}, r"t.csv:1: the header row names a column twice"),
        ("text,id\r\nKim,\r\n", {"id_column": "id"}, r"t.csv:2: field 'id' must be a non-empty"),
        ("", {}, r"t.csv: empty file"),
    ],
)
def test_a_bad_file_names_file_and_line_and_keeps_nothing(
    project: Project, tmp_path: Path, content: str, options: dict[str, str], message: str
) -> None:
    good = tmp_path / "a.csv"
    write_table(good, [["text", "key", "id"], ["kept only if all is well", "k1", "i1"]])
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8", newline="")
    with pytest.raises(InputError, match=message):
        import_corpus(project, [good, path], ImportOptions(**options))  # type: ignore[arg-type]
    assert project.document_ids() == []


def test_the_command_line_takes_the_column_options(tmp_path: Path) -> None:
    path = tmp_path / "rows.tsv"
    write_table(path, [["id", "content"], ["d1", TEXTS[3]]], "\t")
    db = tmp_path / "p.db"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "import", str(path), "--text-column", "content", "--id-column", "id"]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1 document(s)" in result.output
    with Project.open(db) as project:
        assert project.document_text("d1") == TEXTS[3]
    bad = CliRunner().invoke(cli, ["--db", str(db), "import", str(path)])
    assert bad.exit_code != 0
    assert "rows.tsv:1: no column named 'text'" in bad.output
