"""The review window follows changes other programs save, and the main window follows the review."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.model import GOLD_LAYER
from annotator.core.store import DocumentInput, NewSpan, Project
from annotator.gui import messages, review
from annotator.gui.review import AnnotatorPairDialog, ReviewWindow
from tests.child_env import child_env

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def two_layers(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    with Project.open(path) as project:
        for name in ("alice", "bob"):
            record = json.loads((EXAMPLES / f"kursk-{name}.jsonl").read_text(encoding="utf-8"))
            project.add_documents([DocumentInput(record["id"], record["text"], record["title"])])
            project.add_spans(
                NewSpan(record["id"], name, s["start"], s["end"], s["label"]) for s in record["spans"]
            )
    return path


def open_review_of(main_window, monkeypatch: pytest.MonkeyPatch, qtbot) -> ReviewWindow:
    monkeypatch.setattr(
        AnnotatorPairDialog, "ask", classmethod(lambda _cls, _parent, _names: ("alice", "bob"))
    )
    monkeypatch.setattr(messages, "inform", lambda *_args: None)
    monkeypatch.setattr(messages, "warn", lambda *_args: None)
    review.open_review(main_window, main_window.project)
    window = main_window.findChild(ReviewWindow)
    assert window is not None
    qtbot.addWidget(window)
    return window


def test_review_window_shows_what_another_program_saved(
    make_window, two_layers: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = make_window(Project.open(two_layers))
    window = open_review_of(main, monkeypatch, qtbot)
    before = window.disagreement_model.rowCount()
    assert before > 0
    # bob copies alice's layer from the command line's process: no disagreement is left.
    script = (
        "import sys\nfrom annotator.core.store import Project, NewSpan\n"
        "p = Project.open(sys.argv[1])\n"
        "doc = 'nk-troops-kursk'\n"
        "with p.transaction():\n"
        "    p.delete_spans([s.id for s in p.spans(doc, 'bob')])\n"
        "    p.add_spans(NewSpan(doc, 'bob', s.start, s.end, s.label) for s in p.spans(doc, 'alice'))\n"
    )
    env = child_env()
    subprocess.run([sys.executable, "-c", script, str(two_layers)], check=True, cwd=ROOT, env=env, timeout=60)
    qtbot.waitUntil(lambda: window.disagreement_model.rowCount() == 0, timeout=10_000)
    assert "another program" in window.message_label.text()
    assert window.session.agreement.per_document["nk-troops-kursk"] is not None


def test_main_window_on_the_gold_layer_shows_review_decisions(
    make_window, two_layers: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = make_window(Project.open(two_layers), annotator=GOLD_LAYER)
    assert main.session.spans == {}
    window = open_review_of(main, monkeypatch, qtbot)
    window.accept_all_agreed()
    gold = main.project.spans("nk-troops-kursk", GOLD_LAYER)
    assert gold
    qtbot.waitUntil(lambda: len(main.session.spans) == len(gold), timeout=5_000)
    assert main.span_model.rowCount() == len(gold)
