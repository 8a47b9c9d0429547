"""Issue 16, headless half: large projects, agreement against scikit-learn, and a scaling table.

Prints one JSON object (``python tests/benchmarks/bench_scale.py``, or ``run_all.py scale``):

* ``open_*``: opening a project as the window does without drawing it (open the file, the
  document list, its count and first page, the annotator's progress, "next unfinished") and a
  :class:`~annotator.gui.documents.DocumentPane` filled from it (offscreen), for a project of
  ``BIG_DOCS`` documents against one of 1,000 (the target: as fast), and the pre-facts way
  (every span counted, every text measured) on the big one. Inputs are built with bare SQLite
  inserts. The default big project has 100,000 documents and 1,000,000 spans;
  ``ANNOTATOR_BENCH_FULL=1`` makes it 10,000,000 spans (as in the issue; several minutes to build).
* ``agree_*``: ``annotator agree A B --json`` as a whole process against a script computing
  scikit-learn's ``cohen_kappa_score`` on the same character labels alone (2,000 documents x
  100 spans x 2 annotators), with the agree process's peak memory.
* ``scaling``: 1x, 2x, 4x, 8x for open (12,500 documents each step), import and export of a
  native JSONL corpus (1,000 documents), and agreement (500 documents), each a median of
  ``RUNS``; ``ratio`` is the time over the 1x time (linear: 1, 2, 4, 8 for import, export and
  agreement; open should stay flat).

Every figure is a median of ``RUNS`` runs; ``load_1min`` is the machine's load when it started.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotator.core.store import Project  # noqa: E402
from annotator.core.store import facts as store_facts  # noqa: E402

RUNS = int(os.environ.get("ANNOTATOR_BENCH_RUNS", "5"))
FULL = os.environ.get("ANNOTATOR_BENCH_FULL") == "1"
BIG_DOCS = 100_000
BIG_SPANS_PER_DOC = 100 if FULL else 10
LABELS = ("actor", "claim", "denial", "number")
WORDS = "the of troops Kursk region ambassador Security Council said North Korean 4,500 claims lies".split()


def _median(fn: Callable[[], float], runs: int = RUNS) -> float:
    return statistics.median(fn() for _ in range(runs))


def _text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def build_project(path: Path, docs: int, spans_per_layer: int, text_size: int = 200, seed: int = 1) -> Path:
    """A project of ``docs`` documents, each with an alice and a bob layer of
    ``spans_per_layer`` spans (bob's mostly alice's), half of alice's marked done; written with
    bare SQLite inserts, facts counted once at the end."""
    Project.open(path).close()
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    for name in store_facts.TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    for name in ("alice", "bob"):
        conn.execute("INSERT INTO annotators (name, created) VALUES (?, 'x')", [name])
    texts = [_text(rng, text_size + rng.randrange(text_size // 2)) for _ in range(16)]
    stamp = "2026-01-01T00:00:00+00:00"
    conn.executemany(
        "INSERT INTO documents (id, title, text, sha256, source, meta, position, created) "
        "VALUES (?, ?, ?, ?, '', '{}', ?, ?)",
        (
            (f"doc{i:07d}", f"Report {i}", t, hashlib.sha256(t.encode()).hexdigest(), i, stamp)
            for i in range(docs)
            for t in [texts[i % len(texts)]]
        ),
    )

    def spans():
        for i in range(docs):
            length = len(texts[i % len(texts)])
            layer = set()
            while len(layer) < min(spans_per_layer, length - 10):
                start = rng.randrange(length - 10)
                layer.add((start, start + rng.randint(1, 9), LABELS[rng.randrange(4)]))
            for start, end, label in layer:
                yield (f"doc{i:07d}", "alice", start, end, label, stamp, stamp)
                roll = rng.random()
                if roll < 0.7:
                    yield (f"doc{i:07d}", "bob", start, end, label, stamp, stamp)
                elif roll < 0.85:
                    yield (f"doc{i:07d}", "bob", start, end + 1, label, stamp, stamp)
                else:
                    yield (
                        f"doc{i:07d}",
                        "bob",
                        start,
                        end,
                        LABELS[(LABELS.index(label) + 1) % 4],
                        stamp,
                        stamp,
                    )

    conn.executemany(
        'INSERT OR IGNORE INTO spans (document_id, annotator, start, "end", label, created, updated) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        spans(),
    )
    conn.executemany(
        "INSERT INTO status (document_id, annotator, status, updated) VALUES (?, ?, ?, ?)",
        (
            (f"doc{i:07d}", name, "done" if i % 2 else "in_progress", stamp)
            for i in range(docs)
            for name in ("alice", "bob")
        ),
    )
    store_facts.rebuild(conn)
    conn.execute("COMMIT")
    conn.close()
    return path


# -- opening a project ---------------------------------------------------------------------------


def _open_headless(path: Path) -> float:
    t0 = time.perf_counter()
    with Project.open(path) as project:
        listed = project.summaries()
        assert len(listed) > 0
        assert listed[0].id
        project.status_counts("alice")
        project.next_unfinished("alice", after=listed[0].id)
    return time.perf_counter() - t0


def _open_recounted(path: Path) -> float:
    """The pre-facts way: every span counted with GROUP BY, every text measured."""
    t0 = time.perf_counter()
    with Project.open(path) as project:
        project._summaries_recounted()
    return time.perf_counter() - t0


def _open_with_pane(path: Path) -> float:
    from PySide6.QtWidgets import QApplication

    from annotator.gui.documents import DocumentPane

    app = QApplication.instance() or QApplication([])
    t0 = time.perf_counter()
    with Project.open(path) as project:
        pane = DocumentPane()
        pane.resize(300, 700)
        pane.set_summaries(project.summaries(), "alice")
        pane.set_filter("unfinished")
        pane.show()
        app.processEvents()
        pane.select(project.next_unfinished("alice") or "")
        app.processEvents()
        elapsed = time.perf_counter() - t0
        pane.close()
        pane.deleteLater()
        app.processEvents()
    return elapsed


def bench_open(folder: Path) -> dict[str, float]:
    small = build_project(folder / "small.db", 1_000, BIG_SPANS_PER_DOC // 2)
    t0 = time.perf_counter()
    big = build_project(folder / "big.db", BIG_DOCS, BIG_SPANS_PER_DOC // 2)
    built = time.perf_counter() - t0
    with Project.open(big) as project:
        spans = project.span_count()
    figures = {
        "open_big_documents": BIG_DOCS,
        "open_big_spans": spans,
        "open_big_build_s": built,
        "open_big_headless_s": _median(lambda: _open_headless(big)),
        "open_1000_headless_s": _median(lambda: _open_headless(small)),
        "open_big_with_pane_s": _median(lambda: _open_with_pane(big)),
        "open_1000_with_pane_s": _median(lambda: _open_with_pane(small)),
        "open_big_recounted_s": _median(lambda: _open_recounted(big), max(1, RUNS // 2)),
    }
    figures["open_big_vs_1000_ratio"] = figures["open_big_with_pane_s"] / figures["open_1000_with_pane_s"]
    figures["open_big_vs_recounted_ratio"] = figures["open_big_headless_s"] / figures["open_big_recounted_s"]
    return figures


# -- agreement against scikit-learn ----------------------------------------------------------------

_SKLEARN = r"""
import sqlite3, sys
import numpy as np
from sklearn.metrics import cohen_kappa_score
conn = sqlite3.connect(sys.argv[1])
codes = {None: 0}
a_parts, b_parts = [], []
for doc_id, text in conn.execute("SELECT id, text FROM documents ORDER BY position"):
    for name, parts in (("alice", a_parts), ("bob", b_parts)):
        labels = np.zeros(len(text), dtype=np.int16)
        for start, end, label in conn.execute(
            'SELECT start, "end", label FROM spans WHERE document_id = ? AND annotator = ? '
            'ORDER BY start, "end"',
            [doc_id, name],
        ):
            labels[start:end] = codes.setdefault(label, len(codes))
        parts.append(labels)
