"""The window stays responsive while a model trains and while it predicts (issue 13).

On a project of synthetic news articles (``tests/suggest_corpus.py``, ~3,000 characters each, 20
of them done by the annotator) the main window is open with the memory, the default patterns and
the model switched on. Three kinds of GUI action are timed, each from the command to the view
repainted (the median of many, in milliseconds):

* ``typing``: one character typed into the find field (incremental find runs, matches drawn);
* ``labelling``: select a word, press a label key (the span is written, the memory learns, the
  proposals change), then undo it;
* ``scrolling``: one page down, repainted (spans and proposals drawn).

They are measured in four phases of the same run: **no suggestions** (every source off: what
the window costs without them), **idle** (the baseline: sources on, nothing in the background),
**while training** (the training child process at nice 10 busy with its passes)
and **while predicting** (the worker thread computing the model's proposals for document after
document). Run: ``python tests/benchmarks/bench_suggest_gui.py`` (prints one JSON object).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

ROUNDS = 60


def _median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 2)


def measure(app, window) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median ms per typing, labelling and scrolling action."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view = window.text_view
    text = window.session.text
    typing, labelling, scrolling = [], [], []
    # Typing into the find field.
    window.open_find()
    field = window.find_bar.focusWidget() or window.find_bar
    for i in range(ROUNDS):
        if i % 8 == 0 and hasattr(field, "clear"):
            field.clear()
            app.processEvents()
        t0 = time.perf_counter()
        QTest.keyClick(field, "aeiounrst"[i % 9])
        view.viewport().repaint()
        app.processEvents()
        typing.append(time.perf_counter() - t0)
    window.find_bar.hide()
    view.setFocus()
    # Labelling a word, then undoing it.
    words = [i for i in range(1, len(text) - 12) if text[i - 1] == " " and text[i].isalpha()]
    for i in range(ROUNDS):
        start = words[(i * 7) % len(words)]
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        view.select_range(start, end)
        t0 = time.perf_counter()
        QTest.keyClick(view, Qt.Key_4)
        view.viewport().repaint()
        app.processEvents()
        labelling.append(time.perf_counter() - t0)
        window.undo_action.trigger()
        app.processEvents()
    # Scrolling a page at a time (back to the top when at the end).
    bar = view.verticalScrollBar()
    for _ in range(ROUNDS):
        if bar.value() >= bar.maximum():
            bar.setValue(0)
            app.processEvents()
        t0 = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()
        app.processEvents()
        scrolling.append(time.perf_counter() - t0)
    return {
        "typing_median_ms": _median_ms(typing),
        "labelling_median_ms": _median_ms(labelling),
        "scrolling_median_ms": _median_ms(scrolling),
    }


def run() -> dict[str, object]:
    from annotator.core.model import Status
    from annotator.core.store import DocumentInput, Project
    from annotator.core.suggest.training import TrainingSettings, collect, train_and_save
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings
    from tests.suggest_corpus import Corpus

    app = application()
    results: dict[str, object] = {}
    docs = Corpus(seed=7).documents(60, size=3000)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        project = Project.open(tmp_path / "bench.db")
        project.add_documents([DocumentInput(d.id, d.text) for d in docs])
        for doc in docs[:20]:
            for start, end, label in doc.spans:
                project.add_span(doc.id, "alice", start, end, label)
            project.set_status(doc.id, "alice", Status.DONE)
        settings = Settings(tmp_path / "settings.ini")
        key = settings.project_key
        for name, value in (("retrain_every", "0"), ("iterations", "200"), ("threshold", "0")):
            settings.set_text_value(key(project.path, f"suggest/{name}"), value)
        window = MainWindow(project, settings, "alice")
        window.resize(1280, 800)
        window.show()
        window.open_document(docs[30].id)
        app.processEvents()
        controller = window.suggestions
        results["documents"] = len(docs)
        results["open_document_chars"] = len(window.session.text)
        results["proposals_in_open_document"] = len(controller.proposals)

        # Baseline of the baselines: the same window with every source off.
        wanted = {kind: controller.wanted(kind) for kind in ("memory", "patterns", "model", "spacy")}
        for kind in wanted:
            controller.set_wanted(kind, False)
        results["no_suggestions"] = measure(app, window)
        for kind, on in wanted.items():
            controller.set_wanted(kind, on)
        assert controller.proposals
        results["idle"] = measure(app, window)

        # While training: the child at nice 10, its passes under way.
        assert controller.train(), controller.training_state
        deadline = time.monotonic() + 600
        while controller.training_state[1] < 1 and controller.training and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.05)
        results["while_training"] = measure(app, window)
        results["training_still_running_after"] = controller.training
        controller.cancel_training()
        while controller.training and time.monotonic() < deadline + 120:
            app.processEvents()
            time.sleep(0.05)

        # While predicting: a model (trained here, quickly) proposes for document after document
        # in the worker thread while the actions are timed.
        folder = controller.models_folder()
        assert folder is not None
        quick = TrainingSettings(
            "alice", tuple(project.labels().names), iterations=5, threshold=0.0, component="ner"
        )
        t0 = time.perf_counter()
        train_and_save(collect(project, "alice"), quick, folder)
        results["quick_model_training_s"] = round(time.perf_counter() - t0, 1)
        controller.rebuild()
        model = controller.states["model"].source
        assert model is not None, controller.states["model"].error
        t0 = time.perf_counter()
        controller.worker.request(-1, model, docs[40].id, docs[40].text)  # -1: results ignored
        while controller.worker._requests.qsize() or controller.worker.busy:
            time.sleep(0.01)
        one = time.perf_counter() - t0
        results["model_prediction_one_document_ms"] = round(one * 1000, 1)
        for _ in range(200):  # far more than the measurement lasts
            for doc in docs:
                controller.worker.request(-1, model, doc.id, doc.text)
        results["while_predicting"] = measure(app, window)
        results["worker_still_busy_after"] = bool(
            controller.worker.busy or controller.worker._requests.qsize()
        )
        window.close()
        project.close()
    for phase in ("while_training", "while_predicting"):
        for action in ("typing", "labelling", "scrolling"):
            name = f"{action}_median_ms"
            base = results["idle"][name]  # type: ignore[index]
            results[phase][f"{action}_vs_idle_ratio"] = round(results[phase][name] / max(base, 1e-6), 2)  # type: ignore[index]
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
