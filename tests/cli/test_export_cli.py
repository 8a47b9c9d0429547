"""``annotator export`` as a user types it, and the round trip the issue's "done means" asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.store import Project

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = {"jsonl": ".jsonl", "doccano": ".jsonl", "prodigy": ".jsonl", "conll": ".conll", "brat": ""}


def invoke(*args: str | Path, ok: bool = True):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def annotated(tmp_path: Path) -> Path:
    """The sample article, imported with the CLI and annotated through the core (as the GUI does)."""
    db = tmp_path / "annotated.db"
    invoke("--db", db, "import", ROOT / "seeds")
    with Project.open(db) as project:
        (doc_id,) = project.document_ids()
        text = project.document_text(doc_id)
        for annotator, needle, label, note in [
            ("alice", "Robert Wood", "actor", "US deputy ambassador"),
            ("alice", "Anna Evstigneeva", "actor", None),
            ("alice", "4,500", "number", None),
            ("alice", "“lies”", "denial", None),
            ("alice", "North Korean troops", "claim", None),
            ("alice", "Korean", "actor", None),  # nested in the claim
            ("bob", "Robert Wood", "actor", None),
            ("bob", "Vassily Nebenzia", "actor", None),
        ]:
            start = text.index(needle)
            project.add_span(doc_id, annotator, start, start + len(needle), label, note)
        project.set_status(doc_id, "alice", "done")
    return db


def tree(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "prodigy", "conll", "brat"])
def test_sample_article_round_trips_through_every_format(annotated: Path, tmp_path: Path, fmt: str) -> None:
    first = tmp_path / f"first{EXTENSION[fmt]}"
    second = tmp_path / f"second{EXTENSION[fmt]}"
    invoke("--db", annotated, "export", "--format", fmt, "-o", first)
    imported = invoke("--db", tmp_path / "fresh.db", "import", first)
    assert "imported 1 document(s)" in imported.output
    invoke("--db", tmp_path / "fresh.db", "export", "--format", fmt, "-o", second)
    if fmt == "conll":
        tags = [line.split("\t")[-1] for line in first.read_text(encoding="utf-8").splitlines()]
        assert tags == [line.split("\t")[-1] for line in second.read_text(encoding="utf-8").splitlines()]
    else:
        assert tree(second) == tree(first)


def test_every_exported_span_matches_its_text(annotated: Path, tmp_path: Path) -> None:
    result = invoke("--db", annotated, "export")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["annotator"], r["status"], len(r["spans"])) for r in records] == [
        ("alice", "done", 6),
        ("bob", "in_progress", 2),
    ]
    for record in records:
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
    assert [s["note"] for s in records[0]["spans"] if "note" in s] == ["US deputy ambassador"]


def test_export_goes_to_stdout_and_reports_on_stderr(annotated: Path) -> None:
    result = invoke("--db", annotated, "export", "--format", "conll", "--annotator", "alice")
    assert result.stdout.startswith("-DOCSTART- -X- O O\n\nThe -X- doc=nk-troops-kursk|annotator=alice O\n")
    assert "exported 1 document(s), 1 record(s), 6 span(s)" in result.stderr
    assert "note: 1 left out: overlapping spans" in result.stderr
    assert "note: 1 left out: span notes (CoNLL has no notes)" in result.stderr
    assert "exporting" not in result.stderr  # no progress bar when stderr is not a terminal


def test_export_options(annotated: Path, tmp_path: Path) -> None:
    done = invoke("--db", annotated, "export", "--done-only").stdout.splitlines()
    assert [json.loads(line)["annotator"] for line in done] == ["alice"]
    only = invoke("--db", annotated, "export", "--annotator", "bob", "--labels", "actor")
    assert {s["label"] for s in json.loads(only.stdout)["spans"]} == {"actor"}
    labelled = invoke("--db", annotated, "export", "--labels", "number,denial")
    assert "note: 6 left out: spans with labels not chosen with --labels" in labelled.stderr
    split = tmp_path / "split"
    invoke("--db", annotated, "export", "--split", "train=0.5,test=0.5", "--seed", "3", "-o", split)
    assert sorted(p.name for p in split.iterdir()) == ["test.jsonl", "train.jsonl"]
    assert sum(len(p.read_text(encoding="utf-8").splitlines()) for p in split.iterdir()) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--annotator", "zed"], "no annotator named 'zed'"),
        (["--gold"], "no gold layer yet"),
        (["--format", "brat"], "needs an output folder"),
        (["--split", "train=1"], "needs an output folder"),
        (["--split", "train=0.5"], "add up to 0.5"),
        (["--labels", "nope"], "unknown label(s) 'nope'"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_export_options_fail_with_one_line(annotated: Path, args: list[str], message: str) -> None:
    result = invoke("--db", annotated, "export", *args, ok=False)
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [[], ["--format", "brat"], ["--split", "train=1"]])
def test_an_unwritable_output_fails_with_one_line(
    annotated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("annotator.core.output_files.os.replace", refuse)
    out = tmp_path / "out" / "corpus"
    out.parent.mkdir()
    result = invoke("--db", annotated, "export", *args, "-o", out, ok=False)
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {out}: cannot write the export: Permission denied\n"
    assert list(out.parent.iterdir()) == []


def test_an_output_folder_that_cannot_hold_the_staging_file_fails_with_one_line(
    annotated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    out = tmp_path / "brat"
    result = invoke("--db", annotated, "export", "--format", "brat", "-o", out, ok=False)
    assert result.exit_code == 1
    assert result.stderr == f"annotator: error: {out}: cannot write the export: Permission denied\n"


def test_exporting_onto_the_project_file_itself_is_refused(annotated: Path) -> None:
    before = annotated.read_bytes()
    result = invoke("--db", annotated, "export", "-o", annotated, ok=False)
    assert result.exit_code == 1
    assert result.stderr.endswith(f"{annotated}: is the project file itself; choose another output\n")
    assert annotated.read_bytes() == before
    with Project.open(annotated) as project:
        assert project.annotators()
