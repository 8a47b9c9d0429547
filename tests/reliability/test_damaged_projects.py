"""Damaged, foreign, newer and read-only project files: a clear message, the file untouched.

Every case is tried three ways: the core (``Project.open``), the command line a user types, and
"is the program still usable": after the refusal another project opens and takes a span in the
same process. Read-only cases run the CLI in a child process without the capabilities that let
root ignore file permissions (``setpriv``), so they test real permission bits even in CI as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.errors import ProjectError
from annotator.core.formats.plain import seed_documents
from annotator.core.store import MIGRATIONS, SCHEMA_VERSION, DocumentInput, Project, backup_path
from annotator.core.store.schema import MIGRATION_STEPS
from tests.child_env import child_env

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def make_project(path: Path, documents: int = 40) -> Path:
    """A real project with the sample article, ``documents`` more and a few spans."""
    with Project.open(path) as project:
        project.add_documents(seed_documents())
        project.add_documents(DocumentInput(f"doc-{i}", f"Document {i}. " * 200) for i in range(documents))
        project.add_span("nk-troops-kursk", "alice", 0, 5, "actor")
        project.add_span("doc-1", "alice", 0, 8, "claim")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` and its bytes (a new -wal/-shm beside a file shows up here)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _truncate(fraction: float) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = make_project(folder / "truncated.db")
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])
        return path

    return build


def _truncate_to(size: int) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = make_project(folder / "truncated.db")
        path.write_bytes(path.read_bytes()[:size])
        return path

    return build


def _zero_length(folder: Path) -> Path:
    path = folder / "empty.db"
    path.touch()
    return path


def _random_bytes(folder: Path) -> Path:
    path = folder / "random.db"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def _random_after_header(folder: Path) -> Path:
    path = folder / "random-sqlite.db"
    path.write_bytes(b"SQLite format 3\x00" + bytes((i * 7919) % 251 for i in range(16384)))
    return path


def _garbled_pages(folder: Path) -> Path:
    """A real project with its middle pages overwritten (a bad disk sector, a bad copy)."""
    path = make_project(folder / "garbled.db")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    pages = len(data) // page
    for number in range(2, max(3, pages // 2)):
        data[number * page : (number + 1) * page] = bytes((number * 31 + i) % 256 for i in range(page))
    path.write_bytes(bytes(data))
    return path


def _foreign_sqlite(folder: Path) -> Path:
    path = folder / "other-app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('not ours')")
    conn.close()
    return path


def _newer_schema(folder: Path) -> Path:
    path = make_project(folder / "newer.db")
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    return path


def _unknown_migration(folder: Path) -> Path:
    path = make_project(folder / "unknown-migration.db")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            [MIGRATIONS.name, "9999_from_the_future", "2030-01-01"],
        )
    conn.close()
    return path


def _missing_tables(folder: Path) -> Path:
    path = make_project(folder / "gutted.db")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DROP TABLE spans")
    conn.close()
    return path


def _no_migration_record(folder: Path) -> Path:
    """A current project whose record of applied migrations was dropped (another tool's doing)."""
    path = make_project(folder / "no-record.db")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE _sqlite_migrations")
    conn.close()
    return path


def _folder(folder: Path) -> Path:
    path = folder / "a-folder.db"
    path.mkdir()
    return path


DAMAGED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zero-length": (_zero_length, "the file is empty (0 bytes)"),
    "truncated to half": (_truncate(0.5), "damaged"),
    "truncated to 1 KiB": (_truncate_to(1024), "damaged"),
    "truncated inside the header": (_truncate_to(60), "not an SQLite database"),
    "random bytes": (_random_bytes, "not an SQLite database"),
    "random bytes after an SQLite header": (_random_after_header, "damaged"),
    "pages overwritten": (_garbled_pages, "damaged"),
    "SQLite file of another application": (_foreign_sqlite, "another application"),
    "schema of a newer version": (_newer_schema, "written by a newer Annotator"),
    "migration unknown to this version": (_unknown_migration, "written by a newer Annotator"),
    "tables missing": (_missing_tables, "missing tables: spans"),
    "migration record missing": (
        _no_migration_record,
        "its record of schema upgrades, _sqlite_migrations, is missing",
    ),
    "a folder": (_folder, "is a folder"),
}


