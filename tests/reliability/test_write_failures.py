"""Disk full and other write failures: a clear message, the failed edit not shown, nothing lost.

Two simulations of a full disk: SQLite's own page limit on the window's connection
(``PRAGMA max_page_count``: the next write that needs a new page fails with SQLITE_FULL, exactly
as on a full disk), and a child process whose file-size limit (``RLIMIT_FSIZE``) makes the
kernel refuse writes past a size, for the command line's imports and exports.
"""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotator.core.store import DocumentInput, Project
from tests.child_env import child_env
from tests.gui.conftest import project_with

ROOT = Path(__file__).resolve().parents[2]
WORDS = [f"word{i:03d}" for i in range(400)]


def select_range(window, start: int, end: int) -> None:
    cursor = QTextCursor(window.text_view.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.KeepAnchor)
    window.text_view.setTextCursor(cursor)
    window.text_view.setFocus()


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a project holds, table by table (not its bytes: WAL mode may add frames)."""
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = {t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr) for t in tables}
    conn.close()
    return dump


def test_disk_full_while_annotating(make_window, tmp_path: Path, qtbot, errors) -> None:
    project = project_with(tmp_path / "p.db", " ".join(WORDS))
    window = make_window(project)
    text = window.session.text
    page_count = window.project.db.execute("PRAGMA page_count").fetchone()[0]
    window.project.db.execute(f"PRAGMA max_page_count = {page_count}")  # the disk is now full
    saved: list[tuple[int, int]] = []
    for word in WORDS:
        start = text.index(word)
        select_range(window, start, start + len(word))
        qtbot.keyClick(window.text_view, Qt.Key_2)
        if errors:
            break
        saved.append((start, start + len(word)))
    assert errors, "the page limit never filled up"
    title, message = errors[0]
    assert title == "The change was not saved"
    assert "the disk is full" in message
    assert "NOT saved" in window.status_saved.text()
    # The failed span is not shown anywhere; everything before it is.
    shown = sorted((s.start, s.end) for s in window.session.spans.values())
    assert shown == saved
    assert window.span_model.rowCount() == len(saved)
    assert window.session.undo_stack.count() == len(saved)
    # Space again: the next try succeeds, and nothing was lost on the way.
    window.project.db.execute("PRAGMA max_page_count = 1073741823")
    qtbot.keyClick(window.text_view, Qt.Key_2)
    assert "All changes saved" in window.status_saved.text()
    window.close()
    window.project.close()
    with Project.open(tmp_path / "p.db") as reopened:
        stored = sorted((s.start, s.end) for s in reopened.spans("doc1", "alice"))
    assert stored == sorted([*saved, (text.index(word), text.index(word) + len(word))])


def _limited(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_cli(*args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510
        [sys.executable, "-m", "annotator.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        preexec_fn=_limited(limit) if limit is not None else None,  # noqa: PLW1509
        timeout=300,
    )


@pytest.fixture
def big_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(2000):
            text = f"Document {i}: " + "lorem ipsum dolor sit amet " * 40
            spans = [{"start": 0, "end": 8, "label": "actor"}]
            out.write(json.dumps({"id": f"big-{i}", "text": text, "spans": spans, "annotator": "bob"}) + "\n")
    return path


def test_disk_full_during_a_cli_import_leaves_the_project_as_it_was(tmp_path: Path, big_jsonl: Path) -> None:
    db = tmp_path / "p.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("kept", "Work done before the disk filled up.")])
        project.add_span("kept", "alice", 0, 4, "actor")
    before = content(db)
    result = run_cli("--db", str(db), "import", str(big_jsonl), limit=512 * 1024)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"annotator: error: {db}: ")
    assert "not saved" in lines[0]
    assert content(db) == before
    # With room again the same import works, on the same project.
    again = run_cli("--db", str(db), "import", str(big_jsonl))
    assert again.returncode == 0, again.stderr
    with Project.open(db) as project:
        assert project.document_count() == 2001
        assert project.spans("kept", "alice")[0].end == 4


def test_disk_full_during_a_cli_export_leaves_no_partial_file(tmp_path: Path, big_jsonl: Path) -> None:
    db = tmp_path / "p.db"
    assert run_cli("--db", str(db), "import", str(big_jsonl)).returncode == 0
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "corpus.jsonl"
    target.write_text("the previous, complete export\n", encoding="utf-8")
    result = run_cli("--db", str(db), "export", "--format", "jsonl", "-o", str(target), limit=256 * 1024)
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "annotator: error:" in result.stderr
    assert target.read_text(encoding="utf-8") == "the previous, complete export\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["corpus.jsonl"]


def test_an_undo_step_that_removes_and_restores_is_one_transaction(window, monkeypatch, errors) -> None:
    """Both halves of a step commit together: a failure in the second leaves the first undone too."""
    from annotator.core.errors import ProjectWriteError

    session = window.session
    text = session.text
    start = text.index("Robert Wood")
    kept = session.create_span(start, start + 11, "actor")
    assert kept is not None

    def full(*_args: object) -> None:
        raise ProjectWriteError("p.db: the disk is full; the change was not saved")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session.project, "restore_spans", full)
        other = replace(kept, id=kept.id + 1000, start=0, end=3, label="claim")
        assert not session.apply_swap(session.doc_id, remove=[kept], restore=[other])
    assert errors
    assert "disk is full" in errors[0][1]
    # The delete that ran first inside the step was rolled back with it.
    assert session.project.spans(session.doc_id, "alice") == [kept]
    assert list(session.spans.values()) == [kept]


# -- a completely full disk (issue 15, item 12) -------------------------------------------------


def companions(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("p.db"))


def test_import_on_a_completely_full_disk_says_so_and_leaves_nothing(tmp_path: Path, big_jsonl: Path) -> None:
    """A file-size limit below what SQLite's shared-memory index needs (32 KiB): nothing at all
    can be written. The import says why in one line and leaves no ``-wal``/``-shm`` behind (a
    3-byte ``-shm`` made later readers call the project damaged); reading still works."""
    db = tmp_path / "p.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("kept", "Work done before the disk filled up.")])
        project.add_span("kept", "alice", 0, 4, "actor")
    full = 16 * 1024
    result = run_cli("--db", str(db), "import", str(big_jsonl), limit=full)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"annotator: error: {db}: no room to write: ")
    assert "nothing was changed" in lines[0]
    assert "disk I/O error" not in lines[0].split("(")[0]
    assert companions(tmp_path) == ["p.db"]
    # Readers work on the full disk (they cannot make a -shm either) and see no damage.
    stats = run_cli("--db", str(db), "stats", "--json", limit=full)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["totals"]["documents"] == 1
    assert companions(tmp_path) == ["p.db"]
    again = run_cli("--db", str(db), "import", str(big_jsonl))
    assert again.returncode == 0, again.stderr


@pytest.fixture
def full_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real, tiny file system (tmpfs) holding a project, then filled to the last byte."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        with Project.open(mount / "p.db") as project:
            project.add_documents([DocumentInput("kept", "Work done before the disk filled up.")])
        filler = mount / "filler"
        with filler.open("wb", buffering=0) as out:
            for size in (65536, 4096, 1):
                try:
                    while out.write(b"\0" * size):
                        pass
                except OSError:
                    pass  # full at this size: go on with smaller pieces
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_import_on_a_really_full_disk_says_the_disk_is_full(full_disk: Path, big_jsonl: Path) -> None:
    db = full_disk / "p.db"
    result = run_cli("--db", str(db), "import", str(big_jsonl))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"annotator: error: {db}: the disk is full; ")
    assert companions(full_disk) == ["p.db"]
    stats = run_cli("--db", str(db), "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert companions(full_disk) == ["p.db"]
    (full_disk / "filler").unlink()
    small = big_jsonl.with_name("small.txt")
    small.write_text("A document that fits once there is room.", encoding="utf-8")
    again = run_cli("--db", str(db), "import", str(small))
    assert again.returncode == 0, again.stderr
