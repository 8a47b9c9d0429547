"""Issue 16, item 3: the document list's facts (lengths, statuses, span counts) never drift.

The store keeps per-document and per-layer facts up to date as writes happen (triggers, and a
bulk import counting per layer). These tests compare the kept facts with the project counted
afresh after random sequences of every kind of write, after rolled-back and SIGKILLed
transactions, after another program wrote with plain sqlite3, and after an upgrade from an
older schema; and they check that the lazy list's pages, rows and counts are the filtered list.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from annotator.core import adjudication
from annotator.core.errors import AnnotatorError
from annotator.core.merge import merge_project
from annotator.core.model import DocumentSummary, Status
from annotator.core.store import MIGRATIONS, DocumentInput, NewSpan, Project
from annotator.core.store.documents import LIST_FILTERS
from tests.child_env import ROOT, child_env

TEXTS = ["Robert Wood said 4,500 troops arrived.", "a\x00b 😀 c", "北京 said no.", "x" * 60, "short"]
NAMES = ["alice", "bob", "gold"]
LABELS = ["actor", "claim", "denial", "number"]


def _filtered(summaries: list[DocumentSummary], annotator: str, status: str) -> list[DocumentSummary]:
    if status == "all":
        return summaries
    if status == "unfinished":
        return [s for s in summaries if s.status_for(annotator) is not Status.DONE]
    return [s for s in summaries if s.status_for(annotator).value == status]


def assert_list_agrees(project: Project) -> None:
    """The kept facts equal a recount, and every lazy-list answer equals the filtered list."""
    assert project.check_facts() == []
    everything = project.summaries()
    assert everything == project._summaries_recounted()
    order = [s.id for s in everything]
    probes = order[:6] + order[-3:] + ["no such document"]
    for annotator in [*NAMES, "nobody"]:
        for status in LIST_FILTERS:
            expected = _filtered(everything, annotator, status)
            assert project.document_count(annotator=annotator, status=status) == len(expected)
            assert project.summary_page(0, len(expected) + 3, annotator=annotator, status=status) == expected
            assert project.summary_page(1, 2, annotator=annotator, status=status) == expected[1:3]
            rows = {s.id: row for row, s in enumerate(expected)}
            for doc_id in probes:
                assert project.document_row(doc_id, annotator=annotator, status=status) == rows.get(doc_id)
        assert project.status_counts(annotator) == {
            value: len(_filtered(everything, annotator, value.value)) for value in Status
        }
        unfinished = {s.id for s in _filtered(everything, annotator, "unfinished")}
        for doc_id in probes[:-1]:
            i = order.index(doc_id)
            later = [d for d in order[i + 1 :] if d in unfinished]
            wrapped = [d for d in order if d in unfinished and d != doc_id]
            assert project.next_unfinished(annotator, after=doc_id) == (later or wrapped or [None])[0]
        assert project.next_unfinished(annotator) == next((d for d in order if d in unfinished), None)
    for a in NAMES:
        for b in NAMES:
            assert project.shared_documents(a, b) == [
                s.id for s in everything if all(n in s.status or n in s.span_counts for n in (a, b))
            ]


class Boom(Exception):
    """Raised inside a transaction to roll it back."""


class FactsMachine(RuleBasedStateMachine):
    """Random writes of every kind; after each, the facts must equal a recount."""

    #: Where each run's project files go (set by the test).
    root = Path()

    def __init__(self) -> None:
        super().__init__()
        self.folder = self.root / f"m{random.getrandbits(48):x}"
        self.folder.mkdir()
        self.project = Project.open(self.folder / "p.db")
        self.next_doc = 0
        self.undo: list[object] = []

    def teardown(self) -> None:
        self.project.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers ----------------------------------------------------------------------------

    def docs(self) -> list[str]:
        return self.project.document_ids()

    def random_span(self, data: st.DataObject, doc_id: str) -> tuple[int, int, str]:
        length = len(self.project.document_text(doc_id))
        start = data.draw(st.integers(0, length - 1))
        end = data.draw(st.integers(start + 1, min(length, start + 12)))
        return start, end, data.draw(st.sampled_from(self.project.labels().names))

    def all_spans(self) -> list[int]:
        return [
            s.id
            for doc_id in self.docs()
            for name in self.project.annotators()
            for s in self.project.spans(doc_id, name)
        ]

    # -- documents --------------------------------------------------------------------------

    @rule(text=st.sampled_from(TEXTS), count=st.integers(1, 3))
    def add_documents(self, text: str, count: int) -> None:
        docs = []
        for _ in range(count):
            docs.append(DocumentInput(f"doc{self.next_doc}", text, f"Title {self.next_doc}"))
            self.next_doc += 1
        self.project.add_documents(docs)

    # -- spans ------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.docs()))
    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def add_span(self, data: st.DataObject, name: str) -> None:
        doc_id = data.draw(st.sampled_from(self.docs()))
        try:
            span = self.project.add_span(doc_id, name, *self.random_span(data, doc_id))
        except AnnotatorError:
            return  # a duplicate
        self.undo.append(("added", span))

    @precondition(lambda self: bool(self.docs()))
    @rule(data=st.data(), name=st.sampled_from(NAMES), count=st.integers(1, 6))
    def add_spans_skipping_duplicates(self, data: st.DataObject, name: str, count: int) -> None:
        doc_id = data.draw(st.sampled_from(self.docs()))
        spans = [NewSpan(doc_id, name, *self.random_span(data, doc_id)) for _ in range(count)]
        try:
            self.project.add_spans(spans, skip_duplicates=True)
        except AnnotatorError:
            pass  # the same span twice in one call: nothing of it kept

    @rule(data=st.data())
    def delete_spans(self, data: st.DataObject) -> None:
        ids = self.all_spans()
        if not ids:
            return
        chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
        self.undo.append(("deleted", self.project.delete_spans(chosen)))

    @rule()
    def undo_last(self) -> None:
        if not self.undo:
            return
        kind, what = self.undo.pop()  # type: ignore[misc]
        try:
            if kind == "added":
                self.project.delete_span(what.id)  # type: ignore[attr-defined]
            else:
                self.project.restore_spans(what)  # type: ignore[arg-type]
        except AnnotatorError:
            pass  # already gone, or restored over a span made since

    @precondition(lambda self: bool(self.docs()))
    @rule(data=st.data(), name=st.sampled_from(NAMES), reject=st.booleans())
    def suggestion_accepted_or_rejected(self, data: st.DataObject, name: str, reject: bool) -> None:
        """A proposal accepted (a span with its source) or rejected (no span: counts unchanged),
        and undone."""
        doc_id = data.draw(st.sampled_from(self.docs()))
        start, end, label = self.random_span(data, doc_id)
        if reject:
            self.project.add_rejection(doc_id, name, start, end, label, "patterns:default")
            if data.draw(st.booleans()):
                self.project.remove_rejection(doc_id, name, start, end, label)
            return
        try:
            span = self.project.add_span(doc_id, name, start, end, label, source="memory")
        except AnnotatorError:
            return
        self.undo.append(("added", span))

    @precondition(lambda self: bool(self.docs()))
    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def import_layer_with_sources(self, data: st.DataObject, name: str) -> None:
        doc_id = data.draw(st.sampled_from(self.docs()))
        rows = sorted({(*self.random_span(data, doc_id), None) for _ in range(data.draw(st.integers(1, 4)))})
        sources = {(start, end, label): "model:x@1" for start, end, label, _ in rows[:2]}
        self.project.import_layer(doc_id, name, rows, None, sources)

    @rule(data=st.data())
    def update_span(self, data: st.DataObject) -> None:
        ids = self.all_spans()
        if not ids:
            return
        span = self.project.span(data.draw(st.sampled_from(ids)))
        start, end, label = self.random_span(data, span.document_id)
        try:
            self.project.update_span(span.id, start=start, end=end, label=label)
        except AnnotatorError:
            pass

    # -- status -----------------------------------------------------------------------------

    @precondition(lambda self: bool(self.docs()))
    @rule(data=st.data(), name=st.sampled_from(NAMES), status=st.sampled_from(list(Status)))
    def set_status(self, data: st.DataObject, name: str, status: Status) -> None:
        self.project.set_status(data.draw(st.sampled_from(self.docs())), name, status)

    # -- bulk import ------------------------------------------------------------------------

    @precondition(lambda self: bool(self.docs()))
    @rule(
        data=st.data(),
        name=st.sampled_from(NAMES),
        status=st.sampled_from([None, "todo", "in_progress", "done"]),
        fail=st.booleans(),
        also_single=st.booleans(),
    )
    def bulk_import(
        self, data: st.DataObject, name: str, status: str | None, fail: bool, also_single: bool
    ) -> None:
        doc_ids = data.draw(st.lists(st.sampled_from(self.docs()), min_size=1, max_size=3, unique=True))
        new_text = TEXTS[data.draw(st.integers(0, len(TEXTS) - 1))]
        try:
            with self.project.bulk_transaction():
                self.project.add_documents([DocumentInput(f"doc{self.next_doc}", new_text)])
                for doc_id in doc_ids:
                    rows = sorted(
                        {(*self.random_span(data, doc_id), None) for _ in range(data.draw(st.integers(0, 5)))}
                    )
                    self.project.import_layer(doc_id, name, rows, status)
                if also_single:  # a span added one by one while the trigger is set aside
                    self.project.add_spans(
                        [NewSpan(doc_ids[0], "bob", *self.random_span(data, doc_ids[0]))],
                        skip_duplicates=True,
                    )
                if fail:
                    raise Boom
        except Boom:
            return
        self.next_doc += 1

    @rule()
    def rolled_back_transaction(self) -> None:
        ids = self.all_spans()
        try:
            with self.project.transaction():
                self.project.add_documents([DocumentInput("never", "never kept")])
                if ids:
                    self.project.delete_spans(ids[:3])
                self.project.add_span("never", "alice", 0, 5, "actor")
                raise Boom
        except Boom:
            pass
        assert not self.project.has_document("never")

    # -- labels -----------------------------------------------------------------------------

    @rule(data=st.data(), reassign=st.booleans())
    def delete_label(self, data: st.DataObject, reassign: bool) -> None:
        names = self.project.labels().names
        if len(names) < 2:
            self.project.add_label(f"new{len(names)}")
            return
        name = data.draw(st.sampled_from(names))
        if reassign:
            target = data.draw(st.sampled_from([n for n in names if n != name]))
            self.project.delete_label(name, reassign_to=target)
        else:
            self.project.delete_label(name, delete_spans=True)
        self.project.add_label(name)

    @rule(data=st.data())
    def rename_label(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(self.project.labels().names))
        self.project.update_label(name, new_name=name + "x")
        self.project.update_label(name + "x", new_name=name)

    # -- adjudication and merge ---------------------------------------------------------------

    @precondition(lambda self: bool(self.docs()))
    @rule(data=st.data(), decision=st.sampled_from(["a", "b", "both", "neither"]), revert=st.booleans())
    def adjudicate(self, data: st.DataObject, decision: str, revert: bool) -> None:
        doc_id = data.draw(st.sampled_from(self.docs()))
        found = adjudication.document_disagreements(self.project, doc_id, "alice", "bob")
        if found:
            change = adjudication.resolve(
                self.project, doc_id, "alice", "bob", data.draw(st.sampled_from(found)), decision
            )
        else:
            change = adjudication.accept_all_agreed(self.project, doc_id, "alice", "bob")  # type: ignore[assignment]
        if revert:
            adjudication.revert(self.project, change)

    @rule(data=st.data())
    def merge_another_project(self, data: st.DataObject) -> None:
        other_path = self.folder / f"other{random.getrandbits(32):x}.db"
        with Project.open(other_path) as other:
            other.add_documents(
                [DocumentInput(f"other{self.next_doc}", TEXTS[0]), DocumentInput("o2", TEXTS[2])]
            )
            other.add_span(f"other{self.next_doc}", "carol", 0, 6, "actor")
            other.set_status("o2", "dave", "done")
        try:
            merge_project(self.project, other_path)
        except AnnotatorError:
            pass  # o2's layer differs from an earlier merge's: refused, nothing kept
        self.next_doc += 1

    # -- another program -----------------------------------------------------------------------

    @precondition(lambda self: bool(self.docs()))
    @rule(
        data=st.data(),
        action=st.sampled_from(["span", "status", "delete status", "delete document", "rename"]),
    )
    def another_program_writes(self, data: st.DataObject, action: str) -> None:
        """Plain SQL from another connection (foreign keys on, as sqlite3 users set them)."""
        doc_id = data.draw(st.sampled_from(self.docs()))
        conn = sqlite3.connect(self.project.path, isolation_level=None)  # type: ignore[arg-type]
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 5000")
            if action == "span":
                start, end, label = self.random_span(data, doc_id)
                conn.execute("INSERT OR IGNORE INTO annotators (name, created) VALUES ('alice', 'x')")
                conn.execute(
                    "INSERT OR IGNORE INTO spans "
                    '(document_id, annotator, start, "end", label, created, updated) '
                    "VALUES (?, 'alice', ?, ?, ?, 'x', 'x')",
                    [doc_id, start, end, label],
                )
            elif action == "status":
                conn.execute("INSERT OR IGNORE INTO annotators (name, created) VALUES ('bob', 'x')")
                conn.execute(
                    "INSERT OR REPLACE INTO status (document_id, annotator, status, updated) "
                    "VALUES (?, 'bob', 'done', 'x')",
                    [doc_id],
                )
            elif action == "delete status":
                conn.execute("DELETE FROM status WHERE document_id = ?", [doc_id])
            elif action == "delete document":
                conn.execute("DELETE FROM adjudications WHERE document_id = ?", [doc_id])
                conn.execute("DELETE FROM documents WHERE id = ?", [doc_id])
            else:  # rename an annotator: spans and status follow (ON UPDATE CASCADE)
                conn.execute(
                    "UPDATE annotators SET name = ? WHERE name = 'bob'", [f"renamed{random.getrandbits(32)}"]
                )
        finally:
            conn.close()
        self.project.changed_elsewhere()

    # -- the invariant --------------------------------------------------------------------------

    @invariant()
    def facts_equal_a_recount(self) -> None:
        assert_list_agrees(self.project)


def test_facts_never_drift_under_random_writes(tmp_path: Path) -> None:
    FactsMachine.root = tmp_path
    FactsMachine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    FactsMachine.TestCase().runTest()


# -- killed writers -------------------------------------------------------------------------------

#: A child that writes at random, forever: spans one by one, bulk imports, statuses, deletions.
_WRITER = """
import random, sys
from annotator.core.store import DocumentInput, NewSpan, Project
rng = random.Random(int(sys.argv[2]))
project = Project.open(sys.argv[1])
text = "Robert Wood said 4,500 troops arrived in the region. " * 20
n = 0
print("ready", flush=True)
while True:
    n += 1
    roll = rng.random()
    ids = project.document_ids()
    if roll < 0.15 or not ids:
        project.add_documents([DocumentInput(f"d{rng.getrandbits(40)}", text)])
    elif roll < 0.45:
        with project.bulk_transaction():
            for doc_id in rng.sample(ids, min(len(ids), 5)):
                starts = rng.sample(range(len(text) - 10), 30)
                rows = sorted({(s, s + rng.randint(1, 9), "actor", None) for s in starts})
                project.import_layer(doc_id, rng.choice(["alice", "bob"]), rows, rng.choice([None, "done"]))
            project.add_documents([DocumentInput(f"b{rng.getrandbits(40)}", text)])
    elif roll < 0.7:
        doc_id = rng.choice(ids)
        s = rng.randrange(len(text) - 10)
        project.add_spans([NewSpan(doc_id, "carol", s, s + 3, "claim")], skip_duplicates=True)
    elif roll < 0.85:
        doc_id = rng.choice(ids)
        spans = project.spans(doc_id, rng.choice(["alice", "bob", "carol"]))
        project.delete_spans([sp.id for sp in spans[: rng.randint(1, 40)]])
    else:
        name = rng.choice(["alice", "bob", "carol"])
        project.set_status(rng.choice(ids), name, rng.choice(["todo", "done"]))
