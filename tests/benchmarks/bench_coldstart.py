"""Issue 16, item 7: cold start with every extra installed, against an empty Qt window.

Prints one JSON object (``python tests/benchmarks/bench_coldstart.py``, or ``run_all.py
coldstart``): the median seconds from launching ``python -m annotator`` on a small project until
its window is shown (offscreen), the same for a bare interpreter that imports PySide6 and shows
an empty ``QMainWindow``, interleaved run by run, their ratio (target <= 2.5), which extras the
interpreter has installed (numpy, spaCy, scikit-learn, pandas...), and the machine's load.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("ANNOTATOR_BENCH_RUNS", "7"))
EXTRAS = ("numpy", "pandas", "spacy", "sklearn", "matplotlib", "hypothesis", "seqeval", "datasets")
_BARE = (
    "import time;from PySide6.QtWidgets import QApplication,QMainWindow;"
    "from PySide6.QtCore import QTimer;a=QApplication([]);w=QMainWindow();w.show();"
    "QTimer.singleShot(0,lambda:(print('shown',time.time()),a.quit()));a.exec()"
)


def _shown_after(args: list[str], env: dict[str, str]) -> float:
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=True
    ).stdout
    return float(next(line for line in out.splitlines() if line.startswith("shown")).split()[1]) - t0


def run() -> dict[str, object]:
    from annotator.core.store import DocumentInput, Project

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Project.open(folder / "small.db") as project:
            project.add_documents([DocumentInput("a", "Robert Wood said 4,500 troops arrived. " * 20)])
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "ANNOTATOR_QUIT_WHEN_SHOWN": "1",
            "ANNOTATOR_SETTINGS": str(folder / "settings.ini"),
            "ANNOTATOR_NAME": "bench",
        }
        _shown_after(["-m", "annotator", "--db", str(folder / "small.db")], env)  # warm the file cache
        app, bare = [], []
        for _ in range(RUNS):
            app.append(_shown_after(["-m", "annotator", "--db", str(folder / "small.db")], env))
            bare.append(_shown_after(["-c", _BARE], env))
    figures: dict[str, object] = {
        "load_1min": round(load, 2),
        "runs": RUNS,
        "extras_installed": [name for name in EXTRAS if importlib.util.find_spec(name) is not None],
        "cold_start_to_shown_window_s": round(statistics.median(app), 4),
        "empty_qt_window_s": round(statistics.median(bare), 4),
    }
    figures["cold_start_vs_empty_window_ratio"] = round(statistics.median(app) / statistics.median(bare), 3)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