def still_usable(folder: Path) -> None:
    """Another project opens and takes a span in the same process after the refusal."""
    with Project.open(folder / "other" / "fine.db") as project:
        project.add_documents(seed_documents())
        span = project.add_span("nk-troops-kursk", "alice", 0, 5, "actor")
    with Project.open(folder / "other" / "fine.db") as project:
        assert project.spans("nk-troops-kursk", "alice") == [span]


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_is_refused_untouched_by_the_core(tmp_path: Path, case: str) -> None:
    build, expected = DAMAGED[case]
    folder = tmp_path / "projects"
    folder.mkdir()
    path = build(folder)
    before = snapshot(folder)
    with pytest.raises(ProjectError) as caught:
        Project.open(path)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)
    assert snapshot(folder) == before
    still_usable(tmp_path)


@pytest.mark.parametrize("command", [["stats"], ["import", str(SEEDS)], ["export", "--format", "jsonl"]])
@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_is_refused_untouched_by_the_cli(tmp_path: Path, case: str, command: list[str]) -> None:
    build, expected = DAMAGED[case]
    folder = tmp_path / "projects"
    folder.mkdir()
    path = build(folder)
    before = snapshot(folder)
    result = CliRunner().invoke(cli, ["--db", str(path), *command], catch_exceptions=False)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    if case == "a folder":  # click refuses it as a usage error, before any file is opened
        assert result.exit_code == 2
        assert "is a directory" in lines[0]
    else:
        assert result.exit_code == 1
        assert lines[0].startswith(f"annotator: error: {path}: ")
        assert expected in lines[0]
    assert snapshot(folder) == before


