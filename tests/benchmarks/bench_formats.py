"""Corpus export/import benchmark: native jsonl vs a bare json.dumps-and-write loop.

Builds a project of 10,000 documents and 1,000,000 spans (at ``--scale 1``), exports it to native
JSONL and imports that file into a fresh project, and times a bare loop that only ``json.dumps``
and writes the very same records (read back from the export, untimed, in chunks). Reports the
throughput ratios (targets: export ≥ 0.5, import ≥ 0.25; each time the best of 3 runs) and the
peak Python memory of an export at two corpus sizes (flat: the export streams). Then it exports one
10 MB document (at ``--scale 1``) in each tokenised format (Prodigy, CoNLL) and reports their peak
Python memory beside the size of the document's string and the peak of a native export of the
same document (the baseline: the tokenised exports stream their tokens, so they stay within a few
times the document).
It also times the Prodigy and CoNLL exports of a corpus (a tenth of the documents) beside a native
export of the same corpus in the same run (spans per second, best of 3).
Run: ``python tests/benchmarks/bench_formats.py [--scale 0.1]``; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.store import DocumentInput, Project

WORDS = (
    "the of troops Kursk region ambassador Security Council said North Korean 4,500 claims lies "
    "Zelenskyy Кursk 北朝鮮 兵士 café naïve 👍🏽 🇺🇸 señor"
).split()
LABELS = ("actor", "claim", "denial", "number")
SPANS_PER_DOC = 100
CHUNK = 250
REPEATS = 3


def make_text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def build(path: Path, documents: int, seed: int = 1) -> Project:
    """A project of ``documents`` documents with SPANS_PER_DOC spans each, one layer."""
    rng = random.Random(seed)
    project = Project.open(path)
    texts = {f"doc-{i:06}": make_text(rng, 3000) for i in range(documents)}
    with project.transaction():
        project.add_documents(DocumentInput(i, t, f"Document {i}", meta={"n": i}) for i, t in texts.items())
        for doc_id, text in texts.items():
            spans = set()
            while len(spans) < SPANS_PER_DOC:
                start = rng.randrange(len(text) - 40)
                spans.add((start, start + rng.randrange(1, 40), rng.choice(LABELS), None))
            project.import_layer(doc_id, "alice", sorted(spans), "done")
    return project


def baseline(export_file: Path, folder: Path) -> float:
    """Seconds a bare json.dumps-and-write loop takes over the exported records."""
    elapsed = 0.0
    with (
        export_file.open(encoding="utf-8") as source,
        (folder / "baseline.jsonl").open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out,
    ):
        while True:
            records = [json.loads(line) for _, line in zip(range(CHUNK), source, strict=False)]
            if not records:
                break
            t0 = time.perf_counter()
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False))
                out.write("\n")
            elapsed += time.perf_counter() - t0
        t0 = time.perf_counter()
        out.flush()
        elapsed += time.perf_counter() - t0
    return elapsed


def peak_memory(project: Project, fmt: str, target: Path) -> int:
    """Peak bytes of Python allocations during one export in ``fmt`` (tracemalloc)."""
    tracemalloc.start()
    try:
        export_corpus(project, ExportOptions(format=fmt, output=target))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def export_seconds_best(project: Project, fmt: str, target: Path) -> float:
    """Best of REPEATS wall-clock times of one export in ``fmt`` (untraced)."""
    best = float("inf")
    for _ in range(REPEATS):
        if target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        t0 = time.perf_counter()
        export_corpus(project, ExportOptions(format=fmt, output=target))
        best = min(best, time.perf_counter() - t0)
    return best


def tokenised_corpus_speed(project: Project, folder: Path) -> dict[str, object]:
    """Spans per second of the tokenised exports of a corpus, beside the native export's (the baseline)."""
    spans = project.span_count()
    seconds = {
        fmt: export_seconds_best(project, fmt, folder / f"speed.{fmt}")
        for fmt in ("jsonl", "prodigy", "conll")
    }
    return {
        "documents": project.document_count(),
        "spans": spans,
        "baseline_native_export_seconds": round(seconds["jsonl"], 3),
        "prodigy_export_seconds": round(seconds["prodigy"], 3),
        "conll_export_seconds": round(seconds["conll"], 3),
        "baseline_native_spans_per_second": round(spans / seconds["jsonl"]),
        "prodigy_spans_per_second": round(spans / seconds["prodigy"]),
        "conll_spans_per_second": round(spans / seconds["conll"]),
        "prodigy_ratio_vs_native": round(seconds["jsonl"] / seconds["prodigy"], 3),
        "conll_ratio_vs_native": round(seconds["jsonl"] / seconds["conll"], 3),
    }


