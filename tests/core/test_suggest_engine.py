"""What the window will drive: proposals per document and annotator, kept current, accepted and
rejected, with each source's running precision."""

from __future__ import annotations

import random

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.store import DocumentInput, Project
from annotator.core.suggest.engine import Suggestions
from annotator.core.suggest.proposals import BY_PLACE, Proposal
from annotator.core.suggest.sources import SOURCE_KINDS, MemorySource, open_source, source_kind

FIRST = "Robert Wood told the Security Council that 4,500 troops arrived. Wood denied it."
SECOND = "Robert Wood met Anna Evstigneeva. Later Robert Wood left; nearly 4,500 troops stayed. Wood!"


@pytest.fixture
def project(project: Project) -> Project:
    project.add_documents([DocumentInput("one", FIRST), DocumentInput("two", SECOND)])
    return project


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def shown(s: Suggestions, doc: str) -> list[tuple[str, str, str]]:
    text = s.project.document_text(doc)
    return [(text[p.start : p.end], p.label, p.source) for p in s.proposals(doc)]


def suggestions(project: Project, *kinds: str) -> Suggestions:
    return Suggestions(project, "alice", [open_source(kind, project, annotator="alice") for kind in kinds])


def test_after_labelling_one_article_the_next_gets_proposals_for_what_repeats(project: Project) -> None:
    project.add_span("one", "alice", *at(FIRST, "Robert Wood"), "actor")
    project.add_span("one", "alice", *at(FIRST, "Wood", 1), "actor")
    s = suggestions(project, "memory")
    assert shown(s, "two") == [  # "Wood" inside "Robert Wood" is not proposed twice
        ("Robert Wood", "actor", "memory"),
        ("Robert Wood", "actor", "memory"),
        ("Wood", "actor", "memory"),
    ]
    assert [p.start for p in s.proposals("two")] == [
        0,
        at(SECOND, "Robert Wood", 1)[0],
        at(SECOND, "Wood!")[0],
    ]
    # the labelled places themselves are not proposed again
    assert shown(s, "one") == []


def test_the_memory_follows_each_edit_at_once_and_says_what_changed(project: Project) -> None:
    s = suggestions(project, "memory")
    assert s.proposals("two") == []
    span = project.add_span("one", "alice", *at(FIRST, "4,500 troops"), "number")
    [change] = s.span_added(span)  # "two" is open (its proposals were asked for); "one" is not
    assert (change.document_id, [SECOND[p.start : p.end] for p in change.added], change.removed) == (
        "two",
        ["4,500 troops"],
        (),
    )
    assert shown(s, "two") == [("4,500 troops", "number", "memory")]
    relabelled = project.update_span(span.id, label="claim")
    [change] = s.span_changed(span, relabelled)
    assert (change.document_id, [p.label for p in change.removed], [p.label for p in change.added]) == (
        "two",
        ["number"],
        ["claim"],
    )
    project.delete_span(span.id)
    [change] = s.span_removed(relabelled)
    assert [p.label for p in change.removed] == ["claim"]
    assert change.added == ()
    assert shown(s, "two") == []


def test_accepting_records_the_source_and_rejecting_hides_the_proposal_for_good(project: Project) -> None:
    project.add_span("one", "alice", *at(FIRST, "Robert Wood"), "actor")
    s = suggestions(project, "memory", "patterns")
    first, second, *_ = [p for p in s.proposals("two") if p.source == "memory"]
    span, changes = s.accept(first)
    assert (span.key, span.source, span.annotator) == (first.key, "memory", "alice")
    assert first in changes[0].removed
    assert first not in s.proposals("two")
    [change] = s.reject(second)
    assert [p.key for p in change.removed] == [second.key]  # (by now "labelled actor 2×")
    assert [(r.key, r.source) for r in project.rejections("two", "alice")] == [(second.key, "memory")]
    assert second not in s.proposals("two")
    # a fresh session (the window reopened) still does not propose it
    again = suggestions(project, "memory")
    assert second.key not in {p.key for p in again.proposals("two")}
    assert [p.key for p in s.unreject(second)[0].added] == [second.key]
    assert second.key in {p.key for p in s.proposals("two")}  # (now "labelled actor 2×")
    tallies = {t.source: (t.accepted, t.rejected, t.precision) for t in s.tallies()}
    assert tallies["memory"] == (1, 0, 1.0)
    assert tallies["patterns:default"] == (0, 0, None)


