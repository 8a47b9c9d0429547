"""doccano exports read the way doccano 1.8.4 reads them, and doccano's own files imported.

doccano's JSONL import (``data_import/pipeline``: ``LineReader``, ``JSONLParser``,
``Reader.batch``, ``ExampleMaker.make``, ``Spans.clean``) guesses the file's encoding with
chardet, reads each line with ``json.loads``, puts a batch of records into a pandas DataFrame, turns
each row back into a dict whose keys other than ``text`` and ``label`` become the example's
``meta``, and stores that meta in a column with ``CHECK (JSON_VALID("meta"))``. These tests run
the same steps with the same libraries (pandas, chardet 4, SQLite's ``json_valid``); the real
doccano, installed in a virtual environment of its own, runs under ``-m doccano``
(``test_doccano_real.py``).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import chardet
import pandas as pd
import pytest

from annotator.core.errors import InputError
from annotator.core.formats.doccano import EMPTY_TEXT, NOTES, OVERLAPS, RELATIONS
from annotator.core.formats.exporter import UNTOUCHED
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.store import DocumentInput, Project

from .conftest import export, touched_records

FIXTURES = Path(__file__).parent / "fixtures" / "doccano"


def doccano_reads(path: Path) -> list[dict[str, Any]]:
    """What doccano's pipeline makes of a JSONL file: text, label and meta (as stored) per row."""
    raw = path.read_bytes()
    encoding = chardet.detect(raw)["encoding"] or "utf-8"  # DEFAULT_ENCODING "Auto"
    with path.open(encoding=encoding) as handle:
        rows = [json.loads(line.rstrip()) for line in handle if line.rstrip()]
    frame = pd.DataFrame(rows)  # one batch: keys some records lack are NaN in the others
    examples = []
    for row in frame.to_dict(orient="records"):
        text, label = row.pop("text"), row.pop("label")
        meta = json.dumps(row)  # Django's JSONField: json.dumps, NaN written as NaN
        examples.append({"text": text, "label": label, "meta": meta})
    return examples


def json_valid(value: str) -> bool:
    with sqlite3.connect(":memory:") as db:
        return bool(db.execute("SELECT json_valid(?)", [value]).fetchone()[0])


def doccano_keeps(label: list[list[Any]]) -> list[list[Any]]:
    """``Spans.clean`` for a project that does not allow overlapping spans."""
    kept, last = [], -1
    for span in sorted(label, key=lambda s: s[0]):
        if span[0] >= last:
            last = span[1]
            kept.append(span)
    return kept


def test_the_reproduction_sees_doccanos_failures(tmp_path: Path) -> None:
    """What the old export wrote: flattened meta keys that differ between records, UTF-8."""
    old = tmp_path / "old.jsonl"
    old.write_text(
        '{"id": "a", "text": "Hi 👋 Kim", "label": [[5, 8, "actor"]], "title": null, "annotator": "alice", "source": "wire"}\n'  # noqa: E501
        '{"id": "b", "text": "Other", "label": [], "title": "T", "annotator": "alice", "n": 2}\n',
        encoding="utf-8",
    )
    read = doccano_reads(old)
    assert not json_valid(read[0]["meta"])  # "n": NaN -> CHECK constraint failed: JSON_VALID("meta")
    assert read[0]["text"] != "Hi 👋 Kim"  # chardet took the file for another encoding


