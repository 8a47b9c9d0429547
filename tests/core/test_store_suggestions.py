"""The store's part of suggestions: each span's source, rejections, per-source tallies, and the
native JSONL's ``"source"`` (schema 5, migration 0005_suggestion_sources)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import jsonschema
import pytest
import sqlite_utils

from annotator.core.errors import SpanError
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.paths import resource_text
from annotator.core.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, DocumentInput, NewSpan, Project

TEXT = "Robert Wood 👩‍🔬 said 4,500 troops; 北朝鮮 denied it.\r\nWood again."


def at(needle: str, nth: int = 0) -> tuple[int, int]:
    """Code-point offsets of the ``nth`` occurrence of ``needle`` in TEXT."""
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


WOOD, SCIENTIST, TROOPS, KOREA, WOOD_AGAIN = (
    at("Robert Wood"),
    at("👩‍🔬"),
    at("4,500 troops"),
    at("北朝鮮"),
    at("Wood", 1),
)


@pytest.fixture
def doc(project: Project) -> Project:
    project.add_documents([DocumentInput("doc", TEXT)])
    return project


def test_spans_made_by_hand_have_no_source_and_accepted_ones_keep_theirs(doc: Project) -> None:
    hand = doc.add_span("doc", "alice", *WOOD, "actor")
    accepted = doc.add_span("doc", "alice", *TROOPS, "number", source="patterns:default")
    assert hand.source is None
    assert accepted.source == "patterns:default"
    assert [s.source for s in doc.spans("doc", "alice")] == [None, "patterns:default"]
    assert doc.span(accepted.id).source == "patterns:default"
    [many] = doc.add_spans([NewSpan("doc", "alice", *WOOD_AGAIN, "actor", None, "memory")])
    assert many.source == "memory"


def test_relabelling_keeps_the_source_and_undoing_a_delete_restores_it(doc: Project) -> None:
    span = doc.add_span("doc", "alice", *TROOPS, "number", source="model:alice@v1")
    relabelled = doc.update_span(span.id, label="claim")
    assert relabelled.source == "model:alice@v1"
    assert doc.span(span.id).source == "model:alice@v1"
    deleted = doc.delete_span(span.id)
    doc.restore_spans([deleted])
    assert doc.span(span.id).source == "model:alice@v1"


def test_rejections_are_stored_listed_idempotent_and_undoable(doc: Project) -> None:
    doc.add_rejection("doc", "alice", *SCIENTIST, "actor", "memory")
    doc.add_rejection("doc", "alice", *SCIENTIST, "actor", "memory")  # again: nothing changes
    doc.add_rejection("doc", "alice", *at("Robert"), "actor", "spacy:mine")
    doc.add_rejection("doc", "bob", *at("Robert"), "actor", "memory")
    assert [(r.key, r.source) for r in doc.rejections("doc", "alice")] == [
        ((*at("Robert"), "actor"), "spacy:mine"),
        ((*SCIENTIST, "actor"), "memory"),
    ]
    assert doc.remove_rejection("doc", "alice", *SCIENTIST, "actor")
    assert not doc.remove_rejection("doc", "alice", *SCIENTIST, "actor")
    assert [r.key for r in doc.rejections("doc", "alice")] == [(*at("Robert"), "actor")]


def test_a_rejection_is_checked_like_a_span(doc: Project) -> None:
    with pytest.raises(SpanError, match="past the end"):
        doc.add_rejection("doc", "alice", 0, len(TEXT) + 1, "actor", "memory")
    with pytest.raises(SpanError, match="unknown label"):
        doc.add_rejection("doc", "alice", 0, 6, "nope", "memory")
    assert doc.rejections("doc", "alice") == []


def test_rejections_follow_label_renames_and_go_with_their_label(doc: Project) -> None:
    doc.add_rejection("doc", "alice", *at("Robert"), "actor", "memory")
    doc.add_rejection("doc", "alice", *at("4,500"), "number", "memory")
    doc.update_label("actor", new_name="who")
    assert [r.label for r in doc.rejections("doc", "alice")] == ["who", "number"]
    doc.delete_label("number")
    assert [r.label for r in doc.rejections("doc", "alice")] == ["who"]


def test_source_tallies_count_accepts_and_rejects_per_source(doc: Project) -> None:
    doc.add_span("doc", "alice", *WOOD, "actor", source="memory")
    doc.add_span("doc", "alice", *WOOD_AGAIN, "actor", source="memory")
    doc.add_span("doc", "alice", *TROOPS, "number", source="patterns:default")
    doc.add_span("doc", "alice", *KOREA, "actor")
    doc.add_rejection("doc", "alice", *SCIENTIST, "actor", "memory")
    doc.add_rejection("doc", "alice", *at("denied"), "denial", "spacy:mine")
    doc.add_span("doc", "bob", *WOOD, "actor", source="memory")
    assert doc.source_tallies("alice") == {"memory": (2, 1), "patterns:default": (1, 0), "spacy:mine": (0, 1)}
    assert doc.source_tallies("carol") == {}


def _write_v4_project(path: Path) -> None:
    db = sqlite_utils.Database(path)
    MIGRATIONS.apply(db, stop_before="0005_suggestion_sources")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 4")
    db.execute("INSERT INTO labels VALUES ('actor', '#0072B2', '1', 0)")
    db.execute("INSERT INTO documents VALUES ('doc', 'Doc', ?, 'x', '', '{}', 0, 'then')", [TEXT])
    db.execute("INSERT INTO annotators VALUES ('alice', 'then')")
    db.execute(
        'INSERT INTO spans (document_id, annotator, start, "end", label, created, updated) '
        "VALUES ('doc', 'alice', 0, 11, 'actor', 'then', 'then')"
    )
    db.conn.commit()
    db.close()


def test_a_schema_4_project_gains_sources_and_rejections_and_keeps_its_spans(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    _write_v4_project(path)
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION >= 5
        [span] = project.spans("doc", "alice")
        assert (span.key, span.source) == ((0, 11, "actor"), None)
        project.add_rejection("doc", "alice", *WOOD_AGAIN, "actor", "memory")
        assert project.source_tallies("alice") == {"memory": (0, 1)}
    assert (tmp_path / "v4.db.schema-4.backup").exists()
    with closing(sqlite3.connect(tmp_path / "v4.db.schema-4.backup")) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


def _export(project: Project, out: Path) -> Path:
    export_corpus(project, ExportOptions(format="jsonl", output=out), None, None)
    return out


def test_native_export_says_where_each_span_came_from_and_import_keeps_it(
    doc: Project, tmp_path: Path
) -> None:
    doc.add_span("doc", "alice", *WOOD, "actor", note="the envoy", source="memory")
    doc.add_span("doc", "alice", *SCIENTIST, "actor")
    doc.add_span("doc", "alice", *TROOPS, "number", source="patterns:default")
    doc.add_span("doc", "alice", *KOREA, "actor", source="spacy:mine")
    first = _export(doc, tmp_path / "first.jsonl")
    [record] = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert [(s["text"], s.get("source")) for s in record["spans"]] == [
        ("Robert Wood", "memory"),
        ("👩‍🔬", None),
        ("4,500 troops", "patterns:default"),
        ("北朝鮮", "spacy:mine"),
    ]
    assert record["spans"][0] == {
        "start": WOOD[0],
        "end": WOOD[1],
        "label": "actor",
        "text": "Robert Wood",
        "note": "the envoy",
        "source": "memory",
    }
    jsonschema.Draft202012Validator(json.loads(resource_text("annotator-export.schema.json"))).validate(
        record
    )
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first], ImportOptions(), None)
        assert [(s.key, s.source) for s in fresh.spans("doc", "alice")] == [
            (s.key, s.source) for s in doc.spans("doc", "alice")
        ]
        second = _export(fresh, tmp_path / "second.jsonl")
    assert second.read_bytes() == first.read_bytes()


def test_other_formats_are_unchanged_by_sources(doc: Project, tmp_path: Path) -> None:
    doc.add_span("doc", "alice", *WOOD, "actor", source="memory")
    out = tmp_path / "doccano.jsonl"
    export_corpus(doc, ExportOptions(format="doccano", output=out), None, None)
    assert "memory" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("bad", ['""', "3", "null"])
def test_a_bad_source_in_native_jsonl_names_file_and_line(project: Project, tmp_path: Path, bad: str) -> None:
    path = tmp_path / "bad.jsonl"
    good = '{"id":"a","text":"Wood","annotator":"x","spans":[{"start":0,"end":4,"label":"actor"}]}'
    span = f'{{"start":0,"end":4,"label":"actor","source":{bad}}}'
    line = f'{{"id":"b","text":"Wood","annotator":"x","spans":[{span}]}}'
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    if bad == "null":  # null is "no source", like an absent key
        import_corpus(project, [path], ImportOptions(), None)
        assert [s.source for s in project.spans("b", "x")] == [None]
        return
    from annotator.core.errors import InputError

    with pytest.raises(InputError, match=r"bad\.jsonl:2: .*'source' must be a non-empty string"):
        import_corpus(project, [path], ImportOptions(), None)
    assert project.document_ids() == []
