"""What the command line prints: user strings escaped everywhere, closed and broken stdout handled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.store import DocumentInput, Project
from tests.child_env import child_env

#: A window title set by the terminal, a cleared screen, text shown right to left.
HOSTILE = ["\x1b]0;pwned\x07", "\x1b[2J", "\u202e"]
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def assert_escaped(text: str) -> None:
    for ch in RAW:
        assert ch not in text, f"raw {ch!r} reaches the terminal: {text!r}"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_export_notes_escape_record_ids(tmp_path: Path, hostile: str) -> None:
    db = tmp_path / "p.db"
    doc_id = f"doc{hostile}1"
    with Project.open(db) as project:
        project.add_documents([DocumentInput(doc_id, "Hello world")])
        project.add_span(doc_id, "alice", 0, 5, "actor", "a note doccano cannot hold")
        project.add_span(doc_id, "alice", 1, 3, "claim")
    for fmt in ("doccano", "conll", "brat"):
        target = tmp_path / f"out-{fmt}"
        result = invoke("--db", db, "export", "--format", fmt, "-o", target, "--labels", "actor")
        assert result.exit_code == 0, result.output
        assert "left out" in result.stderr
        assert_escaped(result.stderr)
        assert repr(hostile)[1:-1] in result.stderr  # shown, as an escape


@pytest.mark.parametrize("hostile", HOSTILE)
def test_import_notes_escape_record_ids(tmp_path: Path, hostile: str) -> None:
    path = tmp_path / "corpus.jsonl"
    spans = [{"start": 0, "end": 5, "label": "actor"}]
    record = {"id": f"doc{hostile}", "text": "Hello world", "annotator": "alice", "spans": spans}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert invoke("--db", db, "import", path).exit_code == 0
    again = invoke("--db", db, "import", path)
    assert again.exit_code == 0, again.output
    assert "already had" in again.stderr
    assert_escaped(again.stderr)


def write_layer(path: Path, annotator: str, label: str) -> Path:
    spans = [{"start": 0, "end": 5, "label": label, "text": "Hello"}]
    record = {"id": "d1", "text": "Hello world", "annotator": annotator, "spans": spans}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("hostile", HOSTILE)
def test_agree_on_files_escapes_annotator_names_and_labels(tmp_path: Path, hostile: str) -> None:
    a = write_layer(tmp_path / "a.jsonl", f"alice{hostile}", f"actor{hostile}")
    b = write_layer(tmp_path / "b.jsonl", f"bob{hostile}", "claim\u009b")
    table = invoke("agree", a, b)
    assert table.exit_code == 0, table.output
    assert "Agreement of alice" in table.stdout
    assert_escaped(table.stdout)
    as_json = invoke("agree", a, b, "--json")
    assert as_json.exit_code == 0, as_json.output
    assert_escaped(as_json.stdout)
    data = json.loads(as_json.stdout)  # still JSON, with the names as they are
    assert data["annotators"] == [f"alice{hostile}", f"bob{hostile}"]
    assert f"actor{hostile}" in data["labels"]


def test_agree_note_without_shared_documents_escapes_names(tmp_path: Path) -> None:
    a = write_layer(tmp_path / "a.jsonl", "alice\u202e", "actor")
    b = tmp_path / "b.jsonl"
    record = {"id": "other", "text": "x", "annotator": "bob\x1b[2J", "spans": []}
    b.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = invoke("agree", a, b)
    assert result.exit_code == 0, result.output
    assert "no documents annotated by both" in result.stderr
    assert_escaped(result.stderr)


def test_stats_json_escapes_without_losing_the_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project written elsewhere may hold any name: --json stays JSON, and safe to print."""
    monkeypatch.setattr("annotator.core.store.documents.validate_annotator_name", lambda name: name)
    db = tmp_path / "p.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("d1", "Hello world")])
        project.add_span("d1", "eve\u202e\x9b", 0, 5, "actor")
    for args in (["stats"], ["stats", "--json"], ["docs"]):
        result = invoke("--db", db, *args)
        assert result.exit_code == 0, result.output
        assert_escaped(result.stdout)
    data = json.loads(invoke("--db", db, "stats", "--json").stdout)
    assert "eve\u202e\x9b" in data["annotators"]


# --------------------------------------------------------------------------------------------
# Closed and broken standard output (real processes: CliRunner always has a stdout)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("big") / "big.db"
    with Project.open(db) as project:
        project.add_documents(DocumentInput(f"d{i}", "word " * 400) for i in range(2000))
        for i in range(0, 2000, 10):
            project.add_span(f"d{i}", "alice", 0, 4, "actor")
    return db


def _close_stdout() -> None:
    os.close(1)


def run_cli(*args: str | Path, stdout_closed: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510
        [sys.executable, "-m", "annotator.cli", *map(str, args)],
        stdout=None if stdout_closed else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        preexec_fn=_close_stdout if stdout_closed else None,  # noqa: PLW1509
        timeout=300,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["export"],
        ["export", "--format", "conll"],
        ["docs"],
        ["stats"],
        ["stats", "--json"],
        ["agree", "a", "b"],
    ],
)
def test_a_closed_stdout_is_one_clear_line(big_project: Path, args: list[str]) -> None:
    result = run_cli("--db", big_project, *args, stdout_closed=True)
    assert result.returncode == 1
    assert result.stderr.startswith("annotator: error: ")
    assert "standard output is closed" in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_an_import_with_a_closed_stdout_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with Project.open(db):
        pass
    doc = tmp_path / "d1.txt"
    doc.write_text("Hello", encoding="utf-8")
    result = run_cli("--db", db, "import", doc, stdout_closed=True)
    assert result.returncode == 1
    assert "standard output is closed" in result.stderr
    with Project.open(db) as project:
        assert project.document_ids() == []


def test_an_export_to_a_file_does_not_need_stdout(big_project: Path, tmp_path: Path) -> None:
    result = run_cli("--db", big_project, "export", "-o", tmp_path / "out.jsonl", stdout_closed=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.jsonl").read_bytes().count(b"\n") == 2000


@pytest.mark.parametrize("args", [["export"], ["export", "--format", "prodigy"], ["docs"]])
def test_a_reader_that_stops_early_gets_no_traceback(big_project: Path, args: list[str]) -> None:
    """``annotator export | head``: the pipe closes under the writer; it stops quietly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "--db", str(big_project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=300) == 1
    assert stderr == ""


def test_an_export_to_dev_stdout_writes_through_the_pipe(tmp_path: Path) -> None:
    """``-o /dev/stdout`` into a pipe: written through, as any device (here via a link to the
    pipe itself, which cannot harm a real device even where the fix is missing)."""
    db = tmp_path / "p.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("d1", "Hello world")])
    link = tmp_path / "stdout-link"
    link.symlink_to("/proc/self/fd/1")
    result = run_cli("--db", db, "export", "-o", link)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "d1"
    assert link.is_symlink()