def test_accepting_with_another_label_and_accept_all_of_one_source(project: Project) -> None:
    s = suggestions(project, "patterns")
    numbers = [p for p in s.proposals("two") if p.label == "number"]
    assert [SECOND[p.start : p.end] for p in numbers] == ["nearly 4,500 troops"]
    span, _ = s.accept(numbers[0], label="claim")
    assert (span.label, span.source) == ("claim", "patterns:default")
    spans, _ = s.accept_all("one", "patterns:default")
    assert spans
    assert all(x.source == "patterns:default" for x in spans)
    assert [p for p in s.proposals("one") if p.source == "patterns:default"] == []
    # the memory learned what was accepted
    memory = Suggestions(project, "alice", [MemorySource.learn_from(project, "alice")])
    assert shown(memory, "two")


def test_sources_switch_off_and_on_and_the_first_source_wins_a_tie(project: Project) -> None:
    project.add_span("one", "alice", *at(FIRST, "4,500 troops"), "number")
    s = suggestions(project, "memory", "patterns")
    both = shown(s, "two")
    assert ("4,500 troops", "number", "memory") in both
    s.set_enabled("memory", False)
    assert all(source == "patterns:default" for _, _, source in shown(s, "two"))
    s.set_enabled("memory", True)
    assert shown(s, "two") == both
    with pytest.raises(AnnotatorError, match="no suggestion source 'nope'"):
        s.set_enabled("nope", False)


class SlowSource:
    """A stand-in for a model: computed by a worker, supplied later."""

    kind = source_kind("model")
    name = "model:test@1"
    notes: list[str] = []

    def __init__(self) -> None:
        self.calls = 0

    def propose(self, document_id: str, text: str) -> list[Proposal]:
        self.calls += 1
        start, end = at(text, "Anna Evstigneeva")
        return [Proposal(document_id, start, end, "actor", self.name, 0.9, "test")]


def test_slow_sources_are_computed_by_a_worker_and_supplied(project: Project) -> None:
    slow = SlowSource()
    s = Suggestions(project, "alice", [slow])
    assert s.proposals("two") == []  # not computed on the window's thread
    assert [x.name for x in s.pending("two")] == ["model:test@1"]
    found = Suggestions.compute(slow, "two", SECOND)
    s.supply(slow.name, "two", found)
    assert s.pending("two") == []
    assert [SECOND[p.start : p.end] for p in s.proposals("two")] == ["Anna Evstigneeva"]
    assert s.proposals("two", compute_slow=True)
    assert slow.calls == 1
    s.forget("two")
    assert s.pending("two")


def test_across_the_project(project: Project) -> None:
    project.add_span("one", "alice", *at(FIRST, "Wood", 1), "actor")
    s = suggestions(project, "memory")
    assert [(doc, len(found)) for doc, found in s.across_project()] == [("one", 1), ("two", 3)]


def test_the_registry_names_every_source_once_with_a_safe_layer() -> None:
    names = [k.name for k in SOURCE_KINDS]
    assert names == ["memory", "patterns", "model", "spacy"]
    for kind in SOURCE_KINDS:
        assert kind.layer == f"suggest-{kind.name}"
        assert "/" not in kind.layer
        assert ":" not in kind.layer
    with pytest.raises(AnnotatorError, match="unknown suggestion source"):
        source_kind("oracle")


NAMES = ["Robert Wood", "Wood", "Kim", "Kim Sang Jin", "4,500 troops", "4,500", "Anna", "Kursk"]


def _document(rng: random.Random) -> str:
    words = [rng.choice([*NAMES, "said", "and", "in", "denied", "nearly", "the"]) for _ in range(40)]
    return " ".join(words) + "."


