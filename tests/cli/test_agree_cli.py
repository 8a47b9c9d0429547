"""`annotator agree` and `annotator merge`, run as a user types them."""

from __future__ import annotations

import hashlib
import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.agreement import DocumentLayers, compute_agreement
from annotator.core.store import DocumentInput, NewSpan, Project
from tests.child_env import child_env

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ALICE = EXAMPLES / "kursk-alice.jsonl"
BOB = EXAMPLES / "kursk-bob.jsonl"


def run(*args: str, db: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    argv = (["--db", str(db)] if db else []) + list(args)
    result = runner.invoke(cli, argv, catch_exceptions=False, prog_name="annotator")
    return result.exit_code, result.stdout, result.stderr


def _example_record(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8").splitlines()[0])


@pytest.fixture
def two_annotators(project_path: Path) -> Path:
    """The sample article with alice's and bob's example layers, stored in a project."""
    with Project.open(project_path) as project:
        for path in (ALICE, BOB):
            record = _example_record(path)
            project.add_documents([DocumentInput(record["id"], record["text"], record["title"])])
            project.add_spans(
                NewSpan(record["id"], record["annotator"], s["start"], s["end"], s["label"])
                for s in record["spans"]
            )
        project.add_documents([DocumentInput("other", "Another text, only alice touched it.", "Other")])
        project.add_span("other", "alice", 0, 7, "actor")
    return project_path


def test_examples_are_exact_and_cover_every_kind_of_disagreement() -> None:
    from annotator.core.pairing import disagreements

    seed = json.loads((EXAMPLES.parents[1] / "seeds" / "nk-troops-kursk.jsonl").read_text("utf-8"))
    layers = {}
    for path, name in ((ALICE, "alice"), (BOB, "bob")):
        record = _example_record(path)
        assert record["text"] == seed["text"]
        assert (record["id"], record["annotator"], record["status"]) == (seed["id"], name, "done")
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
        layers[name] = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
    kinds = {d.kind.value for d in disagreements(layers["alice"], layers["bob"])}
    assert kinds == {"only_a", "only_b", "label_differs", "boundary_differs"}


def test_agree_on_two_export_files_prints_a_table() -> None:
    code, out, err = run("agree", str(ALICE), str(BOB))
    assert code == 0, err
    assert out.startswith("Agreement of alice (A, key) and bob (B, response) over 1 document")
    assert "exact spans    0.737  0.737  0.737  14  19  19" in out
    assert "lenient spans  0.842  0.842  0.842  16  19  19" in out
    assert "confusion (rows: alice = A, columns: bob = B" in out


def test_agree_json_on_files_matches_the_core_and_the_project(two_annotators: Path) -> None:
    code, out, _ = run("agree", str(ALICE), str(BOB), "--json")
    assert code == 0
    from_files = json.loads(out)
    assert set(from_files) == {"annotators", "documents", "overall", "labels", "confusion", "per_document"}
    assert from_files["annotators"] == ["alice", "bob"]
    assert from_files["documents"] == 1
    assert from_files["overall"]["exact"] == {
        "tp": 14, "a": 19, "b": 19, "precision": 14 / 19, "recall": 14 / 19, "f1": 14 / 19,
    }  # fmt: skip
    assert set(from_files["labels"]) == {"actor", "claim", "denial", "number"}
    assert from_files["confusion"]["matrix"]["denial"]["claim"] == 1

    # The project holds the same layers plus a document only alice touched: same figures.
    code, out, _ = run("agree", "alice", "bob", "--json", db=two_annotators)
    assert code == 0
    assert json.loads(out) == from_files

    a, b = (_example_record(p) for p in (ALICE, BOB))
    expected = compute_agreement(
        [
            DocumentLayers(
                a["id"],
                len(a["text"]),
                [(s["start"], s["end"], s["label"]) for s in a["spans"]],
                [(s["start"], s["end"], s["label"]) for s in b["spans"]],
            )
        ],
        annotators=("alice", "bob"),
    ).to_json()
    assert from_files == json.loads(json.dumps(expected))


def test_agree_docs_option_and_undefined_figures(two_annotators: Path) -> None:
    code, out, err = run("agree", "alice", "bob", "--docs", "other", "--json", db=two_annotators)
    assert code == 0, err
    data = json.loads(out)
    assert data["documents"] == 1
    assert data["overall"]["exact"]["precision"] is None
    assert data["overall"]["exact"]["recall"] == 0.0
    code, out, err = run("agree", "alice", "bob", "--docs", "other", db=two_annotators)
    assert code == 0
    assert "n/a" in out


def test_agree_without_shared_documents_is_not_a_crash(project_path: Path) -> None:
    with Project.open(project_path) as project:
        project.add_documents([DocumentInput("d1", "One text.", "D1"), DocumentInput("d2", "Two.", "D2")])
        project.add_span("d1", "alice", 0, 3, "actor")
        project.add_span("d2", "bob", 0, 3, "actor")
    code, out, err = run("agree", "alice", "bob", db=project_path)
    assert code == 0
    assert "no documents annotated by both alice and bob" in err
    assert "over 0 documents" in out
    code, out, _ = run("agree", "alice", "bob", "--json", db=project_path)
    assert json.loads(out)["overall"]["char_kappa"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agree", "alice", "carol"], "unknown annotator 'carol' (annotators: alice, bob)"),
        (["agree", "alice", "alice"], "compare two different annotators"),
        (["agree", "alice", "bob", "--docs", "nope"], "no document with id 'nope'"),
        (["agree", "alice", "bob", "--docs", " , "], "give at least one document id"),
        (["agree", "alice", "bob", "--report", "out.pdf"], ".pdf"),
    ],
)
def test_agree_errors_are_one_line(
    two_annotators: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*args, db=two_annotators)
    assert code != 0
    assert message in err
    assert err.startswith("annotator: error: ")
    assert err.count("\n") == 1


def test_agree_file_errors(tmp_path: Path) -> None:
    other = tmp_path / "changed.jsonl"
    record = _example_record(BOB)
    record["text"] = record["text"].replace("Kursk", "Kursk!", 1)
    record["spans"] = []
    other.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _, err = run("agree", str(ALICE), str(other))
    assert code == 1
    assert "document 'nk-troops-kursk' has different text" in err
    bad = tmp_path / "bad.jsonl"
    record = _example_record(BOB)
    record["spans"] = [{"start": 4, "end": 2, "label": "actor"}]
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _, err = run("agree", str(ALICE), str(bad))
    assert code == 1
    assert err.startswith(f"annotator: error: {bad}:1: ")
    two = tmp_path / "two.jsonl"
    lines = [dict(_example_record(ALICE), id=f"d{i}", annotator=name) for i, name in enumerate(("x", "y"))]
    two.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    code, _, err = run("agree", str(two), str(BOB))
    assert code == 1
    assert "holds the layers of several annotators (x, y)" in err
    # Without an "annotator" key the layer is named after the file.
    carol = tmp_path / "carol.jsonl"
    record = _example_record(BOB)
    del record["annotator"]
    carol.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, out, _ = run("agree", str(ALICE), str(carol), "--json")
    assert code == 0
    assert json.loads(out)["annotators"] == ["alice", "carol"]
    code, _, err = run("agree", str(ALICE), str(tmp_path / "missing.jsonl"))
    assert code == 1
    assert "no such file" in err


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_agree_report(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"report{suffix}"
    code, out, err = run("agree", str(ALICE), str(BOB), "--report", str(target))
    assert code == 0, err
    assert "report written to" in err
    text = target.read_text(encoding="utf-8")
    for label in ("actor", "claim", "denial", "number"):
        assert label in text
    assert "alice" in text
    assert out.startswith("Agreement of alice")


def test_agree_report_that_cannot_be_written_fails_before_printing(tmp_path: Path) -> None:
    code, out, err = run("agree", str(ALICE), str(BOB), "--report", str(tmp_path / "report.pdf"))
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "report.pdf" in err


def _file_size_limited(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_a_report_that_fills_the_disk_leaves_the_previous_report(tmp_path: Path, suffix: str) -> None:
    """The report is written beside its target and moved into place (as exports are): a disk
    that fills up mid-write leaves the previous report whole, and no partial file behind."""
    target = tmp_path / f"report{suffix}"
    previous = "the previous report, complete\n" * 10
    target.write_text(previous, encoding="utf-8")
    result = subprocess.run(  # noqa: PLW1510
        [sys.executable, "-m", "annotator.cli", "agree", str(ALICE), str(BOB), "--report", str(target)],
        capture_output=True,
        text=True,
        env=child_env(),
        preexec_fn=_file_size_limited(1024),  # noqa: PLW1509
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"{target}: cannot write the report" in result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == previous
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merge_collects_two_annotators_project_files(tmp_path: Path) -> None:
    files = {}
    for path in (ALICE, BOB):
        record = _example_record(path)
        files[record["annotator"]] = tmp_path / f"{record['annotator']}.db"
        with Project.open(files[record["annotator"]]) as project:
            project.add_documents([DocumentInput(record["id"], record["text"], record["title"])])
            project.add_spans(
                NewSpan(record["id"], record["annotator"], s["start"], s["end"], s["label"])
                for s in record["spans"]
            )
    before = {name: _digest(path) for name, path in files.items()}
    review = tmp_path / "review.db"
    code, out, err = run("merge", str(files["alice"]), db=review)
    assert code == 0, err
    assert out == "merged 1 layer(s) with 19 span(s), 1 new document(s)\n"
    code, out, _ = run("merge", str(files["bob"]), db=review)
    assert out == "merged 1 layer(s) with 19 span(s), 0 new document(s)\n"
    assert {name: _digest(path) for name, path in files.items()} == before
    code, out, _ = run("agree", "alice", "bob", db=review)
    assert code == 0
    assert "exact spans    0.737" in out


def test_merge_refuses_a_clash_clearly(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with Project.open(other) as project:
        project.add_documents([DocumentInput("d", "Some text.", "D")])
    review = tmp_path / "review.db"
    with Project.open(review) as project:
        project.add_documents([DocumentInput("d", "Other text.", "D")])
    code, _, err = run("merge", str(other), db=review)
    assert code == 1
    assert "document 'd' has different text" in err
    assert err.count("\n") == 1


def test_done_means_import_agree_adjudicate_export_gold(tmp_path: Path) -> None:
    """The issue's walk-through, headless: import both layers, agree, adjudicate, export gold."""
    from annotator.core import adjudication as adj

    db = tmp_path / "review.db"
    code, out, err = run("import", str(ALICE), str(BOB), db=db)
    assert code == 0, err
    assert "38 span(s)" in out
    code, out, _ = run("agree", "alice", "bob", db=db)
    assert code == 0
    assert "exact spans    0.737  0.737  0.737  14  19  19" in out
    assert "denial  2  1  1.000  0.500  0.667" in out
    with Project.open(db) as project:
        assert len(adj.accept_all_agreed(project, "nk-troops-kursk", "alice", "bob").added) == 14
        for d in adj.document_disagreements(project, "nk-troops-kursk", "alice", "bob"):
            adj.resolve(project, "nk-troops-kursk", "alice", "bob", d, "b" if d.b else "neither")
        progress = adj.progress(project, ["nk-troops-kursk"], "alice", "bob")
        assert (progress.resolved, progress.total) == (7, 7)
        expected = [s.key for s in project.spans("nk-troops-kursk", "bob")]
    out_file = tmp_path / "gold.jsonl"
    code, _, err = run("export", "--gold", "-o", str(out_file), db=db)
    assert code == 0, err
    (record,) = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert record["annotator"] == "gold"
    assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == expected
    for span in record["spans"]:
        assert record["text"][span["start"] : span["end"]] == span["text"]


def test_the_reviewers_guide_documents_agree_and_merge() -> None:
    guide = (EXAMPLES.parent / "review.md").read_text(encoding="utf-8")
    for name in ("agree", "merge"):
        command = cli.commands[name]
        assert f"annotator {name}" in guide
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help":
                    assert option in guide, f"docs/review.md does not mention {name} {option}"
