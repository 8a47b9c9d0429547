"""Merging another project's layers: documents by id and hash, clashes refused, other file untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from annotator.core.errors import DocumentError, ProjectError
from annotator.core.merge import merge_project
from annotator.core.model import GOLD_LAYER, Status
from annotator.core.store import DocumentInput, NewSpan, Project

TEXT = "Robert Wood said the troops were in Kursk."


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make(path: Path, annotator: str, spans: list[tuple[int, int, str]], *, text: str = TEXT) -> Path:
    with Project.open(path) as project:
        project.add_documents([DocumentInput("doc", text, "Doc", "doc.txt", {"lang": "en"})])
        project.add_spans(NewSpan("doc", annotator, *s) for s in spans)
        if spans:
            project.set_status("doc", annotator, Status.DONE)
    return path


def test_merge_copies_layers_documents_and_status(tmp_path: Path) -> None:
    alice = _make(tmp_path / "alice.db", "alice", [(0, 11, "actor"), (17, 41, "claim")])
    bob = _make(tmp_path / "bob.db", "bob", [(7, 11, "actor")])
    before = {p: _digest(p) for p in (alice, bob)}
    with Project.open(tmp_path / "review.db") as review:
        first = merge_project(review, alice)
        second = merge_project(review, bob)
        assert first.documents_added == ["doc"]
        assert second.documents_added == []
        assert first.layers_added == [("doc", "alice")]
        assert first.spans_added == 2
        assert second.spans_added == 1
        assert [s.key for s in review.spans("doc", "alice")] == [(0, 11, "actor"), (17, 41, "claim")]
        assert [s.key for s in review.spans("doc", "bob")] == [(7, 11, "actor")]
        assert review.status("doc", "alice") is Status.DONE
        assert review.document("doc").meta == {"lang": "en"}
        assert review.annotators() == ["alice", "bob"]
        assert "merged 1 layer(s) with 2 span(s)" in first.summary()
    assert {p: _digest(p) for p in (alice, bob)} == before


def test_merging_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    alice = _make(tmp_path / "alice.db", "alice", [(0, 11, "actor")])
    with Project.open(tmp_path / "review.db") as review:
        merge_project(review, alice)
        again = merge_project(review, alice)
        assert again.layers_added == []
        assert again.layers_unchanged == [("doc", "alice")]
        assert review.span_count("alice") == 1
        assert "1 layer(s) already present" in again.summary()


def test_a_document_with_the_same_id_and_other_text_is_refused(tmp_path: Path) -> None:
    other = _make(tmp_path / "other.db", "alice", [(0, 3, "actor")], text="Different text entirely.")
    with Project.open(tmp_path / "review.db") as review:
        review.add_documents([DocumentInput("doc", TEXT, "Doc")])
        with pytest.raises(DocumentError, match="document 'doc' has different text"):
            merge_project(review, other)
        assert review.span_count() == 0


def test_a_layer_that_differs_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with Project.open(other) as project:
        project.add_documents(
            [DocumentInput("new", "A new document.", "New"), DocumentInput("doc", TEXT, "Doc")]
        )
        project.add_span("new", "alice", 0, 1, "actor")
        project.add_span("doc", "alice", 0, 6, "actor")
    before = _digest(other)
    with Project.open(tmp_path / "review.db") as review:
        review.add_documents([DocumentInput("doc", TEXT, "Doc")])
        review.add_span("doc", "alice", 0, 11, "actor")
        with pytest.raises(DocumentError, match="alice's layer of document 'doc' differs"):
            merge_project(review, other)
        assert review.document_ids() == ["doc"]
        assert [s.key for s in review.spans("doc", "alice")] == [(0, 11, "actor")]
    assert _digest(other) == before


def test_missing_labels_are_added_with_their_colour(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with Project.open(other) as project:
        project.add_label("place", "#123456", "7")
        project.add_documents([DocumentInput("doc", TEXT, "Doc")])
        project.add_span("doc", "alice", 36, 41, "place")
    with Project.open(tmp_path / "review.db") as review:
        result = merge_project(review, other)
        assert result.labels_added == ["place"]
        label = review.labels().get("place")
        assert (label.color, label.hotkey) == ("#123456", "7")
        assert [s.key for s in review.spans("doc", "alice")] == [(36, 41, "place")]


def test_gold_and_notes_travel(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with Project.open(other) as project:
        project.add_documents([DocumentInput("doc", TEXT, "Doc")])
        project.add_span("doc", GOLD_LAYER, 0, 11, "actor", note="checked")
    with Project.open(tmp_path / "review.db") as review:
        merge_project(review, other)
        (span,) = review.spans("doc", GOLD_LAYER)
        assert (span.key, span.note) == ((0, 11, "actor"), "checked")


def test_foreign_missing_and_self_files_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not a database at all" * 10)
    with Project.open(tmp_path / "review.db") as review:
        with pytest.raises(ProjectError, match="not an Annotator project"):
            merge_project(review, foreign)
        with pytest.raises(ProjectError, match="no such project file"):
            merge_project(review, tmp_path / "missing.db")
        with pytest.raises(ProjectError, match="into itself"):
            merge_project(review, tmp_path / "review.db")


def test_the_other_project_gets_no_wal_files(tmp_path: Path) -> None:
    other = _make(tmp_path / "other" / "other.db", "alice", [(0, 11, "actor")])
    before = _digest(other)
    with Project.open(tmp_path / "review.db") as review:
        merge_project(review, other)
    assert _digest(other) == before
    assert sorted(p.name for p in other.parent.iterdir()) == ["other.db"]
