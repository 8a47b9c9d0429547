"""The command line, tested as a user types it (click's CliRunner), then checked in the project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import __version__
from annotator.cli import cli
from annotator.core.store import Project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_import_seeds_then_stats_reports_the_sample_article(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    result = invoke(runner, "--db", db, "import", ROOT / "seeds")
    assert result.exit_code == 0, result.output
    assert "imported 1 document(s)" in result.output
    stats = json.loads(invoke(runner, "--db", db, "stats", "--json").output)
    assert stats["totals"]["documents"] == 1
    assert stats["documents"][0]["id"] == "nk-troops-kursk"
    assert "Kursk" in stats["documents"][0]["title"]
    again = invoke(runner, "--db", db, "import", ROOT / "seeds")
    assert "0 document(s), 1 already present" in again.output


def test_env_var_names_the_project(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = runner.invoke(cli, ["import", str(ROOT / "seeds")], env={"ANNOTATOR_DB": str(db)})
    assert result.exit_code == 0
    with Project.open(db) as project:
        assert project.document_ids() == ["nk-troops-kursk"]


def test_docs_lists_status_and_counts(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    invoke(runner, "--db", db, "import", ROOT / "seeds")
    with Project.open(db) as project:
        project.add_span("nk-troops-kursk", "alice", 0, 3, "actor")
        project.set_status("nk-troops-kursk", "bob", "done")
    out = invoke(runner, "--db", db, "docs").output
    assert "nk-troops-kursk" in out
    assert "alice: in_progress (1)" in out
    assert "bob: done (0)" in out
    text = invoke(runner, "--db", db, "stats").output
    assert "documents   1" in text
    assert "actor 1" in text


def test_empty_project_docs_says_how_to_add(runner: CliRunner, tmp_path: Path) -> None:
    out = invoke(runner, "--db", tmp_path / "p.db", "docs").output
    assert "annotator import PATH" in out


def test_default_project_is_seeded(runner: CliRunner, user_data_dir: Path) -> None:
    stats = json.loads(invoke(runner, "stats", "--json").output)
    assert stats["project"] == str(user_data_dir / "default.annotator.db")
    assert stats["totals"]["documents"] == 1


def db_state(db: Path) -> bytes:
    return db.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.txt", b"caf\xe9\n", "bad.txt:1: invalid UTF-8"),
        ("bad.jsonl", b'{"text": "ok"}\n{oops}\n', "bad.jsonl:2: malformed JSON"),
        ("bad2.jsonl", b'{"title": "no text"}\n', "bad2.jsonl:1: missing field 'text'"),
        ("blob.txt", b"\x00\x01\x02", "blob.txt:1: binary file"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_project_unchanged(
    runner: CliRunner, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    db = tmp_path / "p.db"
    invoke(runner, "--db", db, "import", ROOT / "seeds")
    Project.open(db).close()
    before = db_state(db)
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "fine.txt"
    good.write_text("fine", encoding="utf-8")
    result = runner.invoke(cli, ["--db", str(db), "import", str(good), str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("annotator: error: ")
    assert message in lines[0]
    assert result.stdout == ""
    assert db_state(db) == before, "a failed import must leave the project file byte-for-byte unchanged"
    with Project.open(db) as project:
        assert project.document_ids() == ["nk-troops-kursk"]


def test_changed_text_for_existing_id_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    (tmp_path / "doc.txt").write_text("v1", encoding="utf-8")
    invoke(runner, "--db", db, "import", tmp_path / "doc.txt")
    (tmp_path / "doc.txt").write_text("v2", encoding="utf-8")
    result = runner.invoke(cli, ["--db", str(db), "import", str(tmp_path / "doc.txt")])
    assert result.exit_code == 1
    assert "document 'doc' already exists with different text" in result.stderr


def test_foreign_database_is_refused_byte_for_byte(runner: CliRunner, tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "foreign.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    before = db.read_bytes()
    result = runner.invoke(cli, ["--db", str(db), "stats"])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"annotator: error: {db}: not an Annotator project (an SQLite database of another application)"
    )
    assert db.read_bytes() == before


def test_usage_errors_are_one_line(runner: CliRunner, tmp_path: Path) -> None:
    for args in (["bogus"], ["import"], ["stats", "--nope"]):
        result = runner.invoke(cli, ["--db", str(tmp_path / "p.db"), *args])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("annotator: error: ")


def test_every_command_has_help(runner: CliRunner) -> None:
    assert "Usage" in invoke(runner, "--help").output
    for name, command in cli.commands.items():
        result = invoke(runner, name, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.output
        assert len((command.help or "").strip()) > 20, f"{name} needs a real help text"


def test_version_and_python_dash_m(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"Annotator {__version__}"
    failed = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(tmp_path / "p.db"), "import", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        f"annotator: error: {tmp_path / 'nope'}: no such file or folder"
    ]
    assert "Traceback" not in failed.stderr


def test_docs_for_an_unknown_annotator_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    invoke(runner, "--db", db, "import", ROOT / "seeds")
    result = runner.invoke(cli, ["--db", str(db), "docs", "--annotator", "nobody"])
    assert result.exit_code == 1
    assert "no annotator named 'nobody'" in result.stderr
    assert result.stdout == ""