@pytest.mark.parametrize("seed", range(12))
def test_the_changes_keep_every_view_equal_to_a_fresh_computation(seed: int) -> None:
    """Random edits, accepts and rejects; after each, the changes applied to what was drawn, and
    the engine's own view, equal a fresh computation (a new session learning from the project)."""
    rng = random.Random(seed)
    project = Project.in_memory()
    texts = {"a": _document(rng), "b": _document(rng)}
    project.add_documents([DocumentInput(doc, text) for doc, text in texts.items()])
    patterns = open_source("patterns", project)  # stateless: shared with the fresh sessions
    memory = MemorySource.learn_from(project, "alice")
    memory.keep = 0  # only the documents on view keep their matchers
    s = Suggestions(project, "alice", [memory, patterns])
    drawn = {doc: {p.key: p for p in s.proposals(doc)} for doc in texts}
    for _ in range(30):
        doc = rng.choice(list(texts))
        text = texts[doc]
        spans = project.spans(doc, "alice")
        shown = list(drawn[doc].values())
        action = rng.random()
        if action < 0.35 or not spans:
            start = rng.randrange(len(text) - 1)
            end = min(len(text), start + rng.randint(1, 14))
            label = rng.choice(["actor", "number", "claim"])
            if any(x.key == (start, end, label) for x in spans):
                continue
            changes = s.span_added(project.add_span(doc, "alice", start, end, label))
        elif action < 0.5 and shown:
            _, changes = s.accept(rng.choice(shown))
        elif action < 0.6:
            span = rng.choice(spans)
            changes = s.span_removed(project.delete_span(span.id))
        elif action < 0.75:
            span = rng.choice(spans)
            new_label = "claim" if span.label != "claim" else "actor"
            if any(x.key == (span.start, span.end, new_label) for x in spans):
                continue
            changes = s.span_changed(span, project.update_span(span.id, label=new_label))
        elif shown:
            changes = s.reject(rng.choice(shown))
        else:
            continue
        for changed in changes or []:
            for proposal in changed.removed:
                del drawn[changed.document_id][proposal.key]
            for proposal in changed.added:
                drawn[changed.document_id][proposal.key] = proposal
        fresh = Suggestions(project, "alice", [MemorySource.learn_from(project, "alice"), patterns])
        assert [doc for doc, _ in s.across_project()] == [doc for doc, _ in fresh.across_project()]
        for name in texts:
            expected = fresh.proposals(name)
            assert s.view(name) == expected
            assert sorted(drawn[name].values(), key=BY_PLACE) == expected
            drawn[name] = {p.key: p for p in expected}


def test_a_closed_document_is_no_longer_kept_current(project: Project) -> None:
    memory = MemorySource.learn_from(project, "alice")
    memory.keep = 0
    s = Suggestions(project, "alice", [memory])
    s.proposals("two")
    assert memory.pinned == {"two"}
    s.close("two")
    assert memory.pinned == set()
    assert s.view("two") is None
    span = project.add_span("one", "alice", *at(FIRST, "Robert Wood"), "actor")
    assert s.span_added(span) == []  # nothing on view changed (the span's own document is not on view)
    assert shown(s, "two")[0] == ("Robert Wood", "actor", "memory")


def test_patterns_on_a_long_document_wait_for_the_worker(project: Project, monkeypatch) -> None:
    """Above SLOW_ABOVE characters even the patterns are computed by the window's worker; the
    memory never is (it follows every edit)."""
    monkeypatch.setattr(Suggestions, "SLOW_ABOVE", len(FIRST))
    project.add_span("one", "alice", *at(FIRST, "Robert Wood"), "actor")
    s = suggestions(project, "memory", "patterns")
    assert {p.source for p in s.proposals("two")} == {"memory"}
    (pending,) = s.pending("two")
    assert pending.name == "patterns:default"
    s.supply(pending.name, "two", Suggestions.compute(pending, "two", SECOND))
    assert s.pending("two") == []
    assert "patterns:default" in {p.source for p in s.proposals("two")}
    # the short document is computed at once
    assert s.pending("one") == []


def test_an_empty_memory_never_splits_the_text(project: Project) -> None:
    memory = MemorySource.learn_from(project, "alice")
    matcher = memory.matcher("two", SECOND)
    assert matcher.proposals() == []
    assert matcher._words is None
