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


# -- reviewers' decisions and hotkeys (issue 15, item 14) ---------------------------------------


def _reviewed(path: Path) -> Path:
    """A reviewer's project: alice and bob disagree, every disagreement decided into gold."""
    from annotator.core import adjudication as adj

    with Project.open(path) as project:
        project.add_documents([DocumentInput("doc", TEXT, "Doc")])
        project.add_spans([NewSpan("doc", "alice", 0, 11, "actor"), NewSpan("doc", "alice", 36, 41, "actor")])
        project.add_spans([NewSpan("doc", "bob", 7, 11, "actor"), NewSpan("doc", "bob", 17, 41, "claim")])
        for number, disagreement in enumerate(adj.document_disagreements(project, "doc", "alice", "bob")):
            adj.resolve(
                project, "doc", "alice", "bob", disagreement, ["a", "b", "neither", "both"][number % 4]
            )
        assert adj.progress(project, ["doc"], "alice", "bob").done
    return path


def test_a_reviewers_decisions_travel_with_the_gold_layer(tmp_path: Path) -> None:
    from annotator.core import adjudication as adj

    other = _reviewed(tmp_path / "reviewer.db")
    with Project.open(other, readonly=True) as project:
        decided = project.decisions()
        gold = [s.key for s in project.spans("doc", GOLD_LAYER)]
    count = len(decided)
    assert count >= 2
    with Project.open(tmp_path / "review.db") as review:
        result = merge_project(review, other)
        assert result.decisions_added == count
        assert f"{count} reviewer decision(s)" in result.summary()
        assert [s.key for s in review.spans("doc", GOLD_LAYER)] == gold
        assert review.decisions() == decided
        progress = adj.progress(review, ["doc"], "alice", "bob")
        assert (progress.resolved, progress.total) == (count, count)
        again = merge_project(review, other)  # the same decisions again: nothing changes
        assert again.decisions_added == 0
        assert review.decisions() == decided


def test_other_decisions_on_the_same_pair_are_refused(tmp_path: Path) -> None:
    from annotator.core import adjudication as adj

    other = _reviewed(tmp_path / "reviewer.db")
    mine = tmp_path / "review.db"
    with Project.open(mine) as review:
        review.add_documents([DocumentInput("doc", TEXT, "Doc")])
        review.add_spans([NewSpan("doc", "alice", 0, 11, "actor"), NewSpan("doc", "alice", 36, 41, "actor")])
        review.add_spans([NewSpan("doc", "bob", 7, 11, "actor"), NewSpan("doc", "bob", 17, 41, "claim")])
        # The same gold as the reviewer's, by other decisions: an edit instead of "accept A".
        first, second = adj.document_disagreements(review, "doc", "alice", "bob")
        adj.resolve(review, "doc", "alice", "bob", first, "edit", [first.a])
        adj.resolve(review, "doc", "alice", "bob", second, "b")
        with Project.open(other, readonly=True) as reviewer:
            assert review.spans("doc", GOLD_LAYER) != []
            assert [s.key for s in review.spans("doc", GOLD_LAYER)] == [
                s.key for s in reviewer.spans("doc", GOLD_LAYER)
            ]
        before = review.decisions()
        with pytest.raises(DocumentError, match="decisions on alice vs bob in document 'doc' differ"):
            merge_project(review, other)
        assert review.decisions() == before


@pytest.mark.parametrize(
    ("their_hotkey", "taken_here", "expected"),
    [("7", False, "7"), ("1", True, None), (None, False, None)],
    ids=["free", "taken", "none"],
)
def test_a_merged_label_gets_its_own_hotkey_only_when_that_key_is_free(
    tmp_path: Path, their_hotkey: str | None, taken_here: bool, expected: str | None
) -> None:
    other = tmp_path / "other.db"
    with Project.open(other) as project:
        if their_hotkey == "1":
            project.update_label("actor", hotkey=None)  # "1" is free there, taken in the review
        project.add_label("place", "#123456", their_hotkey)
        project.add_documents([DocumentInput("doc", TEXT, "Doc")])
        project.add_span("doc", "alice", 36, 41, "place")
    with Project.open(tmp_path / "review.db") as review:
        assert (review.labels().by_hotkey(their_hotkey or "") is not None) == taken_here
        merge_project(review, other)
        assert review.labels().get("place").hotkey == expected