print(cohen_kappa_score(np.concatenate(a_parts), np.concatenate(b_parts)))
"""

# Peak memory from /proc (VmHWM): getrusage's ru_maxrss keeps the parent's peak across exec.
_AGREE = r"""
import runpy, sys
sys.argv = ["annotator", "--db", sys.argv[1], "agree", "alice", "bob", "--json"]
try:
    runpy.run_module("annotator", run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    sys.stderr.write(f"\nMAXRSS_KIB {peak}\n")
"""


def _process(args: list[str]) -> tuple[float, int]:
    """(seconds, peak resident KiB) of one whole process."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=900, check=False
    )
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    rss = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("MAXRSS_KIB")]
    return elapsed, rss[0] if rss else 0


def bench_agree(folder: Path) -> dict[str, float]:
    path = build_project(folder / "agree.db", 2_000, 100, text_size=3_000, seed=7)
    agree, sklearn = [], []
    for _ in range(RUNS):  # interleaved: a change of load hits both alike
        agree.append(_process(["-c", _AGREE, str(path)]))
        sklearn.append(_process(["-c", _SKLEARN, str(path)])[0])
    figures = {
        "agree_2000_docs_s": statistics.median(t for t, _ in agree),
        "agree_2000_docs_peak_mib": statistics.median(m for _, m in agree) / 1024,
        "sklearn_kappa_2000_docs_s": statistics.median(sklearn),
    }
    figures["agree_vs_sklearn_ratio"] = figures["agree_2000_docs_s"] / figures["sklearn_kappa_2000_docs_s"]
    return figures