def test_damaged_project_in_place_of_the_default_is_refused_not_replaced(
    tmp_path: Path, user_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "default.annotator.db"
    default.write_bytes(b"half a project")
    monkeypatch.setenv("ANNOTATOR_DB", str(default))
    result = CliRunner().invoke(cli, ["stats"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "not an SQLite database" in result.stderr
    assert default.read_bytes() == b"half a project"


# -- new projects are created whole ---------------------------------------------------------


def test_new_project_is_built_aside_and_moved_into_place(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def seed() -> list[DocumentInput]:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return seed_documents()

    with Project.open(tmp_path / "new.db", seed=seed) as project:
        assert project.document_ids() == ["nk-troops-kursk"]
    # While it was being filled, only a hidden staging file existed - never a half-made new.db.
    assert len(seen) == 1
    assert seen[0]
    assert all(name.startswith(f".new.db.creating-{os.getpid()}") for name in seen[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]


def test_failed_creation_leaves_no_project_behind(tmp_path: Path) -> None:
    def seed() -> list[DocumentInput]:
        raise ProjectError("the seed is broken")

    with pytest.raises(ProjectError, match="the seed is broken"):
        Project.open(tmp_path / "new.db", seed=seed)
    assert list(tmp_path.iterdir()) == []


def test_staging_file_of_a_killed_creator_is_cleaned_up(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = finished.stdout.decode().strip()
    stale = tmp_path / f".new.db.creating-{dead_pid}"
    stale.write_bytes(b"SQLite format 3\x00 left by a killed process")
    with Project.open(tmp_path / "new.db"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]


def test_two_processes_creating_the_same_project_both_open_one_project(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    script = (
        "import sys; from annotator.core.importing import open_project\n"
        "from annotator.core.formats.plain import seed_documents\n"
        "from annotator.core.store import Project\n"
        "p = Project.open(sys.argv[1], seed=seed_documents)\n"
        "p.add_span('nk-troops-kursk', sys.argv[2], 0, 5, 'actor'); p.close()\n"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", script, str(path), name], cwd=ROOT)
        for name in ("a", "b", "c")
    ]
    assert [child.wait(timeout=60) for child in children] == [0, 0, 0]
    with Project.open(path) as project:
        assert project.document_ids() == ["nk-troops-kursk"]
        assert sorted(project.annotators()) == ["a", "b", "c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.db"]


# -- a backup before every schema upgrade ---------------------------------------------------


def make_old_project(path: Path, version: int = 2) -> Path:
    """A project as Annotator with schema ``version`` left it."""
    names = [step.name for step in MIGRATION_STEPS]
    db_project = make_project(path.with_name("current.db"), documents=3)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    import sqlite_utils

    db = sqlite_utils.Database(path)
    MIGRATIONS.apply(db, stop_before=names[version])
    db.execute("PRAGMA application_id = 1095650895")
    db.execute(f"PRAGMA user_version = {version}")
    source = sqlite3.connect(db_project)
    for table in ("project_meta", "documents", "labels", "annotators", "spans", "status"):
        # the columns the old schema has (later migrations add some, e.g. spans.source)
        columns = ", ".join(f'"{row[1]}"' for row in db.conn.execute(f"PRAGMA table_info({table})"))
        rows = source.execute(f"SELECT {columns} FROM {table}").fetchall()
        if rows:
            marks = ",".join("?" * len(rows[0]))
            db.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    db.conn.commit()
    db.execute("CREATE INDEX IF NOT EXISTS spans_by_layer ON spans (document_id, annotator, start)")
    db.close()
    source.close()
    db_project.unlink()
    return path


def test_upgrade_writes_a_backup_copy_first(tmp_path: Path) -> None:
    path = make_old_project(tmp_path / "old.db")
    with sqlite3.connect(path) as conn:
        old_rows = conn.execute('SELECT document_id, annotator, start, "end", label FROM spans').fetchall()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert len(project.spans("nk-troops-kursk", "alice")) == 1
    backup = tmp_path / "old.db.schema-2.backup"
    assert backup.is_file()
    with sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            conn.execute('SELECT document_id, annotator, start, "end", label FROM spans').fetchall()
            == old_rows
        )
        assert (
            conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'spans_by_layer'").fetchone()[0]
            == 1
        )
    conn.close()
    # Opening the upgraded project again needs no upgrade and writes no second backup.
    Project.open(path).close()
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [backup.name]


def test_backup_names_never_overwrite_an_earlier_backup(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    (tmp_path / "p.db.schema-2.backup").write_bytes(b"an earlier backup")
    assert backup_path(path, 2).name == "p.db.schema-2.backup-2"


def test_upgrade_without_a_backup_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_old_project(tmp_path / "old.db")
    before = snapshot(tmp_path)

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("annotator.core.store.files.os.replace", refuse)
    with pytest.raises(ProjectError, match="cannot write the backup copy .* the project was left unchanged"):
        Project.open(path)
    assert snapshot(tmp_path) == before


def test_a_refused_file_is_never_written_however_often_it_is_opened(tmp_path: Path) -> None:
    """Issue 15, item 8: no migration table added, no backup pile (-2, -3, ...), no journal."""
    path = _no_migration_record(tmp_path)
    before = snapshot(tmp_path)
    for _attempt in range(3):
        with pytest.raises(ProjectError, match="damaged"):
            Project.open(path)
        result = CliRunner().invoke(cli, ["--db", str(path), "import", str(SEEDS)], catch_exceptions=False)
        assert result.exit_code == 1
        assert snapshot(tmp_path) == before


def test_a_failed_upgrade_changes_nothing_and_keeps_no_backup(tmp_path: Path) -> None:
    """All migrations of an upgrade are one transaction: when the last one fails, the earlier
    ones are not kept either, and the backup copy (of an unchanged file) is removed."""
    path = make_old_project(tmp_path / "old.db", version=2)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE spans_new (x)")  # migration 0004 creates this table
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(ProjectError, match=r"damaged \(upgrading it from schema 2 failed: .*spans_new"):
        Project.open(path)
    assert snapshot(tmp_path) == before


def _stale_version(folder: Path) -> Path:
    """The current schema with the version number of the one before: an upgrade by an earlier
    Annotator killed after its migrations committed and before it wrote the number."""
    path = make_project(folder / "stale.db")
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    return path


def test_current_schema_with_an_old_version_number_is_read_and_repaired(tmp_path: Path) -> None:
    path = _stale_version(tmp_path)
    before = snapshot(tmp_path)
    with Project.open(path, readonly=True) as project:
        assert project.document_count() == 41
        assert project.spans("doc-1", "alice")[0].key == (0, 8, "claim")
    for command in (["stats"], ["export", "-o", str(tmp_path / "out" / "corpus.jsonl")]):
        (tmp_path / "out").mkdir(exist_ok=True)
        result = CliRunner().invoke(cli, ["--db", str(path), *command], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    assert snapshot(tmp_path) == before
    # The next write-open writes the number (the schema needs nothing): no backup copy.
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert project.document_count() == 41
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == []


#: A child that opens (so upgrades) a project and kills itself at its N-th statement.
_KILL_AT_STATEMENT = """
import os, signal, sys
import sqlite_utils
count = 0
original = sqlite_utils.Database.execute
def execute(self, sql, *args, **kwargs):
    global count
    count += 1
    if count == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, sql, *args, **kwargs)
sqlite_utils.Database.execute = execute
from annotator.core.store import Project
Project.open(sys.argv[1]).close()
print(count)
"""


def _upgrade_state(path: Path) -> tuple[int, tuple[str, ...]]:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        names = tuple(r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid"))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    return version, names


def test_an_upgrade_killed_at_any_statement_leaves_the_old_schema_or_the_new(tmp_path: Path) -> None:
    """Issue 15, item 7: killed between its last migration and the version number, an upgrade
    left a current schema with an old number, which readers refused forever. The migrations,
    their record and the number are now one transaction: a kill at any statement of the upgrade
    leaves schema 2 or the current one, whole, and readers read the file after the next open."""
    template = make_old_project(tmp_path / "template.db", version=2)
    names = tuple(step.name for step in MIGRATION_STEPS)
    run = subprocess.run(
        [sys.executable, "-c", _KILL_AT_STATEMENT, str(shutil.copy(template, tmp_path / "dry.db")), "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
    )
    assert run.returncode == 0, run.stderr
    statements = int(run.stdout)
    outcomes = set()
    for kill_at in range(1, statements + 1):
        path = tmp_path / f"killed-{kill_at}.db"
        shutil.copy(template, path)
        child = subprocess.run(
            [sys.executable, "-c", _KILL_AT_STATEMENT, str(path), str(kill_at)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env(),
        )
        assert child.returncode == -signal.SIGKILL, child.stderr
        state = _upgrade_state(path)
        assert state in {(2, names[:2]), (SCHEMA_VERSION, names)}, (kill_at, state)
        outcomes.add(state[0])
        Project.open(path).close()  # finishes the upgrade, or does it again
        with Project.open(path, readonly=True) as project:
            assert project.schema_version == SCHEMA_VERSION
            assert project.spans("nk-troops-kursk", "alice")[0].key == (0, 5, "actor")
    assert outcomes == {2}  # every statement of the upgrade runs before its one commit


# -- read-only files and folders ------------------------------------------------------------


def run_without_privileges(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a child that file permissions apply to, even when the tests run as root."""
    command = [sys.executable, "-m", "annotator.cli", *args]  # noqa: S603
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    env = child_env()
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


@pytest.fixture
def read_only_file(tmp_path: Path) -> Path:
    (tmp_path / "files").mkdir()
    path = make_project(tmp_path / "files" / "ro.db")
    path.chmod(0o444)
    yield path
    path.chmod(0o644)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = make_project(folder / "p.db")
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)


@pytest.mark.parametrize(
    ("fixture", "message"),
    [("read_only_file", "the project file is read-only"), ("read_only_folder", "is read-only")],
)
def test_read_only_project_refuses_writes_clearly_and_stays_untouched(
    request: pytest.FixtureRequest, tmp_path: Path, fixture: str, message: str
) -> None:
    path: Path = request.getfixturevalue(fixture)
    before = snapshot(path.parent)
    result = run_without_privileges("--db", str(path), "import", str(SEEDS), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"annotator: error: {path}: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(path.parent) == before


@pytest.mark.parametrize("fixture", ["read_only_file", "read_only_folder"])
def test_read_only_project_can_still_be_read_and_exported(
    request: pytest.FixtureRequest, tmp_path: Path, fixture: str
) -> None:
    path: Path = request.getfixturevalue(fixture)
    before = snapshot(path.parent)
    stats = run_without_privileges("--db", str(path), "stats", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert "41" in stats.stdout  # documents
    out = tmp_path / "out.jsonl"
    export = run_without_privileges(
        "--db", str(path), "export", "--format", "jsonl", "-o", str(out), cwd=tmp_path
    )
    assert export.returncode == 0, export.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 41
    assert snapshot(path.parent) == before


def test_read_only_open_never_writes(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.db")
    before = snapshot(tmp_path)
    with Project.open(path, readonly=True) as project:
        assert project.document_count() == 41
        with pytest.raises(ProjectError, match="opened read-only"):
            project.add_span("doc-2", "alice", 0, 3, "actor")
    assert snapshot(tmp_path) == before
