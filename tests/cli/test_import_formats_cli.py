"""``annotator import`` of training corpora: detection, layers, labels and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.store import Project


def invoke(*args: str | Path, ok: bool = True):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def write_lines(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


TEXT = "Kim 👩‍🔬 said 北朝鮮 e\u0301te\u0301\r\nno."


def test_each_format_is_detected(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    native = write_lines(
        tmp_path / "native.jsonl",
        {
            "id": "n",
            "text": TEXT,
            "annotator": "ann",
            "status": "done",
            "spans": [{"start": 4, "end": 5, "label": "actor", "text": "👩"}],
        },
    )
    doccano = write_lines(tmp_path / "dana.jsonl", {"id": "d", "text": TEXT, "label": [[11, 14, "actor"]]})
    prodigy = write_lines(
        tmp_path / "prod.jsonl",
        {
            "text": TEXT,
            "spans": [{"start": 0, "end": 3, "label": "actor"}],
            "answer": "accept",
            "meta": {"id": "p"},
        },
        {"text": "rejected", "spans": [], "answer": "reject"},
    )
    conll = tmp_path / "tags.conll"
    conll.write_text("-DOCSTART-\tc\tcarl\n\nKim\tB-actor\nsaid\tO\n", encoding="utf-8")
    brat = tmp_path / "brat" / "bea"
    brat.mkdir(parents=True)
    (brat / "b.txt").write_text("Kim said", encoding="utf-8")
    (brat / "b.ann").write_text("T1\tactor 0 3\tKim\n", encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text("Just text.", encoding="utf-8")
    result = invoke("--db", db, "import", native, doccano, prodigy, conll, tmp_path / "brat", plain)
    assert "imported 6 document(s), 5 span(s)" in result.stdout
    assert "1 left out: Prodigy tasks not accepted" in result.stderr
    with Project.open(db) as project:
        assert sorted(project.document_ids()) == ["b", "c", "d", "n", "p", "plain"]
        assert project.status("n", "ann").value == "done"
        assert project.layers("d") == ["dana"]  # no annotator field: the file's stem
        assert project.layers("p") == ["prod"]
        assert project.layers("c") == ["carl"]
        assert project.layers("b") == ["bea"]  # brat: the folder
        assert project.layers("plain") == []
        assert project.document_text("c") == "Kim said"
        assert [(s.start, s.end) for s in project.spans("d", "dana")] == [(11, 14)]


def test_txt_is_conll_only_when_asked(tmp_path: Path) -> None:
    tags = tmp_path / "tags.txt"
    tags.write_text("Kim\tB-actor\nsaid\tO\n", encoding="utf-8")
    invoke("--db", tmp_path / "plain.db", "import", tags)
    with Project.open(tmp_path / "plain.db") as project:
        assert project.document_text("tags") == "Kim\tB-actor\nsaid\tO\n"
    invoke("--db", tmp_path / "conll.db", "import", "--format", "conll", "--annotator", "zoe", tags)
    with Project.open(tmp_path / "conll.db") as project:
        (doc_id,) = project.document_ids()
        assert [s.key for s in project.spans(doc_id, "zoe")] == [(0, 3, "actor")]


def test_unknown_labels_need_add_labels(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    source = write_lines(
        tmp_path / "x.jsonl",
        {"id": "a", "text": "Kim", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "PER"}]},
    )
    refused = invoke("--db", db, "import", source, ok=False)
    assert refused.exit_code == 1
    assert f"annotator: error: {source}:1: unknown label 'PER'" in refused.stderr
    assert "--add-labels" in refused.stderr
    added = invoke("--db", db, "import", "--add-labels", source)
    assert "note: added label 'PER'" in added.stderr
    with Project.open(db) as project:
        assert "PER" in project.labels().names


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"id": "a", "text": "abc", "annotator": "x", "spans": [{"start": 2, "end": 7, "label": "actor"}]},
            ":2: span [2, 7) 'actor' is outside its text",
        ),
        (
            {
                "id": "a",
                "text": "abc",
                "annotator": "x",
                "spans": [{"start": 0, "end": 2, "label": "actor", "text": "ac"}],
            },
            ":2: span [0, 2) 'actor': its text 'ac' differs",
        ),
        (
            {"id": "ok", "text": "other text", "spans": []},
            ":2: document 'ok' already exists with different text",
        ),
    ],
)
def test_bad_input_exits_non_zero_naming_file_and_line_and_keeps_nothing(
    tmp_path: Path, line: dict[str, object], message: str
) -> None:
    db = tmp_path / "p.db"
    source = write_lines(
        tmp_path / "bad.jsonl", {"id": "ok", "text": "fine", "annotator": "x", "spans": []}, line
    )
    result = invoke("--db", db, "import", source, ok=False)
    assert result.exit_code == 1
    assert f"{source}{message}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with Project.open(db) as project:
        assert project.document_ids() == []


def test_bad_ann_line_exits_non_zero(tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Kim said", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tactor 0 3\tKim\nT2 actor 4 8 said\n", encoding="utf-8")
    result = invoke("--db", tmp_path / "p.db", "import", folder, ok=False)
    assert result.exit_code == 1
    assert f"{folder / 'a.ann'}:2: cannot parse" in result.stderr


def test_a_folder_with_nothing_importable_exits_non_zero(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "table.xlsx").write_bytes(b"PK\x03\x04")  # .csv files are importable since issue 12
    result = invoke("--db", tmp_path / "p.db", "import", folder, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"annotator: error: {folder}: nothing to import in this folder")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["", "  ", "a/b"])
def test_a_bad_annotator_option_is_refused_not_ignored(tmp_path: Path, name: str) -> None:
    source = write_lines(
        tmp_path / "s.jsonl",
        {"id": "d", "text": "Kim", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "actor"}]},
    )
    result = invoke("--db", tmp_path / "p.db", "import", "--annotator", name, source, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("annotator: error: --annotator: annotator name")
    with Project.open(tmp_path / "p.db") as project:
        assert project.document_ids() == []


def test_import_help_documents_the_options() -> None:
    text = invoke("import", "--help").output
    for option in ("--format", "--annotator", "--add-labels", "brat", "doccano", "Prodigy"):
        assert option in text
    text = invoke("export", "--help").output
    for option in (
        "--format",
        "--annotator",
        "--gold",
        "--done-only",
        "--labels",
        "--split",
        "--seed",
        "--output",
    ):
        assert option in text
