"""Adjudication into the gold layer: decisions, undo, accept-all-agreed, progress, migration."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils

from annotator.core import adjudication as adj
from annotator.core.errors import AnnotatorError, SpanError
from annotator.core.model import GOLD_LAYER
from annotator.core.pairing import DisagreementKind
from annotator.core.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, DocumentInput, NewSpan, Project
from annotator.core.store.schema import MIGRATION_STEPS

TEXT = "Robert Wood said the troops were in Kursk, and Nebenzia called it lies."


def _find(sub: str, label: str) -> tuple[int, int, str]:
    start = TEXT.index(sub)
    return (start, start + len(sub), label)


WOOD = _find("Robert Wood", "actor")
WOOD_SHORT = _find("Wood", "actor")
TROOPS = _find("the troops were in Kursk", "claim")
NEBENZIA = _find("Nebenzia", "actor")
LIES = _find("called it lies", "denial")
KURSK = _find("Kursk", "actor")


@pytest.fixture
def two_layers(project: Project) -> Project:
    project.add_documents([DocumentInput("doc", TEXT, "Doc")])
    project.add_spans(
        [NewSpan("doc", "alice", *s) for s in (WOOD, TROOPS, NEBENZIA, LIES)]
        + [NewSpan("doc", "bob", *s) for s in (WOOD_SHORT, TROOPS, (*NEBENZIA[:2], "claim"), KURSK)]
    )
    return project


def gold(project: Project) -> list[tuple[int, int, str]]:
    return [s.key for s in project.spans("doc", GOLD_LAYER)]


def by_kind(project: Project, kind: DisagreementKind) -> adj.Disagreement:
    return next(d for d in adj.document_disagreements(project, "doc", "alice", "bob") if d.kind is kind)


def test_disagreements_of_the_fixture(two_layers: Project) -> None:
    kinds = sorted(d.kind.value for d in adj.document_disagreements(two_layers, "doc", "alice", "bob"))
    assert kinds == ["boundary_differs", "label_differs", "only_a", "only_b"]


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (adj.Decision.A, [WOOD]),
        (adj.Decision.B, [WOOD_SHORT]),
        (adj.Decision.BOTH, sorted([WOOD, WOOD_SHORT])),
        (adj.Decision.NEITHER, []),
    ],
)
def test_each_decision_lands_in_gold_and_reverts(
    two_layers: Project, decision: adj.Decision, expected: list[tuple[int, int, str]]
) -> None:
    d = by_kind(two_layers, DisagreementKind.BOUNDARY)
    change = adj.resolve(two_layers, "doc", "alice", "bob", d, decision)
    assert gold(two_layers) == expected
    assert adj.progress(two_layers, ["doc"], "alice", "bob").resolved == 1
    record = adj.decisions(two_layers, "doc", "alice", "bob")[(d.a, d.b)]
    assert record.decision is decision
    assert record.kind == "boundary_differs"
    adj.revert(two_layers, change)
    assert gold(two_layers) == []
    assert adj.decisions(two_layers, "doc", "alice", "bob") == {}


def test_neither_counts_as_resolved(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.ONLY_B)
    adj.resolve(two_layers, "doc", "alice", "bob", d, "neither")
    p = adj.progress(two_layers, ["doc"], "alice", "bob")
    assert (p.resolved, p.total) == (1, 4)
    assert p.per_document == {"doc": (1, 4)}
    assert gold(two_layers) == []


def test_redeciding_replaces_the_earlier_result_and_undo_restores_it(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.LABEL)
    first = adj.resolve(two_layers, "doc", "alice", "bob", d, "a")
    assert gold(two_layers) == [NEBENZIA]
    second = adj.resolve(two_layers, "doc", "alice", "bob", d, "b")
    assert gold(two_layers) == [(*NEBENZIA[:2], "claim")]
    assert second.previous is not None
    assert second.previous.decision is adj.Decision.A
    adj.revert(two_layers, second)
    assert gold(two_layers) == [NEBENZIA]
    assert adj.decisions(two_layers, "doc", "alice", "bob")[(d.a, d.b)].decision is adj.Decision.A
    adj.revert(two_layers, first)
    assert gold(two_layers) == []


def test_edit_puts_the_explicit_span_in_gold_and_a_later_decision_removes_it(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.ONLY_A)
    edited = _find("lies", "denial")
    adj.resolve(two_layers, "doc", "alice", "bob", d, "edit", [edited])
    assert gold(two_layers) == [edited]
    record = adj.decisions(two_layers, "doc", "alice", "bob")[(d.a, d.b)]
    assert record.result == (edited,)
    adj.resolve(two_layers, "doc", "alice", "bob", d, "a")
    assert gold(two_layers) == [LIES]


def test_edit_is_validated(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.ONLY_A)
    with pytest.raises(SpanError, match="past the end"):
        adj.resolve(two_layers, "doc", "alice", "bob", d, "edit", [(0, 999, "actor")])
    with pytest.raises(SpanError, match="unknown label"):
        adj.resolve(two_layers, "doc", "alice", "bob", d, "edit", [(0, 3, "nope")])
    with pytest.raises(SpanError, match="needs at least one"):
        adj.resolve(two_layers, "doc", "alice", "bob", d, "edit")
    with pytest.raises(SpanError, match="only be given for an edit"):
        adj.resolve(two_layers, "doc", "alice", "bob", d, "a", [(0, 3, "actor")])
    assert gold(two_layers) == []
    assert adj.decisions(two_layers, "doc", "alice", "bob") == {}


def test_pair_is_checked(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.ONLY_A)
    with pytest.raises(AnnotatorError, match="two different"):
        adj.resolve(two_layers, "doc", "alice", "alice", d, "a")
    with pytest.raises(AnnotatorError, match="adjudicated layer"):
        adj.accept_all_agreed(two_layers, "doc", "alice", GOLD_LAYER)


def test_accept_all_agreed_in_one_step_skips_what_gold_has(two_layers: Project) -> None:
    two_layers.add_span("doc", GOLD_LAYER, *TROOPS)
    change = adj.accept_all_agreed(two_layers, "doc", "alice", "bob")
    assert change.added == ()
    two_layers.delete_spans([s.id for s in two_layers.spans("doc", GOLD_LAYER)])
    change = adj.accept_all_agreed(two_layers, "doc", "alice", "bob")
    assert [s.key for s in change.added] == [TROOPS]
    assert gold(two_layers) == [TROOPS]
    adj.revert(two_layers, change)
    assert gold(two_layers) == []


def test_full_adjudication_reaches_complete_progress(two_layers: Project) -> None:
    adj.accept_all_agreed(two_layers, "doc", "alice", "bob")
    for d in adj.document_disagreements(two_layers, "doc", "alice", "bob"):
        adj.resolve(two_layers, "doc", "alice", "bob", d, "a" if d.a else "neither")
    p = adj.progress(two_layers, ["doc"], "alice", "bob")
    assert p.done
    assert p.fraction == 1.0
    assert gold(two_layers) == sorted([WOOD, TROOPS, NEBENZIA, LIES])


def test_a_changed_layer_makes_its_disagreement_undecided_again(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.ONLY_B)
    adj.resolve(two_layers, "doc", "alice", "bob", d, "b")
    bob_kursk = next(s for s in two_layers.spans("doc", "bob") if s.key == KURSK)
    two_layers.update_span(bob_kursk.id, label="claim")
    p = adj.progress(two_layers, ["doc"], "alice", "bob")
    assert (p.resolved, p.total) == (0, 4)


def test_progress_with_nothing_to_decide() -> None:
    p = adj.Progress(0, 0)
    assert p.done
    assert p.fraction is None


def test_decisions_persist_across_reopening(two_layers: Project, project_path: Path) -> None:
    d = by_kind(two_layers, DisagreementKind.LABEL)
    adj.resolve(two_layers, "doc", "alice", "bob", d, "neither")
    two_layers.close()
    with Project.open(project_path) as reopened:
        assert adj.progress(reopened, ["doc"], "alice", "bob").resolved == 1


def _write_v1_project(path: Path) -> None:
    """A project file as the first schema version wrote it, with a document and spans."""
    db = sqlite_utils.Database(path)
    MIGRATIONS.apply(db, stop_before="0002_adjudication")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO labels VALUES ('actor', '#0072B2', '1', 0)")
    db.execute(
        "INSERT INTO documents VALUES ('doc', 'Doc', ?, 'x', '', '{}', 0, '2026-01-01T00:00:00Z')", [TEXT]
    )
    db.execute("INSERT INTO annotators VALUES ('alice', '2026-01-01T00:00:00Z')")
    db.execute(
        'INSERT INTO spans (document_id, annotator, start, "end", label, created, updated) '
        "VALUES ('doc', 'alice', ?, ?, 'actor', 'then', 'then')",
        [WOOD[0], WOOD[1]],
    )
    db.conn.commit()
    db.close()


def test_schema_version_counts_both_migrations() -> None:
    assert SCHEMA_VERSION == len(MIGRATION_STEPS) >= 2
    assert [m.name for m in MIGRATION_STEPS][:2] == ["0001_initial", "0002_adjudication"]


def test_a_v1_project_is_read_as_it_is_by_readers(tmp_path: Path) -> None:
    """Readers read every schema version (no decisions before the second) and write nothing."""
    path = tmp_path / "v1.db"
    _write_v1_project(path)
    before = path.read_bytes()
    with Project.open(path, readonly=True) as project:
        assert [s.key for s in project.spans("doc", "alice")] == [WOOD]
        assert project.decisions() == []
        assert adj.progress(project, ["doc"], "alice", "bob").resolved == 0
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1.db"]


def test_decisions_are_read_and_written_through_the_store(two_layers: Project) -> None:
    d = by_kind(two_layers, DisagreementKind.ONLY_A)
    change = adj.resolve(two_layers, "doc", "alice", "bob", d, "a")
    (record,) = two_layers.decisions()
    assert record == two_layers.find_decision("doc", "alice", "bob", (d.a, d.b))
    assert two_layers.decisions("doc", "alice", "bob") == [record]
    adj.revert(two_layers, change)
    assert two_layers.decisions() == []
    assert two_layers.find_decision("doc", "alice", "bob", (d.a, d.b)) is None


def test_a_v1_project_migrates_to_v2_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    _write_v1_project(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'adjudications'").fetchone()
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert [s.key for s in project.spans("doc", "alice")] == [WOOD]
        assert project.document_text("doc") == TEXT
        assert project.labels().names == ["actor"]
        project.add_span("doc", "bob", *WOOD_SHORT)
        d = adj.document_disagreements(project, "doc", "alice", "bob")[0]
        adj.resolve(project, "doc", "alice", "bob", d, "a")
        assert [s.key for s in project.spans("doc", GOLD_LAYER)] == [WOOD]