# -- scaling ----------------------------------------------------------------------------------------


def _cli_seconds(args: list[str]) -> float:
    return _process(["-m", "annotator", *args])[0]


def bench_scaling(folder: Path) -> dict[str, dict[str, list[float]]]:
    table: dict[str, dict[str, list[float]]] = {}
    steps = [1, 2, 4, 8]

    def row(name: str, size: int, unit: str, measure: Callable[[int, int], float]) -> None:
        seconds = [measure(step, size * step) for step in steps]
        table[name] = {
            "sizes": [size * step for step in steps],
            "unit": unit,  # type: ignore[dict-item]
            "seconds": seconds,
            "ratio": [s / seconds[0] for s in seconds],
        }

    def open_step(step: int, docs: int) -> float:
        path = build_project(folder / f"open{step}.db", docs, 5)
        return _median(lambda: _open_headless(path))

    def import_step(step: int, docs: int) -> float:
        corpus = folder / f"corpus{step}.jsonl"
        rng = random.Random(step)
        with corpus.open("w", encoding="utf-8") as out:
            for i in range(docs):
                text = _text(rng, 1_500)
                spans = sorted({(s, s + 5, LABELS[s % 4]) for s in rng.sample(range(len(text) - 6), 20)})
                record = {
                    "id": f"d{i}",
                    "text": text,
                    "annotator": "alice",
                    "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

        def once() -> float:
            target = folder / f"import{step}.db"
            for leftover in folder.glob(f"import{step}.db*"):
                leftover.unlink()
            return _cli_seconds(["--db", str(target), "import", str(corpus)])

        return _median(once, max(1, RUNS // 2))

    def export_step(step: int, docs: int) -> float:
        source = folder / f"import{step}.db"
        return _median(
            lambda: _cli_seconds(["--db", str(source), "export", "-o", str(folder / f"export{step}.jsonl")]),
            max(1, RUNS // 2),
        )

    peaks: list[float] = []

    def agree_step(step: int, docs: int) -> float:
        path = build_project(folder / f"agree{step}.db", docs, 100, text_size=3_000, seed=step)
        runs = [_process(["-c", _AGREE, str(path)]) for _ in range(max(1, RUNS // 2))]
        peaks.append(statistics.median(rss for _, rss in runs) / 1024)
        return statistics.median(seconds for seconds, _ in runs)

    row("open", 12_500, "documents", open_step)
    row("import", 1_000, "documents", import_step)
    row("export", 1_000, "documents", export_step)
    row("agreement", 500, "documents", agree_step)
    table["agreement"]["peak_mib"] = peaks
    return table


def run() -> dict[str, object]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures: dict[str, object] = {
            "load_1min": round(load, 2),
            "cpus": os.cpu_count() or 0,
            "runs": RUNS,
            "full_size": FULL,
        }
        figures.update(bench_open(folder))
        figures.update(bench_agree(folder))
        figures["scaling"] = bench_scaling(folder)
    return _rounded(figures)


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
