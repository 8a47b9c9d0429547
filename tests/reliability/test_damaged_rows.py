"""Rows that another program damaged, in a file that passes the open checks: named, never a traceback.

Each case is a real project whose schema and one row were changed the way another tool could
change them (constraints dropped from the schema, then a row written that breaks them), so the
file's own checks (``quick_check``, the tables, the schema version) still pass. Every command
must then say which row is damaged in one line, change nothing, and never export a record its
own import would refuse.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core import adjudication
from annotator.core.errors import DamagedRowError
from annotator.core.merge import merge_project
from annotator.core.store import DocumentInput, Project

TEXT = "Robert Wood said 4,500 troops arrived."


def make_project(path: Path) -> Path:
    with Project.open(path) as project:
        project.add_documents(
            [DocumentInput("good", "A good document.", "Good"), DocumentInput("d1", TEXT, "Doc one")]
        )
        project.add_span("d1", "alice", 0, 11, "actor")
        project.add_span("d1", "bob", 0, 6, "actor")
        project.set_status("d1", "alice", "done")
        (disagreement,) = adjudication.document_disagreements(project, "d1", "alice", "bob")
        adjudication.resolve(project, "d1", "alice", "bob", disagreement, "a")
    return path


def _loosen(conn: sqlite3.Connection, table: str, *replacements: tuple[str, str]) -> None:
    """Drop constraints from ``table``'s schema (as a careless tool's own CREATE TABLE would)."""
    conn.execute("PRAGMA writable_schema = ON")
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
    for old, new in replacements:
        assert old in sql
        sql = sql.replace(old, new)
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", [sql, table])
    conn.execute("PRAGMA writable_schema = OFF")
    conn.commit()


def damaged_with(*replacements: tuple[str, str], table: str, update: str) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        make_project(path)
        with sqlite3.connect(path) as conn:
            if replacements:
                _loosen(conn, table, *replacements)
        conn.close()
        with sqlite3.connect(path) as conn:  # the loosened schema, read afresh
            conn.execute(update)
        conn.close()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        conn.close()
        return path

    return build


_SPAN_CHECKS = (("CHECK (start >= 0)", ""), ('CHECK ("end" > start)', ""))

#: case -> (builder, what the one-line message must name)
CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "span past the end of its text": (
        damaged_with(table="spans", update="UPDATE spans SET \"end\" = 500 WHERE annotator = 'alice'"),
        ["'d1'", "span", "past the end of its text"],
    ),
    "span with a negative start": (
        damaged_with(
            *_SPAN_CHECKS, table="spans", update="UPDATE spans SET start = -3 WHERE annotator = 'alice'"
        ),
        ["'d1'", "span", "start is negative"],
    ),
    "meta that is not JSON": (
        damaged_with(table="documents", update="UPDATE documents SET meta = '{not json' WHERE id = 'd1'"),
        ["'d1'", "meta is not valid JSON"],
    ),
    "text stored as a BLOB": (
        damaged_with(
            table="documents", update="UPDATE documents SET text = CAST(text AS BLOB) WHERE id = 'd1'"
        ),
        ["'d1'", "text is binary data"],
    ),
    "title NULL": (
        damaged_with(
            ("title TEXT NOT NULL", "title TEXT"),
            table="documents",
            update="UPDATE documents SET title = NULL WHERE id = 'd1'",
        ),
        ["'d1'", "title is empty (NULL)"],
    ),
    "unknown status": (
        damaged_with(
            ("CHECK (status IN ('todo', 'in_progress', 'done'))", ""),
            table="status",
            update="UPDATE status SET status = 'finished' WHERE document_id = 'd1'",
        ),
        ["'d1'", "'alice'", "unknown status 'finished'"],
    ),
    "label colour that is not #RRGGBB": (
        damaged_with(table="labels", update="UPDATE labels SET color = 'red' WHERE name = 'actor'"),
        ["label 'actor'", "'red' is not #RRGGBB"],
    ),
    "decision that cannot be read": (
        damaged_with(table="adjudications", update="UPDATE adjudications SET result = '[[1, 2'"),
        ["'d1'", "decision between 'alice' and 'bob'"],
    ),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, list[str]]:
    build, named = CASES[request.param]
    folder = tmp_path / "projects"
    folder.mkdir()
    return build(folder / "damaged.db"), named


COMMANDS = {
    "export jsonl": ["export", "--format", "jsonl", "-o", "{out}/corpus.jsonl"],
    "export jsonl to stdout": ["export", "--format", "jsonl"],
    "export brat": ["export", "--format", "brat", "-o", "{out}/brat"],
    "export conll": ["export", "--format", "conll", "-o", "{out}/corpus.conll"],
    "export doccano": ["export", "--format", "doccano", "-o", "{out}/corpus.jsonl"],
    "export --split": ["export", "--split", "train=0.5,test=0.5", "-o", "{out}/split"],
    "stats": ["stats"],
    "docs": ["docs"],
    "agree": ["agree", "alice", "bob"],
    "import": ["import", "{out}/more.txt"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_names_the_damaged_row_in_one_line(
    case: tuple[Path, list[str]], tmp_path: Path, command: str
) -> None:
    path, named = case
    out = tmp_path / "out"
    out.mkdir()
    (out / "more.txt").write_text("Another document.", encoding="utf-8")
    before = snapshot(path.parent)
    args = [arg.replace("{out}", str(out)) for arg in COMMANDS[command]]
    result = CliRunner().invoke(cli, ["--db", str(path), *args], catch_exceptions=False)
    assert snapshot(path.parent) == before or command == "import"
    if result.exit_code == 0:
        # The damaged row did not matter to this command (e.g. the stats of a bad span), or the
        # command skipped it: whatever was exported imports cleanly.
        for exported in (out / "corpus.jsonl", *sorted((out / "split").glob("*.jsonl"))):
            if exported.is_file() and "jsonl" in command:
                imported = CliRunner().invoke(
                    cli, ["--db", str(tmp_path / "fresh.db"), "import", str(exported)], catch_exceptions=False
                )
                assert imported.exit_code == 0, imported.stderr
        if command == "export jsonl to stdout":
            for line in result.stdout.splitlines():
                json.loads(line)
        return
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"annotator: error: {path}: damaged row in the project file: ")
    for part in named:
        assert part in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["more.txt"]  # no partial export left


def test_a_jsonl_export_never_writes_a_record_its_import_refuses(
    case: tuple[Path, list[str]], tmp_path: Path
) -> None:
    path, _named = case
    target = tmp_path / "corpus.jsonl"
    result = CliRunner().invoke(cli, ["--db", str(path), "export", "-o", str(target)], catch_exceptions=False)
    if result.exit_code == 0:
        imported = CliRunner().invoke(
            cli, ["--db", str(tmp_path / "fresh.db"), "import", str(target)], catch_exceptions=False
        )
        assert imported.exit_code == 0, imported.stderr
    else:
        assert not target.exists()


def _read_everything(project: Project) -> None:
    project.labels()
    for _document, _layers in project.iter_corpus():
        pass
    project.decisions()


def test_the_store_raises_one_error_naming_the_row(case: tuple[Path, list[str]]) -> None:
    path, named = case
    with Project.open(path, readonly=True) as project:
        with pytest.raises(DamagedRowError) as caught:
            _read_everything(project)
    message = str(caught.value)
    assert "\n" not in message
    for part in named:
        assert part in message


def test_merging_a_damaged_project_names_the_row_and_changes_nothing(
    case: tuple[Path, list[str]], tmp_path: Path
) -> None:
    path, named = case
    with Project.open(tmp_path / "review.db") as review:
        review.add_documents([DocumentInput("mine", "Mine.")])
        with pytest.raises(DamagedRowError) as caught:
            merge_project(review, path)
        assert review.document_ids() == ["mine"]
        assert review.annotators() == []
    for part in named:
        assert part in str(caught.value)
