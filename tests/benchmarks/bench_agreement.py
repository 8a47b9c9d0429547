"""Time compute_agreement on a realistic corpus and on one twice its size (run as a script).

Prints one JSON object: the seconds for 2,000 and 4,000 documents and their ratio, which
should stay near 2 (the engine is linear in the corpus) and the first figure within 3 s.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from annotator.core.agreement import DocumentLayers, compute_agreement  # noqa: E402

LABELS = ("PER", "ORG", "LOC", "MISC", "DATE", "EVENT", "PRODUCT", "WORK")
SPANS_PER_LAYER = 100
REPEATS = 3


def _random_span(rng: random.Random, length: int) -> tuple[int, int, str]:
    size = min(length, 1 + int(rng.expovariate(1 / 12)))
    start = rng.randrange(0, length - size + 1)
    return (start, start + size, rng.choice(LABELS))


def make_document(rng: random.Random, doc_id: str) -> DocumentLayers:
    """A ~3,000-character document whose layers mix identical, shifted, relabelled and
    unique spans, as two real annotators' layers do."""
    length = rng.randint(2_500, 3_500)
    a = [_random_span(rng, length) for _ in range(SPANS_PER_LAYER)]
    b = []
    for start, end, label in a:
        roll = rng.random()
        if roll < 0.55:
            b.append((start, end, label))
        elif roll < 0.75:
            new_start = min(length - 1, max(0, start + rng.randint(-4, 4)))
            new_end = min(length, max(new_start + 1, end + rng.randint(-4, 4)))
            b.append((new_start, new_end, label))
        elif roll < 0.85:
            b.append((start, end, rng.choice([x for x in LABELS if x != label])))
        else:
            b.append(_random_span(rng, length))
    rng.shuffle(b)
    return DocumentLayers(doc_id=doc_id, length=length, a=a, b=b)


def _best_time(docs: list[DocumentLayers]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        compute_agreement(docs, ("alice", "bob"))
        best = min(best, time.perf_counter() - started)
    return best


def run() -> dict[str, float]:
    """Figures for ``run_all.py``: time for 2,000 and 4,000 documents and their ratio."""
    rng = random.Random(20240601)
    corpus = [make_document(rng, f"doc-{n:05d}") for n in range(4_000)]
    small = _best_time(corpus[:2_000])
    large = _best_time(corpus)
    return {
        "agreement_2000_docs_s": round(small, 3),
        "agreement_4000_docs_s": round(large, 3),
        "doubling_ratio": round(large / small, 3),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run()) + "\n")
