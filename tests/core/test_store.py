"""The project store: schema, refusal of foreign files, spans, labels, status."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError, DocumentError, LabelError, ProjectError, SpanError
from annotator.core.model import Status
from annotator.core.store import APPLICATION_ID, SCHEMA_VERSION, DocumentInput, NewSpan, Project

TEXT = "Robert Wood said 4,500 troops 😀 arrived."


@pytest.fixture
def doc(project: Project) -> str:
    project.add_documents([DocumentInput("d1", TEXT, "Doc one")])
    return "d1"


def file_bytes(path: Path) -> bytes:
    return path.read_bytes()


# -- opening and refusing ---------------------------------------------------------------


def test_new_project_has_schema_marker_wal_and_default_labels(project_path: Path) -> None:
    with Project.open(project_path) as project:
        assert project.labels().names == ["actor", "claim", "denial", "number"]
        assert [label.hotkey for label in project.labels()] == ["1", "2", "3", "4"]
        assert project.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with sqlite3.connect(project_path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_reopening_keeps_data_and_runs_no_migration(project_path: Path) -> None:
    with Project.open(project_path) as project:
        project.add_documents([DocumentInput("d1", TEXT)])
        project.add_span("d1", "ann", 0, 11, "actor")
    with Project.open(project_path) as project:
        assert [s.key for s in project.spans("d1", "ann")] == [(0, 11, "actor")]


def test_foreign_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (x)")
        conn.execute("INSERT INTO things VALUES (1)")
    conn.close()
    before = file_bytes(path)
    with pytest.raises(ProjectError, match="not an Annotator project"):
        Project.open(path)
    assert file_bytes(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_foreign_wal_database_is_refused_without_leaving_wal_files(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE things (x)")
    conn.close()
    before = file_bytes(path)
    with pytest.raises(ProjectError, match="not an Annotator project"):
        Project.open(path)
    assert file_bytes(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


@pytest.mark.parametrize(
    "content",
    [b"hello, this is a text file\n" * 10, b"SQLite format 3\x00" + b"\xff" * 200, b"\x00" * 4096],
    ids=["text", "damaged-header", "zeros"],
)
def test_non_database_file_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "file.db"
    path.write_bytes(content)
    with pytest.raises(ProjectError) as info:
        Project.open(path)
    assert str(path) in str(info.value)
    assert file_bytes(path) == content


def test_damaged_pages_after_the_header_are_refused_and_untouched(project_path: Path) -> None:
    with Project.open(project_path) as project:
        project.add_documents([DocumentInput("d1", TEXT), DocumentInput("d2", TEXT * 50)])
        project.add_span("d1", "ann", 0, 11, "actor")
    data = bytearray(file_bytes(project_path))
    page = int.from_bytes(data[16:18], "big")
    data[2 * page :] = b"\x55" * (len(data) - 2 * page)
    project_path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="damaged") as caught:
        Project.open(project_path)
    assert "\n" not in str(caught.value)
    assert file_bytes(project_path) == bytes(data)
    assert sorted(p.name for p in project_path.parent.iterdir()) == [project_path.name]


def test_newer_schema_is_refused_and_untouched(project_path: Path) -> None:
    Project.open(project_path).close()
    with sqlite3.connect(project_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = file_bytes(project_path)
    with pytest.raises(ProjectError, match="newer Annotator"):
        Project.open(project_path)
    assert file_bytes(project_path) == before


def test_unknown_applied_migration_is_refused(project_path: Path) -> None:
    Project.open(project_path).close()
    with sqlite3.connect(project_path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "SELECT migration_set, '9999_future', 'x' FROM _sqlite_migrations LIMIT 1"
        )
    conn.close()
    with pytest.raises(ProjectError, match="newer Annotator"):
        Project.open(project_path)


def test_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is a folder"):
        Project.open(tmp_path)
    with pytest.raises(ProjectError, match="no such project"):
        Project.open(tmp_path / "missing.db", create=False)


# -- documents --------------------------------------------------------------------------


def test_same_id_same_text_is_noop_and_different_text_refused(project: Project, doc: str) -> None:
    result = project.add_documents([DocumentInput("d1", TEXT)])
    assert result.added == []
    assert result.unchanged == ["d1"]
    with pytest.raises(DocumentError, match="'d1' already exists with different text"):
        project.add_documents([DocumentInput("new", "x"), DocumentInput("d1", TEXT + "!")])
    assert project.document_ids() == ["d1"], "the failed batch must leave nothing behind"


def test_document_round_trip_keeps_text_meta_and_order(project: Project) -> None:
    texts = {"b": "line\r\nnext", "a": "e\u0301 👩‍👩‍👧 中文"}
    project.add_documents([DocumentInput(k, v, f"T {k}", "src.txt", {"k": [1, 2]}) for k, v in texts.items()])
    assert project.document_ids() == ["b", "a"]
    doc = project.document("a")
    assert doc.text == texts["a"]
    assert doc.title == "T a"
    assert doc.meta == {"k": [1, 2]}
    assert doc.source == "src.txt"
    with pytest.raises(DocumentError, match="no document"):
        project.document("zzz")


# -- spans ------------------------------------------------------------------------------


def test_span_offsets_are_code_points(project: Project, doc: str) -> None:
    start = TEXT.index("😀")
    span = project.add_span(doc, "ann", start, start + 1, "number")
    assert TEXT[span.start : span.end] == "😀"
    later = TEXT.index("arrived")
    span2 = project.add_span(doc, "ann", later, later + 7, "claim")
    assert TEXT[span2.start : span2.end] == "arrived"


@pytest.mark.parametrize(
    ("start", "end", "label", "message"),
    [
        (-1, 3, "actor", "negative"),
        (0, 999, "actor", "past the end"),
        (5, 5, "actor", "empty"),
        (6, 2, "actor", "empty"),
        (0, 3, "villain", "unknown label 'villain'"),
        ("0", 3, "actor", "not an integer"),
        (True, 3, "actor", "not an integer"),
    ],
)
def test_invalid_spans_say_which_rule(
    project: Project, doc: str, start: object, end: int, label: str, message: str
) -> None:
    with pytest.raises(SpanError, match=message):
        project.add_span(doc, "ann", start, end, label)  # type: ignore[arg-type]
    assert project.span_count() == 0


def test_nested_and_overlapping_allowed_exact_duplicate_refused(project: Project, doc: str) -> None:
    project.add_span(doc, "ann", 0, 29, "claim")
    project.add_span(doc, "ann", 17, 22, "number")
    project.add_span(doc, "ann", 10, 20, "actor")
    project.add_span(doc, "other", 17, 22, "number")  # another layer may repeat it
    with pytest.raises(SpanError, match="already has a 'number' span"):
        project.add_span(doc, "ann", 17, 22, "number")
    assert project.span_count("ann") == 3


def test_span_on_missing_document(project: Project) -> None:
    with pytest.raises(DocumentError, match="no document"):
        project.add_span("nope", "ann", 0, 1, "actor")


def test_update_delete_restore(project: Project, doc: str) -> None:
    span = project.add_span(doc, "ann", 0, 6, "actor", note="first name")
    moved = project.update_span(span.id, end=11, label="claim")
    assert (moved.start, moved.end, moved.label, moved.note) == (0, 11, "claim", "first name")
    cleared = project.update_span(span.id, note=None)
    assert cleared.note is None
    with pytest.raises(SpanError, match="past the end"):
        project.update_span(span.id, end=10_000)
    assert project.span(span.id).end == 11
    deleted = project.delete_span(span.id)
    assert project.spans(doc, "ann") == []
    (restored,) = project.restore_spans([deleted])
    assert restored.id == span.id
    assert project.span(span.id).label == "claim"
    assert project.span(span.id).created == span.created


def test_bulk_add_is_atomic(project: Project, doc: str) -> None:
    batch = [NewSpan(doc, "ann", 0, 6, "actor"), NewSpan(doc, "ann", 0, 999, "actor")]
    with pytest.raises(SpanError):
        project.add_spans(batch)
    assert project.span_count() == 0
    created = project.add_spans([NewSpan(doc, "ann", 0, 6, "actor")] * 2, skip_duplicates=True)
    assert len(created) == 1


def test_status_follows_work(project: Project, doc: str) -> None:
    assert project.status(doc, "ann") is Status.TODO
    project.add_span(doc, "ann", 0, 6, "actor")
    assert project.status(doc, "ann") is Status.IN_PROGRESS
    project.set_status(doc, "ann", "done")
    project.add_span(doc, "ann", 7, 11, "actor")
    assert project.status(doc, "ann") is Status.DONE
    with pytest.raises(AnnotatorError, match="unknown status 'finished'"):
        project.set_status(doc, "ann", "finished")


def test_next_unfinished_wraps(project: Project) -> None:
    project.add_documents([DocumentInput(i, "text") for i in ("a", "b", "c")])
    project.set_status("b", "ann", Status.DONE)
    assert project.next_unfinished("ann", after="a") == "c"
    assert project.next_unfinished("ann", after="c") == "a"
    for doc_id in ("a", "c"):
        project.set_status(doc_id, "ann", Status.DONE)
    assert project.next_unfinished("ann", after="a") is None


# -- labels -----------------------------------------------------------------------------


def test_rename_label_keeps_spans(project: Project, doc: str) -> None:
    project.add_span(doc, "ann", 0, 6, "actor")
    project.update_label("actor", new_name="person", color="#123456")
    assert project.labels().names[0] == "person"
    assert [s.label for s in project.spans(doc, "ann")] == ["person"]


def test_label_rules(project: Project) -> None:
    with pytest.raises(LabelError, match="already exists"):
        project.add_label("actor")
    with pytest.raises(LabelError, match="not allowed"):
        project.add_label("bad,name")
    with pytest.raises(LabelError, match="reserved"):
        project.add_label("O")
    with pytest.raises(LabelError, match="already used by 'actor'"):
        project.update_label("claim", hotkey="1")
    added = project.add_label("place")
    assert added.hotkey == "5"
    assert added.color.startswith("#")
    project.reorder_labels(["place", "number", "denial", "claim", "actor"])
    assert project.labels().names[0] == "place"
    with pytest.raises(LabelError, match="every label"):
        project.reorder_labels(["place"])


def test_delete_label_in_use_needs_a_decision(project: Project, doc: str) -> None:
    project.add_span(doc, "ann", 0, 6, "actor")
    project.add_span(doc, "ann", 0, 6, "claim")
    project.add_span(doc, "ann", 7, 11, "actor")
    with pytest.raises(LabelError, match="used by 2 span"):
        project.delete_label("actor")
    deleted = project.delete_label("actor", reassign_to="claim")
    # [0, 6) would duplicate the existing claim span, so it is removed, not duplicated.
    assert [s.key for s in deleted] == [(0, 6, "actor")]
    assert [s.key for s in project.spans(doc, "ann")] == [(0, 6, "claim"), (7, 11, "claim")]
    removed = project.delete_label("claim", delete_spans=True)
    assert len(removed) == 2
    assert project.span_count() == 0
    assert "claim" not in project.labels()


def test_stats(project: Project, doc: str) -> None:
    project.add_span(doc, "ann", 0, 6, "actor")
    project.set_status(doc, "bob", Status.DONE)
    stats = project.stats()
    assert stats["totals"] == {
        "documents": 1,
        "characters": len(TEXT),
        "spans": 1,
        "annotators": 2,
        "labels": 4,
    }
    assert stats["labels"]["actor"] == 1
    assert stats["annotators"]["bob"]["done"] == 1
    assert stats["documents"][0]["status"] == {"ann": "in_progress", "bob": "done"}


def test_iter_layer_spans_groups_by_document_and_annotator(project: Project) -> None:
    project.add_documents([DocumentInput("a", "one two"), DocumentInput("b", "three")])
    project.add_span("b", "x", 0, 5, "actor")
    project.add_span("a", "y", 4, 7, "claim")
    project.add_span("a", "x", 0, 3, "actor")
    project.add_span("a", "x", 0, 3, "claim")
    layers = [(d, a, [s.key for s in spans]) for d, a, spans in project.iter_layer_spans()]
    assert layers == [
        ("a", "x", [(0, 3, "actor"), (0, 3, "claim")]),
        ("a", "y", [(4, 7, "claim")]),
        ("b", "x", [(0, 5, "actor")]),
    ]
    assert [d for d, _, _ in project.iter_layer_spans("y")] == ["a"]


def test_span_ids_are_never_reused_so_undo_can_restore_them(project: Project, doc: str) -> None:
    """Deleting the newest span must not free its id for the next one (undo restores by id)."""
    first = project.add_span(doc, "ann", 0, 5, "actor")
    project.delete_span(first.id)
    second = project.add_span(doc, "ann", 0, 5, "actor")
    assert second.id != first.id
    project.delete_span(second.id)
    (restored,) = project.restore_spans([first])
    assert (restored.id, restored.start, restored.end, restored.label) == (first.id, 0, 5, "actor")


@pytest.mark.parametrize("name", ["\u202eactor", "act\x01or", "zero\u200bwidth", "esc\x1b[31m"])
def test_label_and_annotator_names_refuse_control_and_format_characters(project: Project, name: str) -> None:
    from annotator.core.errors import AnnotatorError, LabelError

    with pytest.raises(LabelError, match="is not allowed"):
        project.add_label(name)
    with pytest.raises(AnnotatorError, match="control or formatting"):
        project.add_annotator(name)


def test_a_text_with_nul_is_measured_in_characters(project: Project) -> None:
    project.add_documents([DocumentInput("nul", "a\x00bc")])
    assert project.summaries()[0].length == 4
    assert project.stats()["totals"]["characters"] == 4