"""


def test_facts_survive_sigkill_at_random_moments(tmp_path: Path) -> None:
    """A writer killed mid-transaction (a bulk import with its trigger set aside, a deletion,
    a status change) leaves facts equal to a recount: they roll back with the write."""
    path = tmp_path / "killed.db"
    rng = random.Random(16)
    kills = 0
    for seed in range(8):
        with subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(seed)],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=child_env(),
            text=True,
        ) as child:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.05, 0.6))  # a random moment, not a synchronisation
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
        kills += 1
        with Project.open(path) as project:
            assert project.check_facts() == [], f"after kill {kills}"
            assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Project.open(path) as project:
        assert project.span_count() > 0
        assert_list_agrees(project)


# -- upgrades and damaged facts ---------------------------------------------------------------------


def _old_project(path: Path, version: int = 5) -> Path:
    """A project of schema ``version`` (before the facts; 4: before span sources too) with
    spans, statuses, a NUL text and a layer with a status only."""
    import sqlite_utils

    from annotator.core.store.schema import MIGRATION_NAMES

    db = sqlite_utils.Database(path)
    MIGRATIONS.apply(db, stop_before=MIGRATION_NAMES[version])
    db.execute("PRAGMA application_id = 1095650895")
    db.execute(f"PRAGMA user_version = {version}")
    conn = db.conn
    for position, (doc_id, text) in enumerate([("d1", TEXTS[0]), ("nul", TEXTS[1]), ("d3", TEXTS[2])]):
        conn.execute(
            "INSERT INTO documents (id, title, text, sha256, position, created) "
            "VALUES (?, ?, ?, 'x', ?, 'x')",
            [doc_id, f"T {doc_id}", text, position],
        )
    for name in ("alice", "bob"):
        conn.execute("INSERT INTO annotators VALUES (?, 'x')", [name])
    for label in LABELS:
        conn.execute("INSERT INTO labels (name, color, position) VALUES (?, '#123456', 0)", [label])
    for doc_id, name, start, end in [("d1", "alice", 0, 6), ("d1", "alice", 7, 11), ("nul", "bob", 0, 3)]:
        conn.execute(
            'INSERT INTO spans (document_id, annotator, start, "end", label, created, updated) '
            "VALUES (?, ?, ?, ?, 'actor', 'x', 'x')",
            [doc_id, name, start, end],
        )
    conn.execute("INSERT INTO status VALUES ('d1', 'alice', 'in_progress', 'x')")
    conn.execute("INSERT INTO status VALUES ('d3', 'bob', 'done', 'x')")
    conn.commit()
    db.close()
    return path


@pytest.mark.parametrize("version", [4, 5])
def test_an_older_project_is_read_as_it_is_and_upgraded_with_its_facts(tmp_path: Path, version: int) -> None:
    """A file from before the facts (and, at 4, before span sources) is read as it is, never
    written; the first write-open backs it up and upgrades it with its facts counted."""
    path = _old_project(tmp_path / "old.db", version)
    untouched = path.read_bytes()
    with Project.open(path, readonly=True) as old:  # no facts: counted afresh
        assert not old._has_facts
        before = old.summaries()
        assert [s.length for s in before] == [len(TEXTS[0]), len(TEXTS[1]), len(TEXTS[2])]
        pages = {status: old.summary_page(0, 10, annotator="bob", status=status) for status in LIST_FILTERS}
        assert [s.id for s in pages["done"]] == ["d3"]
        assert old.next_unfinished("bob", after="nul") == "d1"
        assert old.shared_documents("alice", "bob") == []
        assert old.span_count() == 3
        assert old.document_count(annotator="bob", status="unfinished") == 2
    assert path.read_bytes() == untouched
    with Project.open(path) as project:
        assert project._has_facts
        assert project.summaries() == before
        assert {
            status: project.summary_page(0, 10, annotator="bob", status=status) for status in LIST_FILTERS
        } == pages
        assert project.span_count() == 3
        assert_list_agrees(project)
    assert (tmp_path / f"old.db.schema-{version}.backup").is_file()


def test_a_removed_trigger_is_noticed_and_the_facts_rebuilt(tmp_path: Path) -> None:
    """Another program dropped a trigger and wrote: readers count afresh, the next write-open
    counts the facts again and puts the trigger back."""
    with Project.open(tmp_path / "p.db") as project:
        project.add_documents([DocumentInput("d1", TEXTS[0]), DocumentInput("d2", TEXTS[1])])
        project.add_span("d1", "alice", 0, 6, "actor")
    with sqlite3.connect(tmp_path / "p.db") as conn:
        conn.execute("DROP TRIGGER facts_span_added")
        conn.execute(
            'INSERT INTO spans (document_id, annotator, start, "end", label, created, updated) '
            "VALUES ('d2', 'alice', 0, 1, 'claim', 'x', 'x')"
        )
    conn.close()
    with Project.open(tmp_path / "p.db", readonly=True) as reader:
        assert not reader._has_facts
        assert [s.span_counts for s in reader.summaries()] == [{"alice": 1}, {"alice": 1}]
    with Project.open(tmp_path / "p.db") as project:
        assert project._has_facts
        assert project.check_facts() == []
        assert [s.span_counts for s in project.summaries()] == [{"alice": 1}, {"alice": 1}]
        project.add_span("d2", "alice", 1, 2, "claim")
        assert project.summaries()[1].span_counts == {"alice": 2}


def test_a_damaged_text_or_status_is_named_by_the_list(tmp_path: Path) -> None:
    """A text made a BLOB, or a status no version writes, by another program: the list names
    the row (through the facts, which follow the write)."""
    from annotator.core.errors import DamagedRowError

    with Project.open(tmp_path / "p.db") as project:
        project.add_documents([DocumentInput("d1", TEXTS[0])])
        project.set_status("d1", "alice", "done")
    with sqlite3.connect(tmp_path / "p.db") as conn:
        conn.execute("UPDATE documents SET text = CAST(text AS BLOB) WHERE id = 'd1'")
    conn.close()
    with (
        Project.open(tmp_path / "p.db", readonly=True) as reader,
        pytest.raises(DamagedRowError, match="binary"),
    ):
        reader.summaries()
    with sqlite3.connect(tmp_path / "p.db") as conn:
        conn.execute("UPDATE documents SET text = CAST(text AS TEXT) WHERE id = 'd1'")
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE status SET status = 'finished'")
    conn.close()
    with Project.open(tmp_path / "p.db", readonly=True) as reader:
        with pytest.raises(DamagedRowError, match="unknown status 'finished'"):
            reader.summary_page(0, 5)


def test_unknown_filter_is_refused(project: Project) -> None:
    with pytest.raises(AnnotatorError, match="unknown document filter 'finished'"):
        project.document_count(status="finished")


def test_a_large_file_checks_its_small_tables_when_opened(tmp_path: Path, monkeypatch) -> None:
    """Opening does not read a large file whole (issue 16: quick_check was most of opening a
    100,000-document project): its small tables are checked, and a damaged page elsewhere is
    refused when it is read, never written over."""
    from annotator.core.errors import ProjectError
    from annotator.core.store import files

    path = tmp_path / "big.db"
    with Project.open(path) as project:
        project.add_documents(DocumentInput(f"d{i}", TEXTS[0] * 40) for i in range(300))
    size = path.stat().st_size
    page = 4096
    with path.open("r+b") as handle:  # the last pages (texts) made garbage
        handle.seek(size - 8 * page)
        handle.write(b"\xff" * 8 * page)
    damaged = path.read_bytes()
    with pytest.raises(ProjectError, match="damaged"):
        Project.open(path)  # small enough for the whole-file check
    monkeypatch.setattr(files, "WHOLE_FILE_CHECK_BYTES", 0)
    with Project.open(path, readonly=True) as project:
        with pytest.raises(ProjectError):
            list(project.iter_documents())
    assert path.read_bytes() == damaged
    with sqlite3.connect(path) as conn:  # now damage a small table's page: refused at once
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'labels'").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page)
        handle.write(b"\x07" * 64)
    with pytest.raises(ProjectError, match="damaged"):
        Project.open(path)
