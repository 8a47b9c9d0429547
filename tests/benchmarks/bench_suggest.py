"""Suggestions benchmark: memory speed against a bare regex scan, training time, and a simulation
of what each source is worth to an annotator (a learning curve, plotted into docs/).

Run: ``python tests/benchmarks/bench_suggest.py`` for the memory figures and a small training
(part of ``python3 dev.py bench``); add ``--simulate`` for the learning curve (about 15 minutes on
2 cores: it trains a model four times) and ``--train-200`` for the training time on 200 documents
of ~3,000 characters (long; the figure is in docs/suggestions.md).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotator.core.store import DocumentInput, Project  # noqa: E402
from annotator.core.suggest.engine import Suggestions, outermost  # noqa: E402
from annotator.core.suggest.memory import Memory, MemoryMatcher  # noqa: E402
from annotator.core.suggest.patterns import PatternMatcher, default_patterns_path, load_patterns  # noqa: E402
from annotator.core.suggest.proposals import Proposal  # noqa: E402
from annotator.core.suggest.sources import MemorySource  # noqa: E402
from tests.suggest_corpus import LABELS, Corpus, SyntheticDocument  # noqa: E402

CURVE_PNG = ROOT / "docs" / "suggestions-learning-curve.png"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def memory_document(
    known: int = 20_000, size: int = 1_000_000, seed: int = 7
) -> tuple[str, list[str], list[str]]:
    """A 1 MB text of common words, names and numbers; ``known`` names and phrases labelled before;
    50 further strings for updates."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    common = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 8))) for _ in range(4000)]
    names = sorted(
        {"".join(rng.choice(letters) for _ in range(rng.randint(3, 9))).capitalize() for _ in range(60_000)}
    )
    rng.shuffle(names)
    strings: set[str] = set()
    while len(strings) < known + 50:
        strings.add(" ".join(rng.choice(names) for _ in range(rng.choice((1, 1, 2, 3)))))
    ordered = sorted(strings)
    rng.shuffle(ordered)
    labelled, fresh = ordered[:known], ordered[known:]
    words: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        word = (
            rng.choice(labelled + fresh)
            if roll < 0.04
            else rng.choice(names)
            if roll < 0.08
            else rng.choice(common)
        )
        if roll > 0.97:
            word = f"{rng.randint(1, 99999):,}"
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size], labelled, fresh


def bench_memory() -> dict[str, float]:
    text, labelled, fresh = memory_document()
    memory = Memory(label_order=LABELS)
    for i, string in enumerate(labelled):
        memory.learn(string, LABELS[i % len(LABELS)])
    baseline, cold, proposals = [], [], 0
    for _ in range(5):
        t0 = time.perf_counter()
        sum(1 for _ in re.finditer(r"\w+", text))
        baseline.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        matcher = MemoryMatcher(memory, "big", text)
        proposals = len(matcher.proposals())
        cold.append(time.perf_counter() - t0)
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        MemoryMatcher(memory, "big", text, matcher.words).proposals()
        warm.append(time.perf_counter() - t0)
    updates, one_scan = [], []
    for string in fresh:
        t0 = time.perf_counter()
        matcher.update([memory.learn(string, "actor")])
        updates.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        [m.start() for m in re.finditer(re.escape(string), text)]
        one_scan.append(time.perf_counter() - t0)
    # The same through the engine a window uses: a project, its layer and rejections, nesting rule.
    with tempfile.TemporaryDirectory() as tmp:
        with Project.open(Path(tmp) / "big.db") as project:
            project.add_documents([DocumentInput("big", text)])
            source = MemorySource(memory, ("alice",))
            suggestions = Suggestions(project, "alice", [source])
            engine_cold = []
            for _ in range(3):
                source._matchers.clear()
                t0 = time.perf_counter()
                suggestions.proposals("big")
                engine_cold.append(time.perf_counter() - t0)
            engine_redraw = []
            for _ in range(5):
                t0 = time.perf_counter()
                suggestions.proposals("big")
                engine_redraw.append(time.perf_counter() - t0)
            engine_update = []
            for string in fresh[:20]:
                start = text.find(string)
                while start >= 0 and not (start == 0 or not text[start - 1].isalnum()):
                    start = text.find(string, start + 1)
                if start < 0:
                    continue
                span = project.add_span("big", "alice", start, start + len(string), "claim")
                t0 = time.perf_counter()
                changes = suggestions.span_added(span)  # the memory learns it; the view's changes
                engine_update.append(time.perf_counter() - t0)
                assert changes  # the span's own place, at least
    return {
        "document_characters": len(text),
        "known_strings": len(labelled),
        "proposals": proposals,
        "baseline_bare_finditer_words_ms": _median_ms(baseline),
        "memory_proposals_cold_ms": _median_ms(cold),
        "memory_cold_ratio_to_baseline": round(statistics.median(cold) / statistics.median(baseline), 3),
        "memory_proposals_word_index_kept_ms": _median_ms(warm),
        "memory_update_one_span_ms": _median_ms(updates),
        "baseline_one_string_regex_scan_ms": _median_ms(one_scan),
        "engine_proposals_cold_ms": _median_ms(engine_cold),
        "engine_redraw_unchanged_ms": _median_ms(engine_redraw),
        "engine_update_one_span_ms": _median_ms(engine_update),
    }