def tokenised_export_memory(folder: Path, megabytes: float) -> dict[str, object]:
    """Peak memory of exporting one document of ``megabytes`` MB in every single-file format."""
    rng = random.Random(3)
    text = make_text(rng, int(megabytes * 1_000_000))
    with Project.open(folder / "big.db") as project:
        with project.transaction():
            project.add_documents([DocumentInput("big", text, "One big document")])
            spans = set()
            while len(spans) < 1000:
                start = rng.randrange(len(text) - 40)
                spans.add((start, start + rng.randrange(1, 40), rng.choice(LABELS), None))
            project.import_layer("big", "alice", sorted(spans), "done")
        document_mib = sys.getsizeof(text) / 2**20
        del text
        peaks = {
            fmt: peak_memory(project, fmt, folder / f"big.{fmt}") / 2**20
            for fmt in ("jsonl", "prodigy", "conll")
        }
    return {
        "document_characters": round(megabytes * 1_000_000),
        "document_string_mib": round(document_mib, 1),
        "baseline_native_export_peak_mib": round(peaks["jsonl"], 1),
        "prodigy_export_peak_mib": round(peaks["prodigy"], 1),
        "conll_export_peak_mib": round(peaks["conll"], 1),
        "prodigy_peak_per_document_size": round(peaks["prodigy"] / document_mib, 1),
        "conll_peak_per_document_size": round(peaks["conll"] / document_mib, 1),
    }


def format_figures(project: Project, folder: Path, fmt: str) -> dict[str, object]:
    """Export and import of ``fmt`` (spans/s, peak memory), each beside the native format's in
    the same run (the baseline). A spaCy DocBin is serialised whole, so its memory grows with the
    corpus; Label Studio tasks are written one document at a time."""
    spans = project.span_count()
    formats = ("jsonl", fmt)
    seconds = {f: export_seconds_best(project, f, folder / f"{fmt}-speed.{f}") for f in formats}
    peaks = {f: peak_memory(project, f, folder / f"{fmt}-peak.{f}") / 2**20 for f in formats}
    imports: dict[str, float] = {}
    for f in formats if fmt != "hf" else ("jsonl",):  # hf is export only
        best = float("inf")
        for attempt in range(REPEATS):
            with Project.open(folder / f"{fmt}-back-{f}-{attempt}.db") as fresh:
                t0 = time.perf_counter()
                import_corpus(fresh, [folder / f"{fmt}-speed.{f}"], ImportOptions(format=f))
                best = min(best, time.perf_counter() - t0)
        imports[f] = best
    return {
        "documents": project.document_count(),
        "spans": spans,
        "baseline_native_export_spans_per_second": round(spans / seconds["jsonl"]),
        f"{fmt}_export_spans_per_second": round(spans / seconds[fmt]),
        f"{fmt}_export_ratio_vs_native": round(seconds["jsonl"] / seconds[fmt], 3),
        "baseline_native_import_spans_per_second": round(spans / imports["jsonl"]),
        **(
            {
                f"{fmt}_import_spans_per_second": round(spans / imports[fmt]),
                f"{fmt}_import_ratio_vs_native": round(imports["jsonl"] / imports[fmt], 3),
            }
            if fmt in imports
            else {}
        ),
        "baseline_native_export_peak_mib": round(peaks["jsonl"], 1),
        f"{fmt}_export_peak_mib": round(peaks[fmt], 1),
    }


