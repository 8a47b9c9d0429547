"""Hugging Face token classification read by ``datasets`` itself (issue 12, item 9):
``load_dataset(FOLDER)`` gives ``tokens`` and ``ner_tags`` with a ``ClassLabel`` feature whose
names are the exported label names, every tagged span lands on its tokens, and what IOB2 cannot
hold is reported. ``datasets`` runs offline (no network, its cache in the test's folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.formats.hf import MISALIGNED, NOTES, OVERLAP, tag_names
from annotator.core.formats.tokenize import token_offsets
from annotator.core.store import DocumentInput, Project

from .conftest import export, touched_records

datasets = pytest.importorskip("datasets")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def load(folder: Path, split: str = "train"):  # type: ignore[no-untyped-def]
    return datasets.load_dataset(str(folder), cache_dir=str(folder.parent / "hf-cache"))[split]


def test_datasets_reads_tokens_and_class_labels(awkward: Project, tmp_path: Path) -> None:
    folder = tmp_path / "hf"
    report = export(awkward, folder, "hf")
    data = load(folder)
    names = tag_names(awkward.labels())
    feature = data.features["ner_tags"].feature
    assert isinstance(feature, datasets.ClassLabel)
    assert feature.names == names
    id2label = json.loads((folder / "label_names.json").read_text(encoding="utf-8"))["id2label"]
    assert [id2label[str(i)] for i in range(len(names))] == names
    records = touched_records(awkward)
    assert len(data) == len(records)
    tagged = 0
    for row, (doc_id, name, text, spans) in zip(data, records, strict=True):
        assert (row["id"], row["annotator"]) == (doc_id, name)
        offsets = list(token_offsets(text))
        assert row["tokens"] == [text[s:e] for s, e in offsets]  # emoji, CJK, marks kept whole
        tags = [feature.int2str(t) for t in row["ner_tags"]]
        # Each B- run is a span of the layer, on its characters.
        for index, tag in enumerate(tags):
            if tag.startswith("B-"):
                last = index
                while last + 1 < len(tags) and tags[last + 1] == "I-" + tag[2:]:
                    last += 1
                span = (offsets[index][0], offsets[last][1], tag[2:])
                assert span in {(s, e, label) for s, e, label, _n in spans}
                tagged += 1
    total = sum(len(r[3]) for r in records)
    assert tagged + report.left_out[OVERLAP] + report.left_out[MISALIGNED] == total
    assert report.left_out[OVERLAP] > 0
    assert report.left_out[MISALIGNED] > 0  # "emal" inside Ǆemal
    assert report.left_out[NOTES] >= 1


def test_seqeval_agrees_with_the_tags(project: Project, tmp_path: Path) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    text = "Robert Wood met 👩\u200d🔬 in 北朝鮮.\r\nCafe\u0301 closed."
    project.add_documents([DocumentInput("d", text)])
    project.add_span("d", "alice", 0, 11, "actor")
    project.add_span("d", "alice", text.index("👩"), text.index("👩") + 3, "actor")
    project.add_span("d", "alice", text.index("北"), text.index("北") + 3, "claim")
    project.add_span("d", "alice", text.index("Cafe"), text.index("Cafe") + 5, "actor")
    folder = tmp_path / "hf"
    export(project, folder, "hf")
    (row,) = load(folder)
    names = tag_names(project.labels())
    entities = get_entities([names[t] for t in row["ner_tags"]])
    assert [(label, " ".join(row["tokens"][s : e + 1])) for label, s, e in entities] == [
        ("actor", "Robert Wood"),
        ("actor", "👩\u200d🔬"),
        ("claim", "北 朝 鮮"),
        ("actor", "Cafe\u0301"),
    ]


def test_splits_are_datasets_of_their_own(project: Project, tmp_path: Path) -> None:
    from annotator.core.formats.exporter import ExportOptions, export_corpus

    project.add_documents(DocumentInput(f"d{n}", f"Kim {n} met Wood.") for n in range(10))
    for n in range(10):
        project.add_span(f"d{n}", "alice", 0, 3, "actor")
    folder = tmp_path / "splits"
    export_corpus(project, ExportOptions(format="hf", output=folder, split=(("train", 0.8), ("dev", 0.2))))
    assert len(load(folder / "train", "train")) == 8
    assert len(load(folder / "dev", "dev")) == 2