def bench_training(count: int, size: int, iterations: int | None = None) -> dict[str, float]:
    """Wall time of ``annotator train`` (the child process, nice 10, one thread) on ``count``
    synthetic documents of ``size`` characters, default settings."""
    from annotator.core.suggest import training as tr

    docs = [tr.TrainingDocument(d.id, d.text, d.spans) for d in Corpus(3).documents(count, size)]
    settings = tr.TrainingSettings("alice", LABELS)
    if iterations is not None:
        settings = tr.TrainingSettings("alice", LABELS, iterations=iterations)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        job = tr.TrainingJob.start(docs, settings, Path(tmp) / "models")
        final = job.wait(timeout=6 * 3600)
        seconds = time.perf_counter() - t0
        if final.kind != "done":
            raise SystemExit(final.message)
        model = tr.open_model(Path(tmp) / "models", LABELS)
        per_label, overall = model.scores
    return {
        f"train_{count}_docs_characters": sum(len(d.text) for d in docs),
        f"train_{count}_docs_component": model.meta["component"],  # type: ignore[dict-item]
        f"train_{count}_docs_iterations": settings.iterations,
        f"train_{count}_docs_seconds": round(seconds, 1),
        f"train_{count}_docs_heldout_f1": round(overall.f1 or 0.0, 3),
    }


# -- what it is worth --------------------------------------------------------------------------


def decide(proposals: list[Proposal], gold: set[tuple[int, int, str]]) -> dict[str, int]:
    """The simulated annotator: accepts proposals that match a gold span exactly, rejects the
    rest, labels the gold spans no proposal brought by hand."""
    keys = {p.key for p in outermost(proposals)}
    accepted = keys & gold
    return {
        "gold": len(gold),
        "accepted": len(accepted),
        "rejected": len(keys - gold),
        "manual": len(gold - accepted),
    }


def memory_proposals(prior: Memory, doc: SyntheticDocument) -> list[Proposal]:
    """The memory as it stands while the annotator works through ``doc`` from the top: what the
    earlier documents taught, plus the spans already labelled above each place."""
    final = Memory(label_order=LABELS)
    for key in prior.keys():
        vote = prior.vote(key)
        assert vote is not None
        for label, n in vote.counts:
            final.learn(key, label, n)
    for start, end, label in doc.spans:
        final.learn(doc.text[start:end], label)
    found = []
    for candidate in MemoryMatcher(final, doc.id, doc.text).proposals():
        string = doc.text[candidate.start : candidate.end]
        counts: Counter[str] = Counter()
        vote = prior.vote(string)
        if vote is not None:
            counts.update(dict(vote.counts))
        counts.update(label for s, e, label in doc.spans if s < candidate.start and doc.text[s:e] == string)
        if counts:
            order = {name: i for i, name in enumerate(LABELS)}
            label = sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))[0][0]
            found.append(Proposal(doc.id, candidate.start, candidate.end, label, "memory"))
    return found