def test_every_record_imports_with_its_meta_text_and_spans(awkward: Project, tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    report = export(awkward, path, "doccano")
    records = touched_records(awkward)
    read = doccano_reads(path)
    assert len(read) == len(records)
    overlapping = 0
    for example, (doc_id, name, text, spans) in zip(read, records, strict=True):
        assert json_valid(example["meta"])
        meta = json.loads(example["meta"])
        assert meta["id"] == doc_id
        assert meta["annotator"] == name
        assert meta["meta"] == awkward.document(doc_id).meta  # numbers and nulls kept
        assert example["text"] == text  # every emoji, mark and line end as it was
        assert example["label"] == [[s, e, lab] for s, e, lab, _n in spans]
        for start, end, label in example["label"]:
            assert text[start:end] == next(
                text[s:e] for s, e, lab, _n in spans if (s, e, lab) == (start, end, label)
            )
        overlapping += len(example["label"]) - len(doccano_keeps(example["label"]))
    # doccano drops "Kim 👩‍🔬" (starts at Kim), "👍🏽 friends" (inside "met 👍🏽"), 北朝鮮の兵士.
    assert report.warnings[OVERLAPS] == overlapping == 3
    assert report.left_out[NOTES] == 2  # alice's "who?" and bob's note
    assert report.left_out[UNTOUCHED] == 2


def test_an_empty_text_is_reported_before_doccano_refuses_it(project: Project, tmp_path: Path) -> None:
    project.add_documents([DocumentInput("empty", ""), DocumentInput("d", "Kim")])
    project.set_status("empty", "alice", "done")
    project.add_span("d", "alice", 0, 3, "actor")
    path = tmp_path / "x.jsonl"
    report = export(project, path, "doccano")
    assert report.warnings[EMPTY_TEXT] == 1
    assert report.examples[EMPTY_TEXT] == ["empty/alice"]
    assert [r["text"] for r in doccano_reads(path)] == ["", "Kim"]  # doccano: "The empty text is not allowed"


def test_title_null_is_no_title_and_round_trips(project: Project, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a", "text": "Kim", "label": [[0, 3, "actor"]], "title": null, "annotator": "alice", '
        '"meta": {}}\n',
        encoding="utf-8",
    )
    import_corpus(project, [source])
    assert project.document("a").title == ""  # no title, not the id
    out = tmp_path / "out.jsonl"
    export(project, out, "doccano")
    assert out.read_bytes() == source.read_bytes()


def test_a_round_trip_is_byte_identical(awkward: Project, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    export(awkward, first, "doccano", include_untouched=True)
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first])
        second = tmp_path / "second.jsonl"
        export(fresh, second, "doccano", include_untouched=True)
    assert second.read_bytes() == first.read_bytes()


# --------------------------------------------------------------------------------------------
# doccano's own sample files (tests/consumers/fixtures/README.md)
# --------------------------------------------------------------------------------------------


def test_doccanos_relation_extraction_sample_keeps_entities_and_counts_relations(project: Project) -> None:
    path = FIXTURES / "relation_extraction.jsonl"
    report = import_corpus(project, [path], ImportOptions(add_labels=True))
    record = json.loads(path.read_text(encoding="utf-8"))
    (doc_id,) = project.document_ids()
    assert [(s.start, s.end, s.label) for s in project.spans(doc_id, path.stem)] == sorted(
        (e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]
    )
    assert report.left_out[RELATIONS] == len(record["relations"]) == 3


def test_doccanos_intent_sample_reads_entity_lists_and_keeps_cats(project: Project, tmp_path: Path) -> None:
    path = FIXTURES / "intent.jsonl"
    with pytest.raises(InputError, match="intent.jsonl:5: field 'text' is missing"):
        import_corpus(project, [path], ImportOptions(add_labels=True))  # as doccano, which skips it
    assert project.document_ids() == []
    good = tmp_path / "intent.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    good.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    import_corpus(project, [good], ImportOptions(add_labels=True))
    for number, line in enumerate(lines[:4], start=1):
        record = json.loads(line)
        doc_id = f"intent-{number}"
        assert project.document_text(doc_id) == record["text"]
        spans = [[s.start, s.end, s.label] for s in project.spans(doc_id, "intent")]
        assert spans == record.get("entities", [])
        assert project.document(doc_id).meta == ({"cats": record["cats"]} if "cats" in record else {})


def test_doccanos_sequence_labelling_samples(project: Project, tmp_path: Path) -> None:
    path = FIXTURES / "sequence_labeling.jsonl"
    with pytest.raises(InputError, match="sequence_labeling.jsonl:3: field 'text' is missing"):
        import_corpus(project, [path], ImportOptions(add_labels=True))
    good = tmp_path / "sequence_labeling.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    good.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    import_corpus(project, [good], ImportOptions(add_labels=True))
    for number, line in enumerate(lines[:2], start=1):
        record = json.loads(line)
        doc_id = f"sequence_labeling-{number}"
        assert [[s.start, s.end, s.label] for s in project.spans(doc_id, good.stem)] == record["label"]
        assert project.document(doc_id).meta == record["meta"]  # doccano's nested meta is the meta
    overlapping = FIXTURES / "sequence_labeling_overlapping.jsonl"
    report = import_corpus(project, [overlapping], ImportOptions(add_labels=True))
    assert [s.key for s in project.spans("sequence_labeling_overlapping-1", overlapping.stem)] == [
        (0, 1, "LOC")
    ]
    assert report.left_out["spans the layer already had (kept once)"] == 1
