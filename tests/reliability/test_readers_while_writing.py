"""Readers while another program writes: ``export``, ``stats`` and ``agree`` read one consistent
moment of the project, never claim damage, and leave no file behind.

Issue 15, item 10: readers opened an idle project with ``immutable=1`` (SQLite then assumes
that nobody changes the file), so another program's writes made them fail with "database disk
image is malformed"; and ``export --split`` read the document ids and the documents in separate
transactions, so documents added meanwhile ended in a ``KeyError``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.formats import exporter
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.store import DocumentInput, NewSpan, Project
from tests.child_env import child_env

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Robert Wood said that 4,500 North Korean troops were in the Kursk region. " * 4

#: Writes documents with spans until the stop file appears, one open-write-close per document
#: (so the journal comes and goes and every close copies the WAL into the file), printing a line
#: after each commit.
WRITER = """
import sys
from pathlib import Path
from annotator.core.store import DocumentInput, NewSpan, Project
path, stop = Path(sys.argv[1]), Path(sys.argv[2])
text = sys.argv[3]
n = 0
while not stop.exists():
    with Project.open(path) as project:
        doc = f"new-{n}"
        project.add_documents([DocumentInput(doc, text, doc)])
        project.add_spans([NewSpan(doc, "alice", 0, 11, "actor"), NewSpan(doc, "bob", 0, 6, "actor")])
        project.set_status(doc, "alice", "done")
    n += 1
    print(n, flush=True)
"""


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def whole_moment(records: list[dict[str, object]]) -> None:
    """Each document once per layer, or once without any: what one moment of a project holds."""
    layers: dict[object, list[object]] = {}
    for record in records:
        layers.setdefault(record["id"], []).append(record["annotator"])
    for names in layers.values():
        assert len(names) == len(set(names))
        assert names == [None] or None not in names


def make_project(path: Path, documents: int = 600) -> Path:
    with Project.open(path) as project:
        project.add_documents(DocumentInput(f"doc-{i:05d}", TEXT, f"Document {i}") for i in range(documents))
        project.add_spans(
            NewSpan(f"doc-{i:05d}", name, 0, 11, "actor")
            for i in range(documents)
            for name in ("alice", "bob")
        )
    return path


def test_readers_work_while_another_program_writes(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.db")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(stop), TEXT],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "1"  # the writer is under way
        failures: list[str] = []
        rounds = 0
        for rounds in range(1, 6):
            out = tmp_path / f"out-{rounds}"
            out.mkdir()
            for command in (
                ["export", "--format", "jsonl", "-o", str(out / "corpus.jsonl")],
                ["export", "--split", "train=0.5,test=0.5", "-o", str(out / "split")],
                ["stats", "--json"],
                ["agree", "alice", "bob", "--json"],
            ):
                result = CliRunner().invoke(cli, ["--db", str(path), *command], catch_exceptions=False)
                if result.exit_code != 0:
                    failures.append(f"{command[0]}: {result.stderr.strip()}")
            whole_moment(read_jsonl(out / "corpus.jsonl"))
            parts = [read_jsonl(out / "split" / f"{part}.jsonl") for part in ("train", "test")]
            whole_moment([record for part in parts for record in part])
            train, test = ({record["id"] for record in part} for part in parts)
            assert not train & test  # each document in one part only
    finally:
        stop.touch()
        _written, errors = writer.communicate(timeout=120)
    assert writer.returncode == 0, errors
    assert failures == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["p.db", "stop"]


def test_a_reader_sees_what_another_program_commits_and_leaves_no_file(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.db", documents=3)
    with Project.open(path, readonly=True) as reader:
        assert len(reader.document_ids()) == 3
        with Project.open(path) as writer:
            writer.add_documents([DocumentInput("later", "Added while the reader was open.")])
        assert reader.document_ids()[-1] == "later"
        assert reader.document("later").text == "Added while the reader was open."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]


def test_a_snapshot_sees_one_moment(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.db", documents=3)
    with Project.open(path, readonly=True) as reader, Project.open(path) as writer:
        with reader.snapshot():
            before = reader.document_ids()
            writer.add_documents([DocumentInput("meanwhile", "Committed during the snapshot.")])
            assert reader.document_ids() == before
            assert not reader.has_document("meanwhile")
        assert reader.has_document("meanwhile")


def test_no_write_starts_inside_a_snapshot(project: Project) -> None:
    project.add_documents([DocumentInput("d", "Some text here.")])
    with project.snapshot():
        with pytest.raises(Exception, match="a read of the whole project .* is still running"):
            project.add_span("d", "alice", 0, 4, "actor")
    assert project.spans("d", "alice") == []
    project.add_span("d", "alice", 0, 4, "actor")  # fine again afterwards


@pytest.mark.parametrize("readonly", [True, False], ids=["read-only", "writable"])
def test_a_split_export_reads_one_snapshot_while_documents_are_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readonly: bool
) -> None:
    path = make_project(tmp_path / "p.db", documents=10)
    assign = exporter.assign_splits

    def assign_then_add(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = assign(*args, **kwargs)
        with Project.open(path) as other:  # another program, between the ids and the documents
            other.add_documents([DocumentInput(f"late-{i}", TEXT) for i in range(5)])
        return result

    monkeypatch.setattr(exporter, "assign_splits", assign_then_add)
    with Project.open(path, readonly=readonly) as project:
        options = ExportOptions(output=tmp_path / "split", split=(("train", 0.5), ("test", 0.5)))
        report = export_corpus(project, options)
    assert report.documents == 10
    exported = [
        json.loads(line)["id"]
        for part in ("train", "test")
        for line in (tmp_path / "split" / f"{part}.jsonl").read_text("utf-8").splitlines()
    ]
    assert sorted(set(exported)) == [f"doc-{i:05d}" for i in range(10)]
