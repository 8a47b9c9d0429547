"""Two programs on one project at once: no write lost, no "database is locked", changes seen.

The project runs in WAL mode (readers never wait), every write takes the write lock first
(``BEGIN IMMEDIATE``) and waits up to ANNOTATOR_BUSY_TIMEOUT seconds for another program's write,
and the window polls ``PRAGMA data_version`` to show what other programs saved.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog

from annotator.core.store import DocumentInput, Project
from tests.child_env import child_env
from tests.reliability.test_write_failures import select_range

ROOT = Path(__file__).resolve().parents[2]
ENV = child_env(QT_QPA_PLATFORM="offscreen")
TEXT = "x " * 2000

WRITER = """
import sys
from annotator.core.store import Project
path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
project = Project.open(path)
kept = 0
for i in range(count):
    span = project.add_span("shared", name, 2 * i, 2 * i + 1, "actor")
    if i % 3 == 0:
        project.update_span(span.id, label="claim")
    if i % 5 == 0:
        project.set_status("shared", name, "in_progress" if i % 2 else "done")
    kept += 1
print(kept)
"""


def new_project(path: Path) -> Path:
    with Project.open(path) as project:
        project.add_documents([DocumentInput("shared", TEXT, title="Shared document")])
    return path


def big_import(path: Path, documents: int = 3000) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            record = {
                "id": f"imported-{i}",
                "text": f"Imported document {i}. " + "lorem ipsum " * 60,
                "annotator": "importer",
                "spans": [
                    {"start": 0, "end": 8, "label": "number"},
                    {"start": 9, "end": 17, "label": "claim"},
                ],
            }
            out.write(json.dumps(record) + "\n")
    return path


@pytest.mark.parametrize("per_writer", [150, pytest.param(2000, marks=pytest.mark.stress)])
def test_concurrent_processes_and_a_cli_import_lose_no_write(
    tmp_path: Path, per_writer: int, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_project(tmp_path / "p.db")
    source = big_import(tmp_path / "big.jsonl")
    names = ["w1", "w2", "w3"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, str(per_writer)],
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    cli = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--db", str(db), "import", str(source)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert cli.returncode == 0, cli.stderr
    assert "locked" not in cli.stderr
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == str(per_writer)
    with Project.open(db) as project:
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for name in names:
            spans = project.spans("shared", name)
            assert [(s.start, s.end) for s in spans] == [(2 * i, 2 * i + 1) for i in range(per_writer)]
            assert sum(s.label == "claim" for s in spans) == len(range(0, per_writer, 3))
        assert project.document_count() == 3001
        assert project.span_count("importer") == 6000
    with capsys.disabled():
        print(
            f"\ntwo instances: {len(names)} writer processes × {per_writer} spans + a 3,000-document CLI "
            f"import at once: {len(names) * per_writer + 6000} writes kept of "
            f"{len(names) * per_writer + 6000}, 0 'database is locked'"
        )


def test_a_write_waiting_too_long_is_refused_clearly_and_changes_nothing(tmp_path: Path) -> None:
    db = new_project(tmp_path / "p.db")
    holder = hold_lock(db)
    try:
        env = {**ENV, "ANNOTATOR_BUSY_TIMEOUT": "0.3"}
        result = subprocess.run(
            [sys.executable, "-m", "annotator.cli", "--db", str(db), "import", str(ROOT / "seeds")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.communicate("\n", timeout=30)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "another program is writing to this project" in result.stderr
    assert "try again" in result.stderr
    with Project.open(db) as project:
        assert project.document_ids() == ["shared"]


def hold_lock(db: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline(); "
            "c.execute('ROLLBACK')",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def when_waiting(window, action) -> list[str]:
    """Run ``action(dialog)`` once the window's "Waiting to save" dialog shows; returns its text."""
    seen: list[str] = []

    def check() -> None:
        shown = [d for d in window.findChildren(QProgressDialog, "waitingForLockDialog") if d.isVisible()]
        if not shown:
            QTimer.singleShot(20, check)
            return
        dialog = shown[0]
        seen.append(dialog.labelText())
        action(dialog)

    QTimer.singleShot(0, check)
    return seen


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.write("\n")
    holder.stdin.flush()


def test_window_waits_for_a_busy_project_with_a_dialog_then_saves(
    make_window, tmp_path: Path, qtbot, errors
) -> None:
    db = new_project(tmp_path / "p.db")
    window = make_window(Project.open(db))
    holder = hold_lock(db)
    seen = when_waiting(window, lambda _dialog: release(holder))
    select_range(window, 0, 1)
    qtbot.keyClick(window.text_view, Qt.Key_1)  # returns once saved
    holder.communicate(timeout=30)
    assert len(seen) == 1
    assert "Another program is saving to this project" in seen[0]
    assert errors == []
    assert [(s.start, s.end) for s in window.session.spans.values()] == [(0, 1)]
    assert "All changes saved" in window.status_saved.text()
    with Project.open(db) as other:
        assert [(s.start, s.end, s.label) for s in other.spans("shared", "alice")] == [(0, 1, "actor")]


