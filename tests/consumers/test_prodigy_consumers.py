"""Prodigy tasks read by spaCy: ``Doc(vocab, words, spaces)`` rebuilds each text exactly and
``char_span`` finds every span on the tokens the task names; ``ner_manual`` spans fit
``doc.ents``, ``spans_manual`` spans a span group (overlaps allowed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from annotator.core.formats.exporter import UNTOUCHED
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.prodigy import MISALIGNED, OVERLAP, REJECTED_SPANS
from annotator.core.store import DocumentInput, Project

from .conftest import export, touched_records

NLP = spacy.blank("xx")


def tasks(path: Path) -> list[dict]:  # type: ignore[type-arg]
    # Lines end at \n only (srsly.read_jsonl, as Prodigy reads them): U+2028 inside a string is text.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def doc_of(task: dict) -> Doc:  # type: ignore[type-arg]
    return Doc(NLP.vocab, words=[t["text"] for t in task["tokens"]], spaces=[t["ws"] for t in task["tokens"]])


def test_tokens_rebuild_the_text_exactly(project: Project, tmp_path: Path) -> None:
    text = "Para one.\n\nPara  two\tby Bob."  # before: rebuilt as "Para one. Para two by Bob."
    project.add_documents([DocumentInput("d", text)])
    project.add_span("d", "alice", 24, 27, "actor")
    path = tmp_path / "p.jsonl"
    export(project, path, "prodigy")
    (task,) = tasks(path)
    assert doc_of(task).text == text
    assert [(t["text"], t["ws"]) for t in task["tokens"]] == [
        (token.text, bool(token.whitespace_)) for token in spacy.blank("en")(text)
    ]  # the same tokens as spaCy's own tokenizer, whitespace tokens included


@pytest.mark.parametrize("view", ["ner_manual", "spans_manual"])
def test_spacy_finds_every_span_on_its_tokens(awkward: Project, tmp_path: Path, view: str) -> None:
    path = tmp_path / "p.jsonl"
    report = export(awkward, path, "prodigy", prodigy_view=view)
    found = tasks(path)
    records = touched_records(awkward)
    assert len(found) == len(records)
    written = 0
    for task, (doc_id, name, text, spans) in zip(found, records, strict=True):
        assert (task["meta"]["id"], task["_annotator_id"], task["_view_id"]) == (doc_id, name, view)
        doc = doc_of(task)
        assert doc.text == text == task["text"]
        chosen = []
        for span in task["spans"]:
            assert (span["start"], span["end"], span["label"]) in {(s, e, lab) for s, e, lab, _n in spans}
            found_span = doc.char_span(span["start"], span["end"], label=span["label"])
            if "token_start" in span:
                assert found_span is not None
                assert (found_span.start, found_span.end - 1) == (span["token_start"], span["token_end"])
                assert found_span.text == text[span["start"] : span["end"]]
                chosen.append(found_span)
            else:
                assert found_span is None  # spaCy agrees: not on token boundaries
        if view == "ner_manual":
            doc.ents = chosen  # raises on overlapping entities: there are none
        else:
            doc.spans["sc"] = chosen  # a span group keeps overlaps
        written += len(task["spans"])
    total = sum(len(r[3]) for r in records)
    if view == "ner_manual":
        assert written + report.left_out[OVERLAP] == total
        # The longer span wins: Kim and 👩‍🔬 lose to "Kim 👩‍🔬", "👍🏽 friends" to the earlier
        # "met 👍🏽", 北朝鮮 and 兵士 to 北朝鮮の兵士.
        assert report.left_out[OVERLAP] == 5
    else:
        assert written == total
        assert OVERLAP not in report.left_out
    assert report.left_out[MISALIGNED] == 1  # "emal" inside Ǆemal keeps its characters only
    assert report.left_out[UNTOUCHED] == 2


def test_a_rejected_span_inside_an_accepted_task_is_skipped(project: Project, tmp_path: Path) -> None:
    """Prodigy's review and binary recipes keep rejected suggestions as spans answered reject."""
    path = tmp_path / "reviewed.jsonl"
    task = {
        "text": "Kim met Lee in Seoul.",
        "spans": [
            {"start": 0, "end": 3, "label": "actor", "answer": "accept"},
            {"start": 8, "end": 11, "label": "actor", "answer": "reject"},
            {"start": 15, "end": 20, "label": "actor"},
        ],
        "answer": "accept",
        "_view_id": "ner_manual",
        "_annotator_id": "ds-alice",
    }
    rejected = {**task, "answer": "reject", "text": "Whole task rejected."}
    path.write_text(json.dumps(task) + "\n" + json.dumps(rejected) + "\n", encoding="utf-8")
    report = import_corpus(project, [path], ImportOptions(add_labels=True))
    (doc_id,) = project.document_ids()
    assert [(s.start, s.end) for s in project.spans(doc_id, "ds-alice")] == [(0, 3), (15, 20)]
    assert report.left_out[REJECTED_SPANS] == 1
    assert report.examples[REJECTED_SPANS] == ["reviewed.jsonl:1 [8, 11) actor"]


def test_a_round_trip_is_byte_identical(awkward: Project, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    export(awkward, first, "prodigy", prodigy_view="spans_manual")
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first])
        second = tmp_path / "second.jsonl"
        export(fresh, second, "prodigy", prodigy_view="spans_manual")
    assert second.read_bytes() == first.read_bytes()


def test_prodigys_documented_tasks_import_with_the_spans_spacy_reads(project: Project) -> None:
    """Tasks as Prodigy's documentation shows ner.manual's output: each span lands on the
    characters spaCy's Doc gives its tokens."""
    path = Path(__file__).parent / "fixtures" / "prodigy" / "ner_manual.jsonl"
    import_corpus(project, [path], ImportOptions(add_labels=True))
    found = []
    for task in tasks(path):
        doc = doc_of(task)
        assert doc.text == task["text"]
        found.append([(doc[s["token_start"] : s["token_end"] + 1].text, s["label"]) for s in task["spans"]])
    assert found == [[("Apple", "ORG")], [("Apple", "ORG"), ("analytics service", "PRODUCT")]]
    got = []
    for doc_id in project.document_ids():
        text = project.document_text(doc_id)
        (layer,) = project.annotators()
        got.append([(text[s.start : s.end], s.label) for s in project.spans(doc_id, layer)])
    assert sorted(got) == sorted(found)
