"""Hugging Face token classification: a dataset folder that ``datasets.load_dataset(FOLDER)`` reads
with ``ner_tags`` as a ``ClassLabel`` feature, and that transformers' token-classification scripts
take (``tokens`` and ``ner_tags`` columns, ``id2label`` from ``label_names.json``).

The folder holds ``data.jsonl`` (one line per document and layer: ``id``, ``annotator``,
``tokens``, ``ner_tags`` as integers), ``README.md`` (a dataset card whose YAML declares the
features, the label names and the split) and ``label_names.json`` (``id2label``/``label2id``, as a
transformers config takes them). Tags are IOB2 over Annotator's tokens, with the CoNLL export's
overlap policy: of overlapping spans the earlier, longer one is tagged, the others are left out
and reported, as are spans off token boundaries and notes.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.formats.records import CorpusRecord, TransferReport, describe
from annotator.core.formats.tokenize import token_offsets
from annotator.core.model import LabelSet
from annotator.core.output_files import create_text_file, file_in

OVERLAP = "overlapping spans (a token has one tag; the earlier, longer span wins)"
MISALIGNED = "spans not on token boundaries (tags cover whole tokens)"
NOTES = "span notes (a token classification dataset has none)"
DATA_FILE = "data.jsonl"


def tag_names(labels: LabelSet) -> list[str]:
    """``O``, then ``B-label`` and ``I-label`` for each label, in the project's order."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label.name}", f"I-{label.name}"]
    return names


def _card(names: list[str], split: str) -> str:
    lines = [
        "---",
        "dataset_info:",
        "  features:",
        "  - name: id",
        "    dtype: string",
        "  - name: annotator",
        "    dtype: string",
        "  - name: tokens",
        "    sequence: string",
        "  - name: ner_tags",
        "    sequence:",
        "      class_label:",
        "        names:",
    ]
    lines += [
        f"          '{index}': {json.dumps(name, ensure_ascii=False)}" for index, name in enumerate(names)
    ]
    lines += [
        "configs:",
        "- config_name: default",
        "  data_files:",
        f"  - split: {split}",
        f"    path: {DATA_FILE}",
        "---",
        "",
        "Token classification data exported by Annotator: `tokens` and IOB2 `ner_tags`",
        "(`datasets.load_dataset(THIS_FOLDER)`; `label_names.json` holds `id2label`).",
        "",
    ]
    return "\n".join(lines)


class HfTokenWriter:
    """Writes the dataset folder: ``data.jsonl`` record by record, the card and label names first."""

    def __init__(self, root: Path, report: TransferReport, labels: LabelSet, split: str = "train") -> None:
        self.report = report
        self.names = tag_names(labels)
        self.ids = {name: index for index, name in enumerate(self.names)}
        with create_text_file(file_in(root, "README.md")) as card:
            card.write(_card(self.names, split))
        with create_text_file(file_in(root, "label_names.json")) as handle:
            id2label = {str(index): name for index, name in enumerate(self.names)}
            json.dump({"id2label": id2label, "label2id": self.ids}, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        self.out = create_text_file(file_in(root, DATA_FILE))

    def write(self, record: CorpusRecord) -> None:
        text = record.text
        tokens = list(token_offsets(text))
        starts = {start: index for index, (start, _end) in enumerate(tokens)}
        ends = {end: index for index, (_start, end) in enumerate(tokens)}
        tags = [0] * len(tokens)
        reach = -1  # the last token tagged so far
        for span in sorted(record.spans, key=lambda s: (s[0], s[0] - s[1], s[2])):
            start, end, label, note = span
            first, last = starts.get(start), ends.get(end)
            if first is None or last is None:
                self.report.leave_out(MISALIGNED, describe(record, span))
                continue
            if first <= reach or any(tags[first : last + 1]):
                self.report.leave_out(OVERLAP, describe(record, span))
                continue
            tags[first] = self.ids[f"B-{label}"]
            for index in range(first + 1, last + 1):
                tags[index] = self.ids[f"I-{label}"]
            reach = last
            if note is not None:
                self.report.leave_out(NOTES, describe(record, span))
        line = {
            "id": record.id,
            "annotator": record.annotator,
            "tokens": [text[start:end] for start, end in tokens],
            "ner_tags": tags,
        }
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.close()