@pytest.mark.parametrize("how", ["cancel", "timeout"])
def test_window_explains_a_wait_given_up_and_saves_on_the_next_try(
    make_window, tmp_path: Path, qtbot, errors, how: str
) -> None:
    db = new_project(tmp_path / "p.db")
    window = make_window(Project.open(db))
    holder = hold_lock(db)
    try:
        if how == "cancel":
            when_waiting(window, lambda dialog: dialog.cancel())
        else:
            window.busy_wait_s = 0.5
        select_range(window, 0, 1)
        qtbot.keyClick(window.text_view, Qt.Key_1)
    finally:
        release(holder)
        holder.communicate(timeout=30)
    assert len(errors) == 1
    title, message = errors[0]
    assert "the project is busy" in title
    assert "Another program was saving to this project" in message
    assert ("You stopped waiting" in message) == (how == "cancel")
    assert ("The wait for it ran out" in message) == (how == "timeout")
    assert "locked" not in title
    assert window.session.spans == {}
    assert window.span_model.rowCount() == 0
    assert "NOT saved" in window.status_saved.text()
    qtbot.waitUntil(window.isActiveWindow)  # the window took the focus back from the dialog
    assert window.text_view.hasFocus()
    qtbot.keyClick(window.text_view, Qt.Key_1)  # the lock is gone: the same key works now
    assert [(s.start, s.end) for s in window.session.spans.values()] == [(0, 1)]
    assert "All changes saved" in window.status_saved.text()


def test_window_shows_what_the_cli_imported_meanwhile(make_window, tmp_path: Path, qtbot, errors) -> None:
    db = new_project(tmp_path / "p.db")
    window = make_window(Project.open(db))
    messages: list[str] = []  # the status bar's messages last seconds; a busy machine may miss them
    window.statusBar().messageChanged.connect(messages.append)
    source = big_import(tmp_path / "big.jsonl", documents=2000)
    importer = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "--db", str(db), "import", str(source)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    added = 0
    while importer.poll() is None and added < 200:  # annotate while the import runs
        select_range(window, 2 * added, 2 * added + 1)
        qtbot.keyClick(window.text_view, Qt.Key_1)
        added += 1
    _out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    assert errors == []
    assert len(window.session.spans) == added
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 2001, timeout=10_000)
    qtbot.waitUntil(lambda: any("another program" in m for m in messages), timeout=10_000)
    with Project.open(db) as other:
        assert len(other.spans("shared", "alice")) == added


def test_two_windows_in_two_processes_see_each_others_spans(
    make_window, tmp_path: Path, qtbot, errors
) -> None:
    db = new_project(tmp_path / "p.db")
    window = make_window(Project.open(db))
    ours, theirs = 20, 20
    other = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.second_window",
            str(db),
            str(tmp_path / "second.ini"),
            "1000",
            str(theirs),
            str(ours + theirs),
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for i in range(ours):
        select_range(window, 2 * i, 2 * i + 1)
        qtbot.keyClick(window.text_view, Qt.Key_1)
    # Ours are saved; theirs appear here without any action of the user's.
    qtbot.waitUntil(lambda: len(window.session.spans) == ours + theirs, timeout=30_000)
    out, err = other.communicate(timeout=60)
    assert other.returncode == 0, out + err
    assert f"SAW {ours + theirs}" in out
    assert errors == []
    assert window.span_model.rowCount() == ours + theirs
    starts = sorted(s.start for s in window.session.spans.values())
    assert starts == sorted([2 * i for i in range(ours)] + [1000 + 2 * i for i in range(theirs)])


def test_every_write_of_the_gui_waits_behind_the_same_dialog(
    make_window, tmp_path: Path, qtbot, errors, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review decision, the label editor and an import each wait for another program's write
    behind the "Waiting to save" dialog, then save (they gave up after 0.3 s before)."""
    from annotator.core.formats.importer import ImportOptions
    from annotator.gui import messages
    from annotator.gui.label_editor import LabelSetEditor
    from annotator.gui.review_dialogs import AnnotatorPairDialog
    from annotator.gui.transfer import ImportDialog, ImportRequest

    db = new_project(tmp_path / "p.db")
    with Project.open(db) as project:
        project.add_span("shared", "alice", 0, 1, "actor")
        project.add_span("shared", "bob", 0, 1, "claim")
    said: list[str] = []
    for name in ("inform", "warn"):
        monkeypatch.setattr(messages, name, lambda _p, title, text, *_a: said.append(f"{title}: {text}"))
    main = make_window(Project.open(db))
    monkeypatch.setattr(AnnotatorPairDialog, "ask", classmethod(lambda cls, parent, names: ("alice", "bob")))
    main.review_action.trigger()
    (review,) = main.review_windows()
    review.activateWindow()
    qtbot.waitUntil(review.isActiveWindow)

    holder = hold_lock(db)
    seen = when_waiting(review, lambda _dialog: release(holder))
    qtbot.keyClick(review.disagreement_view, Qt.Key_A)  # accept A: returns once saved
    holder.communicate(timeout=30)
    assert len(seen) == 1
    assert [s.key for s in main.project.spans("shared", "gold")] == [(0, 1, "actor")]
    assert "All changes saved" in review.status_saved.text()

    def add_a_label(editor: LabelSetEditor) -> int:  # what the user does in the editor
        assert editor.add_label("place"), editor.error.text()
        return 0

    monkeypatch.setattr(LabelSetEditor, "exec", add_a_label)
    holder = hold_lock(db)
    seen = when_waiting(main, lambda _dialog: release(holder))
    main.labels_action.trigger()
    holder.communicate(timeout=30)
    assert len(seen) == 1
    assert "place" in main.project.labels()

    source = big_import(tmp_path / "more.jsonl", documents=3)
    request = ImportRequest((source,), ImportOptions())
    monkeypatch.setattr(ImportDialog, "ask", classmethod(lambda cls, *_a: request))
    holder = hold_lock(db)
    seen = when_waiting(main, lambda _dialog: release(holder))
    main.import_action.trigger()
    holder.communicate(timeout=30)
    assert len(seen) == 1
    assert main.project.document_count() == 4
    assert errors == []
    assert said[-1].startswith("Import finished")
