"""One table of formats (issue 12, item 11): the command line, the exporter, the importer's
detection and docs/formats.md all follow ``registry.FORMATS``."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from annotator.cli import cli
from annotator.core.errors import AnnotatorError
from annotator.core.formats import registry
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import detect_file
from annotator.core.store import DocumentInput, Project

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def _choices(command: str) -> tuple[str, ...]:
    group = cli
    assert isinstance(group, click.Group)
    found = group.commands[command]
    (option,) = [p for p in found.params if p.name == "fmt"]
    assert isinstance(option.type, click.Choice)
    return tuple(option.type.choices)


def test_the_command_line_offers_the_registrys_formats() -> None:
    assert _choices("export") == registry.EXPORT_FORMATS
    assert _choices("import") == registry.IMPORT_FORMATS
    assert registry.EXPORT_FORMATS[0] == "jsonl"  # the default, first
    # Everything written is read back, but a token classification dataset (it lost the spacing).
    assert set(registry.EXPORT_FORMATS) - set(registry.IMPORT_FORMATS) == {"hf"}


def test_every_format_row_is_complete() -> None:
    names = [f.name for f in registry.FORMATS]
    assert len(names) == len(set(names))
    for fmt in registry.FORMATS:
        for field in (fmt.title, fmt.purpose, fmt.hint, fmt.cannot_hold, fmt.suffixes):
            assert field, fmt.name
        assert all(s.startswith(".") for s in fmt.suffixes)
        if fmt.exports:
            assert fmt.folder or fmt.extension in fmt.suffixes
            assert (fmt.writer is None) != (fmt.path_writer is None)
        if fmt.folder:
            assert fmt.path_writer is not None or not fmt.exports


def test_docs_table_is_the_registrys() -> None:
    text = DOCS.read_text(encoding="utf-8")
    begin = text.index("-->\n", text.index("<!-- formats table")) + 4
    end = text.index("<!-- end of formats table -->")
    assert text[begin:end] == registry.markdown_table(), "rewrite the table with registry.markdown_table()"
    synopses = re.findall(r"annotator (export|import) .*?\[--format ([a-z|]+)\]", text)
    assert {(c, tuple(s.split("|"))) for c, s in synopses} == {
        ("export", registry.EXPORT_FORMATS),
        ("import", registry.IMPORT_FORMATS),
    }
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    (listed,) = re.findall(r"annotator export --format ([a-z|]+)", readme)
    assert tuple(listed.split("|")) == registry.EXPORT_FORMATS
    for fmt in registry.FORMATS:
        if fmt.exports:
            assert f"({'`'}{fmt.name}{'`'})" in text, f"docs/formats.md has no section for {fmt.name}"


@pytest.mark.parametrize(
    ("name", "first_line", "expected"),
    [
        ("a.jsonl", '{"id": "a", "text": "x", "spans": []}', "jsonl"),
        ("a.jsonl", '{"text": "x", "label": []}', "doccano"),
        ("a.json", '{"text": "x", "entities": []}', "doccano"),
        ("a.ndjson", '{"text": "x", "tokens": [], "answer": "accept"}', "prodigy"),
        ("a.jsonl", '{"text": "x", "spans": [], "answer": "accept"}', "prodigy"),
        ("a.jsonl", '{"text": "x", "label": "PERSON", "_input_hash": 1}', "prodigy"),
        ("a.jsonl", '{"text": "x", "id": "a"}', "text"),
        ("a.conll", "Kim O", "conll"),
        ("a.BIO", "Kim O", "conll"),
        ("a.iob", "Kim O", "conll"),
        ("a.txt", "Kim", "text"),
    ],
)
def test_detection_follows_the_registry(tmp_path: Path, name: str, first_line: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(first_line + "\n", encoding="utf-8")
    assert detect_file(path) == expected


def test_an_unknown_format_names_the_choices(project: Project) -> None:
    project.add_documents([DocumentInput("a", "Kim")])
    with pytest.raises(AnnotatorError, match=r"unknown format 'excel' \(choose from jsonl, doccano"):
        export_corpus(project, ExportOptions(format="excel"))
    with pytest.raises(AnnotatorError, match="unknown format 'text'"):
        registry.get("text", exporting=True)


def test_import_filter_names_every_suffix_read() -> None:
    every = registry.import_filter().split(";;")[0]
    for suffix in registry.IMPORT_SUFFIXES:
        assert f"*{suffix}" in every
    assert ".ann" not in every  # brat is imported as a folder