def csv_figures(folder: Path, documents: int) -> dict[str, object]:
    """Import of a CSV of documents (documents/s), beside the same documents as plain JSONL
    records (the baseline), best of REPEATS each."""
    import csv

    rng = random.Random(4)
    rows = [(f"d{n}", make_text(rng, 3000), "wire") for n in range(documents)]
    table, lines = folder / "docs.csv", folder / "docs.jsonl"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "source"])
        writer.writerows(rows)
    with lines.open("w", encoding="utf-8") as handle:
        for doc_id, text, source in rows:
            handle.write(json.dumps({"id": doc_id, "text": text, "meta": {"source": source}}) + "\n")
    best: dict[str, float] = {}
    for name, path, options in (
        ("jsonl", lines, ImportOptions(format="text")),
        ("csv", table, ImportOptions(id_column="id")),
    ):
        best[name] = float("inf")
        for attempt in range(REPEATS):
            with Project.open(folder / f"csv-{name}-{attempt}.db") as fresh:
                t0 = time.perf_counter()
                import_corpus(fresh, [path], options)
                best[name] = min(best[name], time.perf_counter() - t0)
    return {
        "documents": documents,
        "baseline_plain_jsonl_documents_per_second": round(documents / best["jsonl"]),
        "csv_documents_per_second": round(documents / best["csv"]),
        "csv_ratio_vs_plain_jsonl": round(best["jsonl"] / best["csv"], 3),
    }


def run(scale: float = 1.0) -> dict[str, object]:
    documents = max(20, round(10_000 * scale))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        project = build(folder / "corpus.db", documents)
        build_seconds = time.perf_counter() - t0
        spans = project.span_count()

        # Each timing is the best of REPEATS runs (as timeit does), the baseline's too.
        export_file = folder / "corpus.jsonl"
        export_seconds = base_seconds = import_seconds = float("inf")
        for attempt in range(REPEATS):
            export_file.unlink(missing_ok=True)
            t0 = time.perf_counter()
            report = export_corpus(project, ExportOptions(format="jsonl", output=export_file))
            export_seconds = min(export_seconds, time.perf_counter() - t0)
            assert report.spans == spans
            base_seconds = min(base_seconds, baseline(export_file, folder))
            with Project.open(folder / f"fresh-{attempt}.db") as fresh:
                t0 = time.perf_counter()
                imported = import_corpus(fresh, [export_file])
                import_seconds = min(import_seconds, time.perf_counter() - t0)
                assert imported.spans == spans
            for leftover in folder.glob(f"fresh-{attempt}.db*"):
                leftover.unlink()

        small_docs = max(10, documents // 10)
        with build(folder / "small.db", small_docs, seed=2) as small:
            small_peak = peak_memory(small, "jsonl", folder / "small.jsonl")
            tokenised_speed = tokenised_corpus_speed(small, folder)
            docbin = format_figures(small, folder, "spacy")
            labelstudio = format_figures(small, folder, "labelstudio")
            hf = format_figures(small, folder, "hf")
            table = csv_figures(folder, small_docs)
        large_peak = peak_memory(project, "jsonl", folder / "large.jsonl")
        project.close()
        megabytes = export_file.stat().st_size / 1e6
        tokenised = tokenised_export_memory(folder, 10 * scale)
    return {
        "repeats": REPEATS,
        "documents": documents,
        "spans": spans,
        "export_megabytes": round(megabytes, 1),
        "build_seconds": round(build_seconds, 2),
        "baseline_dumps_write_seconds": round(base_seconds, 3),
        "export_seconds": round(export_seconds, 3),
        "import_seconds": round(import_seconds, 3),
        "export_ratio_vs_baseline": round(base_seconds / export_seconds, 3),
        "import_ratio_vs_baseline": round(base_seconds / import_seconds, 3),
        "export_spans_per_second": round(spans / export_seconds),
        "import_spans_per_second": round(spans / import_seconds),
        "export_peak_python_kib": {
            f"{small_docs}_documents": round(small_peak / 1024),
            f"{documents}_documents": round(large_peak / 1024),
        },
        "tokenised_exports_of_a_corpus": tokenised_speed,
        "spacy_docbin": docbin,
        "labelstudio": labelstudio,
        "hf_token_classification": hf,
        "csv_documents": table,
        "one_big_document": tokenised,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 10,000 documents / 1M spans")
    print(json.dumps(run(parser.parse_args().scale)))
