"""Hostile-size benchmark: a 10 MB single-line document and a project of 100,000 documents.

Figures (offscreen platform, seconds unless the name says ms):

* ``line_words_*`` - a 10 MB line of words: ``open`` (ask the window to open it until the
  first paint), ``jump_to_middle`` (right after opening: the cursor to the middle, made
  visible, painted; Qt lays out the first half then), ``add_span_median_ms`` (select + label
  key + repaint, there), ``scroll_page_median_ms``, ``jump_to_end`` (then Ctrl+End: the second
  half); baseline in the same run: ``baseline_bare_setplaintext`` (a bare QTextEdit given the
  same text, painted) and ``open_vs_baseline_ratio``;
* ``line_nospace_*`` - the same for a 10 MB line with nowhere to wrap (hex digits). Qt's bare
  QTextEdit needs time quadratic in the length of such a line, so its baseline is measured on
  100/200/400 KB (``baseline_bare_nospace_<n>kb``) and not on 10 MB (hours);
* ``review_nospace_open`` - the review window opening on that document;
* ``docs_*`` - a project of 100,000 documents: ``open`` (a new window until shown and painted),
  baseline ``docs_open_one_document`` (the same on a one-document project) and
  ``docs_summaries`` (the store's query behind the list); ``add_span_ms``, ``mark_done_ms``,
  ``filter_unfinished``, ``next_unfinished``, ``scroll_list_page_ms``;
* ``import_100k_*`` - File → Import… of 100,000 documents in 100 JSONL files: seconds until the
  progress dialog is on screen, and the whole import.

Run: ``python tests/benchmarks/bench_hostile.py [--line-mb 10] [--nospace-mb 10] [--docs 100000]``
(prints one JSON object). Smaller sizes let it run against an older checkout for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script, too

from tests.benchmarks.bench_gui import bare_open_seconds, page_scroll_median_ms  # noqa: E402

WORDS = "the of troops Kursk region ambassador Security Council said North Korean".split()


def words_line(size: int) -> str:
    return " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(size // 6 + 1))[:size]


def nospace_line(size: int) -> str:
    """Nowhere to wrap at all (a hex dump): no space, no punctuation."""
    return "".join(f"{i:08x}" for i in range(size // 8 + 1))[:size]


def _line(app, tmp: Path, name: str, text: str, results: dict[str, float | int | str]) -> None:
    """Open ``text`` in the window, add spans in its middle, scroll, jump to the end."""
    from PySide6.QtGui import QTextCursor

    from annotator.core.store import DocumentInput, Project
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings

    project = Project.open(tmp / f"{name}.db")
    project.add_documents([DocumentInput("small", "A small document."), DocumentInput("big", text)])
    window = MainWindow(project, Settings(tmp / f"{name}.ini"), "bench")
    window.resize(1280, 800)
    window.show()
    window.open_document("small")
    app.processEvents()

    t0 = time.perf_counter()
    window.open_document("big", restore=False)
    window.text_view.viewport().repaint()
    app.processEvents()
    results[f"{name}_open"] = round(time.perf_counter() - t0, 4)

    # Jump to the middle of the line (Qt lays out everything before it, now), then add (and
    # delete) a span there, repeatedly.
    view = window.text_view
    window.snap_action.setChecked(False)
    middle = len(text) // 2
    t0 = time.perf_counter()
    view.select_range(middle, middle)
    view.ensureCursorVisible()
    view.viewport().repaint()
    app.processEvents()
    results[f"{name}_jump_to_middle"] = round(time.perf_counter() - t0, 4)
    times, deletes = [], []
    for i in range(15):
        start = middle + 100 * i
        view.select_range(start, start + 9)
        t0 = time.perf_counter()
        window.apply_label("actor")
        view.viewport().repaint()
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        window.delete_selected_span()
        view.viewport().repaint()
        deletes.append(time.perf_counter() - t0)
        app.processEvents()
    results[f"{name}_add_span_median_ms"] = round(statistics.median(times) * 1000, 2)
    results[f"{name}_delete_span_median_ms"] = round(statistics.median(deletes) * 1000, 2)

    results[f"{name}_scroll_page_median_ms"] = page_scroll_median_ms(view)

    t0 = time.perf_counter()
    view.moveCursor(QTextCursor.End)
    view.ensureCursorVisible()
    view.viewport().repaint()
    app.processEvents()
    results[f"{name}_jump_to_end"] = round(time.perf_counter() - t0, 4)
    window.close()
    window.deleteLater()
    project.close()
    app.processEvents()


def _review(app, tmp: Path, text: str, results: dict[str, float | int | str]) -> None:
    from annotator.core.store import DocumentInput, Project
    from annotator.gui.review import ReviewWindow

    project = Project.open(tmp / "review.db")
    project.add_documents([DocumentInput("big", text)])
    middle = len(text) // 2
    project.add_span("big", "alice", middle, middle + 20, "actor")
    project.add_span("big", "bob", middle, middle + 25, "actor")
    t0 = time.perf_counter()
    window = ReviewWindow(project, "alice", "bob")
    window.show()
    window.repaint()
    app.processEvents()
    results["review_nospace_open"] = round(time.perf_counter() - t0, 4)
    window.close()
    project.close()
    app.processEvents()


def _documents(app, tmp: Path, count: int, results: dict[str, float | int | str]) -> None:
    from PySide6.QtGui import QTextCursor

    from annotator.core.store import DocumentInput, Project
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings

    def open_window(project: Project, settings: str) -> tuple[MainWindow, float]:
        t0 = time.perf_counter()
        window = MainWindow(project, Settings(tmp / settings), "bench")
        window.resize(1280, 800)
        window.show()
        window.open_initial_document()
        window.repaint()
        app.processEvents()
        return window, time.perf_counter() - t0

    one = Project.open(tmp / "one.db")
    one.add_documents([DocumentInput("only", "The only document.")])
    window, elapsed = open_window(one, "one.ini")
    results["docs_open_one_document"] = round(elapsed, 4)
    window.close()
    one.close()

    project = Project.open(tmp / "many.db")
    project.add_documents(
        DocumentInput(f"doc{i:06d}", f"Document {i} about troops in Kursk.", title=f"Report {i}")
        for i in range(count)
    )
    results["docs"] = count
    t0 = time.perf_counter()
    project.summaries()
    results["docs_summaries"] = round(time.perf_counter() - t0, 4)
    window, elapsed = open_window(project, "many.ini")
    results["docs_open"] = round(elapsed, 4)
    baseline = float(results["docs_open_one_document"])
    results["docs_open_vs_one_document_ratio"] = round(elapsed / max(baseline, 1e-6), 2)

    view = window.text_view
    adds = []
    for _ in range(5):
        cursor = view.textCursor()
        cursor.setPosition(0)
        cursor.setPosition(8, QTextCursor.KeepAnchor)
        view.setTextCursor(cursor)
        t0 = time.perf_counter()
        window.apply_label("actor")
        app.processEvents()
        adds.append(time.perf_counter() - t0)
        window.delete_selected_span()
        app.processEvents()
    results["docs_add_span_median_ms"] = round(statistics.median(adds) * 1000, 2)
    t0 = time.perf_counter()
    window.toggle_done()
    app.processEvents()
    results["docs_mark_done_ms"] = round((time.perf_counter() - t0) * 1000, 2)
    t0 = time.perf_counter()
    window.status_filter.setCurrentIndex(window.status_filter.findData("unfinished"))
    app.processEvents()
    results["docs_filter_unfinished"] = round(time.perf_counter() - t0, 4)
    t0 = time.perf_counter()
    window.next_unfinished()
    app.processEvents()
    results["docs_next_unfinished"] = round(time.perf_counter() - t0, 4)
    results["docs_scroll_list_page_ms"] = page_scroll_median_ms(window.doc_view)
    window.close()
    project.close()
    app.processEvents()


def _import(app, tmp: Path, count: int, results: dict[str, float | int | str]) -> None:
    from annotator.core.formats.importer import ImportOptions
    from annotator.core.store import Project
    from annotator.gui import messages, transfer

    corpus = tmp / "corpus"
    corpus.mkdir()
    per_file = count // 100
    for f in range(100):
        with (corpus / f"part{f:03d}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(per_file):
                n = f * per_file + i
                out.write(json.dumps({"id": f"new{n}", "text": f"Imported text {n}.", "title": f"New {n}"}))
                out.write("\n")
    project = Project.open(tmp / "import.db")
    request = transfer.ImportRequest((corpus,), ImportOptions())
    transfer.ImportDialog.ask = classmethod(lambda cls, *_a: request)
    messages.inform = messages.warn = lambda *_a, **_kw: None
    shown_at: list[float] = []
    original = transfer.TransferProgress.__call__

    def watching(progress, done: int, total: int) -> None:
        if not shown_at and progress.dialog.isVisible():
            shown_at.append(time.perf_counter())
        original(progress, done, total)

    transfer.TransferProgress.__call__ = watching
    t0 = time.perf_counter()
    transfer.import_interactively(None, project, "bench")
    results["import_100k_total"] = round(time.perf_counter() - t0, 4)
    results["import_100k_progress_shown_after"] = round(shown_at[0] - t0, 4) if shown_at else -1
    assert project.document_count() == per_file * 100
    project.close()


def run(line_mb: float = 10, nospace_mb: float = 10, docs: int = 100_000) -> dict[str, float | int | str]:
    import annotator
    from annotator.gui.app import application

    app = application()
    results: dict[str, float | int | str] = {"annotator": str(Path(annotator.__file__).parent)}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        text = words_line(int(line_mb * 1_000_000))
        results["line_words_chars"] = len(text)
        results["line_words_baseline_bare_setplaintext"] = round(bare_open_seconds(app, text), 4)
        _line(app, tmp, "line_words", text, results)
        baseline = float(results["line_words_baseline_bare_setplaintext"])
        results["line_words_open_vs_baseline_ratio"] = round(float(results["line_words_open"]) / baseline, 3)

        for kb in (100, 200, 400):
            results[f"line_nospace_baseline_bare_{kb}kb"] = round(
                bare_open_seconds(app, nospace_line(kb * 1000)), 4
            )
        text = nospace_line(int(nospace_mb * 1_000_000))
        results["line_nospace_chars"] = len(text)
        _line(app, tmp, "line_nospace", text, results)
        _review(app, tmp, text, results)

        _documents(app, tmp, docs, results)
        _import(app, tmp, docs, results)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--line-mb", type=float, default=10)
    parser.add_argument("--nospace-mb", type=float, default=10)
    parser.add_argument("--docs", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(run(args.line_mb, args.nospace_mb, args.docs), indent=1))
    sys.stdout.flush()
