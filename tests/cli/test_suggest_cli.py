"""``annotator suggest`` and ``annotator train`` as a user types them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.store import DocumentInput, Project
from tests.spacy_helpers import ruler_pipeline, tiny_corpus

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    code, _, err = invoke(
        "--db", path, "import", ROOT / "seeds", EXAMPLES / "kursk-alice.jsonl", EXAMPLES / "kursk-bob.jsonl"
    )
    assert code == 0, err
    return path


def test_memory_and_patterns_write_their_own_layers_that_agree_compares(db: Path) -> None:
    code, out, err = invoke("--db", db, "suggest", "--source", "memory", "--annotator", "alice")
    assert code == 0, err
    assert "proposal(s) from memory on 1 document(s) into layer suggest-memory" in out
    code, out, err = invoke("--db", db, "suggest", "--source", "patterns")
    assert code == 0, err
    assert "into layer suggest-patterns" in out
    assert "number 2" in out
    code, out, err = invoke("--db", db, "agree", "alice", "suggest-memory", "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert figures["overall"]["exact"]["recall"] == 1.0  # the memory finds every string alice labelled
    with Project.open(db) as project:
        spans = project.spans("nk-troops-kursk", "suggest-patterns")
        assert spans
        assert {s.source for s in spans} == {"patterns:default"}
        assert project.status("nk-troops-kursk", "suggest-patterns").value == "done"


def test_running_again_replaces_the_layer(db: Path) -> None:
    invoke("--db", db, "suggest", "--source", "memory", "--annotator", "alice")
    first = Project.open(db)
    before = [s.key for s in first.spans("nk-troops-kursk", "suggest-memory")]
    first.close()
    invoke("--db", db, "suggest", "--source", "memory", "--annotator", "alice")
    with Project.open(db) as project:
        assert [s.key for s in project.spans("nk-troops-kursk", "suggest-memory")] == before


def test_a_patterns_file_and_its_errors(db: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.jsonl"
    rules.write_text(
        '{"label": "actor", "pattern": "Robert Wood"}\n{"label": "actor", "pattern": 7}\n', "utf-8"
    )
    code, _, err = invoke("--db", db, "suggest", "--source", "patterns", rules)
    assert code == 1
    assert (
        err == f"annotator: error: {rules}:2: 'pattern' must be a phrase (a string) or a non-empty list of "
        "token objects, got 7\n"
    )
    with Project.open(db) as project:
        assert "suggest-patterns" not in project.annotators()  # nothing changed
    rules.write_text('{"label": "actor", "pattern": "Robert Wood"}\n', "utf-8")
    code, out, err = invoke("--db", db, "suggest", "--source", "patterns", rules, "--layer", "suggest-wood")
    assert code == 0, err
    assert "from patterns:rules on 1 document(s) into layer suggest-wood (actor 1)" in out


def test_a_layer_with_handmade_spans_or_gold_is_never_overwritten(db: Path) -> None:
    code, _, err = invoke("--db", db, "suggest", "--source", "patterns", "--layer", "alice")
    assert code == 1
    assert "layer 'alice' holds 19 span(s) made by hand" in err
    code, _, err = invoke("--db", db, "suggest", "--source", "patterns", "--layer", "gold")
    assert code == 1
    assert "'gold' is the adjudicated layer" in err
    code, _, err = invoke("--db", db, "suggest", "--source", "patterns", "--layer", "a/b")
    assert code == 1
    assert "not allowed" in err


def test_usage_mistakes_are_one_line(db: Path) -> None:
    assert "give --annotator NAME" in invoke("--db", db, "suggest", "--source", "memory")[2]
    assert "needs a DIR" in invoke("--db", db, "suggest", "--source", "model")[2]
    assert (
        "takes no 'x'" in invoke("--db", db, "suggest", "--source", "memory", "x", "--annotator", "alice")[2]
    )
    code, _, err = invoke(
        "--db", db, "suggest", "--source", "memory", "--annotator", "alice", "--docs", "nope"
    )
    assert code == 1
    assert "no document with id 'nope'" in err
    for message in (err,):
        assert message.count("\n") == 1


def test_your_own_spacy_pipeline_with_a_mapping(db: Path, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    pipeline = ruler_pipeline(
        tmp_path / "mine", [{"label": "PER", "pattern": "Robert Wood"}, {"label": "LOC", "pattern": "Kursk"}]
    )
    code, _, err = invoke("--db", db, "suggest", "--source", "spacy", pipeline)
    assert code == 1
    assert "predicts LOC, PER, none of which the label mapping maps" in err
    code, _, err = invoke("--db", db, "suggest", "--source", "spacy", pipeline, "--map", "PER=hero")
    assert code == 1
    assert "maps onto 'hero', which is not a label of this project" in err
    code, out, err = invoke("--db", db, "suggest", "--source", "spacy", pipeline, "--map", "PER=actor")
    assert code == 0, err
    assert "note: " in err
    assert "labels not mapped, ignored: LOC" in err
    assert "1 proposal(s) from spacy:mine" in out
    assert "into layer suggest-spacy (actor 1)" in out


def test_without_spacy_memory_works_and_the_rest_say_how_to_install_it(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)
    assert invoke("--db", db, "suggest", "--source", "memory", "--annotator", "alice")[0] == 0
    code, _, err = invoke("--db", db, "suggest", "--source", "patterns")
    assert code == 0
    assert "token pattern(s) left out: they need spaCy" in err
    for args in (
        ["suggest", "--source", "spacy", "en_core_web_sm"],
        ["suggest", "--source", "model", tmp_path],
        ["train", "--annotator", "alice"],
    ):
        code, _, err = invoke("--db", db, *args)
        assert code == 1, args
        assert "needs spaCy, which is not installed" in err
        assert "pip install 'annotator[suggest]'" in err


def test_train_with_too_few_documents_says_how_many_it_needs(db: Path) -> None:
    pytest.importorskip("spacy")
    with Project.open(db) as project:
        project.set_status("nk-troops-kursk", "alice", "done")
    code, _, err = invoke("--db", db, "train", "--annotator", "alice")
    assert code == 1
    assert err == (
        "annotator: error: training needs at least 10 documents marked done by alice; "
        "there is 1 (9 more needed)\n"
    )
    assert "--annotator NAME or --gold" in invoke("--db", db, "train")[2]


def test_train_prints_the_evaluation_and_suggest_uses_the_model(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    db = tmp_path / "t.db"
    with Project.open(db) as project:
        docs = tiny_corpus(10)
        project.add_documents(DocumentInput(d.id, d.text) for d in docs)
        with project.transaction():
            for d in docs:
                project.import_layer(d.id, "alice", [(*span, None) for span in d.spans], "done")
    models = tmp_path / "models"
    code, out, err = invoke(
        "--db",
        db,
        "train",
        "--annotator",
        "alice",
        "-o",
        models,
        "--iterations",
        "4",
        "--min-docs",
        "6",
        "--component",
        "ner",
    )
    assert code == 0, err
    assert "training on 10 document(s) of alice" in err
    assert "ner: 8 document(s) to learn from, 2 held out" in err
    assert out.startswith("model models version ")
    assert "label    precision  recall     F1  gold  predicted" in out
    assert "actor" in out
    assert "overall" in out
    code, out, err = invoke("--db", db, "suggest", "--source", "model", models, "--threshold", "0")
    assert code == 0, err
    assert "into layer suggest-model" in out
    code, out, err = invoke("--db", db, "agree", "alice", "suggest-model")
    assert code == 0, err


def test_the_suggestions_guide_documents_every_option() -> None:
    guide = (ROOT / "docs" / "suggestions.md").read_text(encoding="utf-8")
    for name in ("suggest", "train"):
        assert f"annotator {name}" in guide
        for param in cli.commands[name].params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help":
                    assert option in guide, f"docs/suggestions.md does not mention {name} {option}"
    for kind in ("memory", "patterns", "model", "spacy"):
        assert f"`suggest-{kind}`" in guide
