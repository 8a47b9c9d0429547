"""Store benchmark: committed single-span inserts and bulk document import vs bare executemany.

Run: ``python tests/benchmarks/bench_store.py`` (prints one JSON object), or all benchmarks with
``python3 dev.py bench``.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from annotator.core.store import DocumentInput, Project, content_hash, now

WORDS = "the of troops Kursk region ambassador Security Council said North Korean 4,500 claims lies".split()


def make_text(rng: random.Random, size: int = 3000) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def bench_single_span_insert(folder: Path, count: int = 2000) -> float:
    """Median µs for one add_span call, committed (WAL, synchronous=FULL: durable on power loss)."""
    with Project.open(folder / "spans.db") as project:
        text = make_text(random.Random(1), 3000)
        project.add_documents([DocumentInput("doc", text)])
        samples = []
        for i in range(count):
            start = i % 2900
            t0 = time.perf_counter()
            project.add_span("doc", "bench", start, start + 5 + i // 2900, "actor")
            samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def bench_bare_insert(folder: Path, count: int = 2000) -> float:
    """Baseline: median µs of a bare sqlite3 one-row INSERT + COMMIT with the same pragmas."""
    import sqlite3

    conn = sqlite3.connect(folder / "bare-single.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c INTEGER, d TEXT)")
    samples = []
    for i in range(count):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", ["doc", i, i + 5, "actor"])
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - t0)
    conn.close()
    return statistics.median(samples) * 1e6


def bench_bulk_import(folder: Path, count: int = 10_000) -> dict[str, float]:
    rng = random.Random(2)
    texts = [make_text(rng) for _ in range(count)]

    with Project.open(folder / "bulk.db") as project:
        t0 = time.perf_counter()
        project.add_documents(DocumentInput(f"doc-{i}", t, f"Doc {i}") for i, t in enumerate(texts))
        ours = time.perf_counter() - t0

    with Project.open(folder / "bare.db") as project:
        schema = project.db.conn
        stamp = now()
        t0 = time.perf_counter()
        rows = [(f"doc-{i}", f"Doc {i}", t, content_hash(t), "", "{}", i, stamp) for i, t in enumerate(texts)]
        with schema:
            schema.executemany(
                "INSERT INTO documents (id, title, text, sha256, source, meta, position, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        bare = time.perf_counter() - t0
    return {
        "bulk_import_documents": count,
        "bulk_import_docs_per_s": count / ours,
        "bare_executemany_docs_per_s": count / bare,
        "bulk_import_ratio_to_executemany": bare / ours,
    }


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures: dict[str, float] = {"single_span_insert_median_us": bench_single_span_insert(folder)}
        figures["bare_insert_commit_median_us"] = bench_bare_insert(folder)
        figures["single_span_ratio_to_bare"] = (
            figures["single_span_insert_median_us"] / figures["bare_insert_commit_median_us"]
        )
        figures.update(bench_bulk_import(folder))
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