def simulate(
    count: int = 100, size: int = 1500, checkpoints: tuple[int, ...] = (10, 20, 40, 80)
) -> dict[str, object]:
    from annotator.core.suggest import training as tr

    corpus = Corpus(1).documents(count, size)
    patterns = PatternMatcher(load_patterns(default_patterns_path(), list(LABELS)), source="patterns:default")
    memory = Memory(label_order=LABELS)
    model = None
    trainings: list[dict[str, object]] = []
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, doc in enumerate(corpus):
            if i in checkpoints:
                docs = [tr.TrainingDocument(d.id, d.text, d.spans) for d in corpus[:i]]
                t0 = time.perf_counter()
                job = tr.TrainingJob.start(docs, tr.TrainingSettings("sim", LABELS), Path(tmp) / "model")
                final = job.wait(timeout=6 * 3600)
                if final.kind != "done":
                    raise SystemExit(final.message)
                model = tr.open_model(Path(tmp) / "model", LABELS)
                per_label, overall = model.scores
                trainings.append(
                    {
                        "documents": i,
                        "seconds": round(time.perf_counter() - t0, 1),
                        "component": model.meta["component"],
                        "heldout_f1": {k: v.f1 for k, v in per_label.items()},
                        "withheld": model.source.withheld,
                    }
                )
                print(f"  trained on {i} documents: {trainings[-1]}", file=sys.stderr, flush=True)
            gold = set(doc.spans)
            by_source = {
                "memory": memory_proposals(memory, doc),
                "patterns": patterns.proposals(doc.id, doc.text),
                "model": model.source.proposals(doc.id, doc.text) if model is not None else [],
            }
            combined: dict[tuple[int, int, str], Proposal] = {}
            for found in by_source.values():
                for p in found:
                    combined.setdefault(p.key, p)
            by_source["all"] = list(combined.values())
            rows.append(
                {"document": i + 1, **{name: decide(found, gold) for name, found in by_source.items()}}
            )
            for start, end, label in doc.spans:
                memory.learn(doc.text[start:end], label)
    return {"rows": rows, "trainings": trainings, "documents": count, "characters_per_document": size}


def summarise(result: dict[str, object], block: int = 10) -> dict[str, object]:
    rows = result["rows"]
    assert isinstance(rows, list)
    summary: dict[str, object] = {}
    for name in ("memory", "patterns", "model", "all"):
        blocks = []
        for first in range(0, len(rows), block):
            part = [row[name] for row in rows[first : first + block]]
            gold = sum(r["gold"] for r in part)
            accepted = sum(r["accepted"] for r in part)
            rejected = sum(r["rejected"] for r in part)
            manual = sum(r["manual"] for r in part)
            by_hand = 2 * gold
            with_suggestions = 2 * manual + accepted + rejected
            blocks.append(
                {
                    "documents": f"{first + 1}-{first + len(part)}",
                    "accepted_share": round(accepted / gold, 3) if gold else None,
                    "precision": round(accepted / (accepted + rejected), 3) if accepted + rejected else None,
                    "actions_saved_share": round((by_hand - with_suggestions) / by_hand, 3) if gold else None,
                }
            )
        summary[name] = blocks
    return summary


def plot(summary: dict[str, object], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    styles = {"memory": "o-", "patterns": "s--", "model": "^-", "all": "D-"}
    for name, style in styles.items():
        blocks = summary[name]
        assert isinstance(blocks, list)
        x = [int(b["documents"].split("-")[1]) for b in blocks]
        top.plot(x, [100 * (b["accepted_share"] or 0) for b in blocks], style, label=name)
        bottom.plot(x, [100 * (b["actions_saved_share"] or 0) for b in blocks], style, label=name)
    top.set_ylabel("gold spans that arrived\nas accepted proposals (%)")
    bottom.set_ylabel("actions saved (%)")
    bottom.set_xlabel("documents labelled (blocks of 10; the model retrains after 10, 20, 40, 80)")
    bottom.axhline(0, color="grey", linewidth=0.8)
    top.set_ylim(0, 100)
    top.legend(loc="upper left")
    top.set_title("What suggestions are worth: simulated annotator, synthetic news corpus")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def run() -> dict[str, object]:
    figures: dict[str, object] = dict(bench_memory())
    figures.update(bench_training(20, 3000))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulate", action="store_true", help="the learning curve (plotted into docs/)")
    parser.add_argument(
        "--train-200", action="store_true", help="training time on 200 documents of ~3,000 characters"
    )
    parser.add_argument("--iterations", type=int, default=None, help="--train-200 with this many passes")
    parser.add_argument("--skip-memory", action="store_true", help="leave out the memory figures")
    parser.add_argument("--replot", type=Path, default=None, help="redraw the curve from a --simulate output")
    args = parser.parse_args()
    if args.replot is not None:
        plot(json.loads(args.replot.read_text())["simulation"]["summary"], CURVE_PNG)
        return 0
    figures: dict[str, object] = {}
    if not args.skip_memory:
        figures.update(bench_memory())
    if args.train_200:
        figures.update(bench_training(200, 3000, args.iterations))
    if args.simulate:
        result = simulate()
        summary = summarise(result)
        figures["simulation"] = {"summary": summary, "trainings": result["trainings"]}
        plot(summary, CURVE_PNG)
        print(f"learning curve written to {CURVE_PNG}", file=sys.stderr)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
