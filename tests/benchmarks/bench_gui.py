"""Annotation window benchmark: a 1 MB document with 20,000 spans, edits on it, and cold start.

Figures (offscreen platform):

* ``open_1mb_20k_spans_s`` - from asking the window to open the document to the first paint
  of the text with its spans (highlighting, span list and document list included);
* ``add_span_median_ms`` / ``delete_span_median_ms`` - from the command (select + label key,
  or the Delete key's slot) to the view repainted, including the SQLite commit;
* ``cold_start_to_shown_window_s`` - a fresh ``python -m annotator`` process until its window
  is shown (the app prints a timestamp and quits when ``ANNOTATOR_QUIT_WHEN_SHOWN`` is set);
* baselines measured in the same run: ``setPlainText`` of the same 1 MB into a bare QTextEdit
  and a bare interpreter importing PySide6 and showing an empty window, with ratios.

Run: ``python tests/benchmarks/bench_gui.py`` (prints one JSON object).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WORDS = (
    "the of troops Kursk region ambassador Security Council said North Korean 4,500 claims lies "
    "Robert Wood deployment confirmation Ukraine Russia intelligence forces border combat"
).split()
LABELS = ("actor", "claim", "denial", "number")


def bare_open_seconds(app, text: str) -> float:  # type: ignore[no-untyped-def]
    """Baseline: seconds to show ``text`` in a bare, visible QTextEdit (no spans, no styling)."""
    from PySide6.QtWidgets import QTextEdit

    bare = QTextEdit()
    bare.resize(1200, 800)
    bare.show()
    app.processEvents()
    t0 = time.perf_counter()
    bare.setPlainText(text)
    bare.viewport().repaint()
    app.processEvents()
    elapsed = time.perf_counter() - t0
    bare.close()
    bare.deleteLater()
    app.processEvents()
    return elapsed


def page_scroll_median_ms(view, pages: int = 20) -> float:  # type: ignore[no-untyped-def]
    """Median ms to scroll ``view`` one page down and repaint it, over ``pages`` pages."""
    bar = view.verticalScrollBar()
    times = []
    for _ in range(pages):
        t0 = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 2)


def make_document(rng: random.Random, size: int = 1_000_000) -> str:
    paragraphs = []
    length = 0
    while length < size:
        words = [rng.choice(WORDS) for _ in range(rng.randint(60, 110))]
        paragraph = " ".join(words).capitalize() + "."
        paragraphs.append(paragraph)
        length += len(paragraph) + 1
    return "\n".join(paragraphs)[:size]


def make_spans(rng: random.Random, text: str, count: int) -> list[tuple[int, int, str]]:
    """Word-aligned spans, a quarter of them nested inside a longer one."""
    starts = [i for i in range(1, len(text)) if text[i - 1] == " "]
    spans: set[tuple[int, int, str]] = set()
    while len(spans) < count:
        start = rng.choice(starts)
        end = text.find(" ", start + 1)
        if end == -1:
            continue
        if rng.random() < 0.25:  # a longer claim around it
            outer_end = text.find(" ", end + 40)
            if outer_end != -1 and "\n" not in text[start:outer_end]:
                spans.add((start, outer_end, "claim"))
        spans.add((start, end, rng.choice(LABELS)))
    return sorted(spans)[:count]


def _cold_start(db: Path, settings: Path, runs: int = 3) -> dict[str, float]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ANNOTATOR_QUIT_WHEN_SHOWN": "1",
        "ANNOTATOR_SETTINGS": str(settings),
        "ANNOTATOR_NAME": "bench",
    }
    app_times = []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-m", "annotator", "--db", str(db)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        ).stdout
        shown = float(next(line for line in out.splitlines() if line.startswith("shown")).split()[1])
        app_times.append(shown - t0)
    bare = (
        "import time,sys;from PySide6.QtWidgets import QApplication,QMainWindow;"
        "from PySide6.QtCore import QTimer;a=QApplication([]);w=QMainWindow();w.show();"
        "QTimer.singleShot(0,lambda:(print(time.time()),a.quit()));a.exec()"
    )
    bare_times = []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", bare], capture_output=True, text=True, env=env, timeout=60, check=True
        ).stdout
        bare_times.append(float(out.strip().splitlines()[-1]) - t0)
    return {"app": statistics.median(app_times), "bare": statistics.median(bare_times)}


def run() -> dict[str, float | int]:
    from PySide6.QtWidgets import QApplication

    from annotator.core.formats.plain import seed_documents
    from annotator.core.store import DocumentInput, NewSpan, Project
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings

    rng = random.Random(20241031)
    text = make_document(rng)
    spans = make_spans(rng, text, 20_000)
    app = application()
    results: dict[str, float | int] = {"document_chars": len(text), "spans": len(spans)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        project = Project.open(tmp_path / "bench.db")
        project.add_documents([*seed_documents(), DocumentInput("big", text, title="1 MB document")])
        project.add_spans(NewSpan("big", "bench", s, e, label) for s, e, label in spans)
        settings = Settings(tmp_path / "settings.ini")

        # Baseline: the same text into a bare QTextEdit, shown, no spans.
        results["baseline_setplaintext_1mb_s"] = round(bare_open_seconds(app, text), 4)

        window = MainWindow(project, settings, "bench")
        window.resize(1280, 800)
        window.show()
        window.open_document(seed_documents()[0].id)
        app.processEvents()

        t0 = time.perf_counter()
        window.open_document("big", restore=False)
        window.text_view.viewport().repaint()
        app.processEvents()
        results["open_1mb_20k_spans_s"] = round(time.perf_counter() - t0, 4)
        results["open_vs_baseline_ratio"] = round(
            results["open_1mb_20k_spans_s"] / max(results["baseline_setplaintext_1mb_s"], 1e-6), 2
        )
        assert len(window.session.spans) == len(spans)

        # Edits in the middle of the document, with the view scrolled there.
        middle = len(text) // 2
        window.text_view.select_range(middle, middle)
        window.text_view.ensureCursorVisible()
        app.processEvents()
        existing = {(s, e) for s, e, _ in spans}
        words = [
            (i, text.find(" ", i))
            for i in range(middle, middle + 20_000)
            if text[i - 1] == " " and text.find(" ", i) > i
        ]
        candidates = [(s, e) for s, e in words if (s, e) not in existing][:60]
        add_times, delete_times = [], []
        for start, end in candidates:
            window.text_view.select_range(start, end)
            t0 = time.perf_counter()
            window.apply_label("number")
            window.text_view.viewport().repaint()
            add_times.append(time.perf_counter() - t0)
            assert window.selected_span is not None
            t0 = time.perf_counter()
            window.delete_selected_span()
            window.text_view.viewport().repaint()
            delete_times.append(time.perf_counter() - t0)
            app.processEvents()
        assert len(project.spans("big", "bench")) == len(spans)
        results["add_span_median_ms"] = round(statistics.median(add_times) * 1000, 2)
        results["add_span_p90_ms"] = round(sorted(add_times)[int(len(add_times) * 0.9)] * 1000, 2)
        results["delete_span_median_ms"] = round(statistics.median(delete_times) * 1000, 2)
        results["edits_measured"] = len(add_times)

        # Scrolling: one page down, repainted, many times.
        results["scroll_page_median_ms"] = page_scroll_median_ms(window.text_view, 40)
        window.close()
        project.close()
        QApplication.processEvents()

        small = Project.open(tmp_path / "small.db")
        small.add_documents(seed_documents())
        small.close()
        cold = _cold_start(tmp_path / "small.db", tmp_path / "cold.ini")
        results["cold_start_to_shown_window_s"] = round(cold["app"], 3)
        results["baseline_bare_qt_window_s"] = round(cold["bare"], 3)
        results["cold_start_vs_bare_ratio"] = round(cold["app"] / max(cold["bare"], 1e-6), 2)
    return results


if __name__ == "__main__":
    print(json.dumps(run()))
