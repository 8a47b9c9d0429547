"""spaCy pipelines and tiny corpora the suggestion tests build themselves.

No pretrained pipeline (en_core_web_sm...) can be installed here, so "your own pipeline" is tested
with pipelines made in the test: an entity ruler predicting OntoNotes labels (deterministic), and
real trainings on a few short documents.
"""

from __future__ import annotations

import random
from pathlib import Path

from annotator.core.suggest.training import TrainingDocument

ONTONOTES_PATTERNS = [
    {"label": "PERSON", "pattern": "Robert Wood"},
    {"label": "PERSON", "pattern": "Anna Evstigneeva"},
    {"label": "ORG", "pattern": "Security Council"},
    {"label": "GPE", "pattern": "Ukraine"},
    {"label": "CARDINAL", "pattern": [{"LIKE_NUM": True}]},
    {"label": "DATE", "pattern": "October 31"},
]


def ruler_pipeline(folder: Path, patterns: list[dict[str, object]] | None = None) -> Path:
    """A spaCy pipeline (an entity ruler) saved to ``folder``."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(patterns if patterns is not None else ONTONOTES_PATTERNS)
    nlp.to_disk(folder)
    return folder


PEOPLE = [
    "Robert Wood",
    "Anna Evstigneeva",
    "Kim Sang Jin",
    "Vassily Nebenzia",
    "Olena Petrova",
    "Ivan Novak",
]
UNITS = ["troops", "soldiers", "drones", "tanks"]


def tiny_corpus(count: int = 10, seed: int = 0) -> list[TrainingDocument]:
    """Short, repetitive documents (actors and numbers, no overlaps) a model learns in seconds."""
    rng = random.Random(seed)
    documents = []
    for i in range(count):
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        length = 0
        for _ in range(4):
            person = rng.choice(PEOPLE)
            number = f"{rng.randint(2, 9000):,} {rng.choice(UNITS)}"
            for piece, label in (
                (person, "actor"),
                (" said that ", None),
                (number, "number"),
                (" arrived. ", None),
            ):
                if label is not None:
                    spans.append((length, length + len(piece), label))
                parts.append(piece)
                length += len(piece)
        documents.append(TrainingDocument(f"doc-{i:02d}", "".join(parts).rstrip(), spans))
    return documents
