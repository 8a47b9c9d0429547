"""``annotator --self-test``: start the real window offscreen and exercise it end to end.

It opens a temporary project seeded with the sample article, creates, relabels and deletes a
span through the same operations the window's keys use (selection in the widget, label
command, undo stack), exports JSONL and checks ``text[start:end]`` of every exported span.
Works from a source checkout, a wheel and a PyInstaller bundle (resources through
:mod:`annotator.core.paths`). Prints one line per step; returns 0 when every step passed.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class _Check:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def step(self, name: str, action: Callable[[], str | None]) -> bool:
        try:
            detail = action()
        except Exception as exc:  # noqa: BLE001 - the report must name any failure
            self.failed.append(name)
            _say(f"FAIL  {name}: {type(exc).__name__}: {exc}")
            if os.environ.get("ANNOTATOR_SELFTEST_TRACEBACK"):
                traceback.print_exc()
            return False
        _say(f"ok    {name}" + (f" ({detail})" if detail else ""))
        return True


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def export_jsonl_lines(project, annotator: str) -> list[dict]:
    """The project's layer as native JSONL objects (annotator.core.formats when available)."""
    try:
        from annotator.core.formats.exporter import ExportOptions, export_corpus
    except ImportError:
        export_corpus = None
    if export_corpus is not None:
        stream = io.StringIO()
        export_corpus(project, ExportOptions(format="jsonl", annotator=annotator), stream)
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    lines = []
    for doc_id, layer, spans in project.iter_layer_spans(annotator):
        text = project.document_text(doc_id)
        lines.append(
            {
                "id": doc_id,
                "annotator": layer,
                "text": text,
                "spans": [
                    {"start": s.start, "end": s.end, "label": s.label, "text": text[s.start : s.end]}
                    for s in spans
                ],
            }
        )
    return lines


def run_self_test() -> int:
    """Run every step; 0 if all passed, 1 otherwise (the failed steps are named)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    check = _Check()
    _say("Annotator self-test")
    try:
        from annotator import __version__
        from annotator.core.formats.plain import seed_documents
        from annotator.core.store import Project
        from annotator.gui.app import application
        from annotator.gui.mainwindow import MainWindow
        from annotator.gui.settings import Settings
    except Exception as exc:  # noqa: BLE001
        _say(f"FAIL  import the application: {type(exc).__name__}: {exc}")
        return 1
    _say(f"ok    import the application (version {__version__}, Qt platform {os.environ['QT_QPA_PLATFORM']})")

    with tempfile.TemporaryDirectory(prefix="annotator-selftest-") as tmp:
        folder = Path(tmp)
        state: dict = {}

        def open_project() -> str:
            project = Project.open(folder / "selftest.annotator.db")
            project.add_documents(seed_documents())
            state["project"] = project
            return f"{project.document_count()} sample document(s)"

        def show_window() -> str:
            from PySide6.QtCore import qInstallMessageHandler

            def quiet(_mode, _context, message: str) -> None:
                # The offscreen platform's complaint about size hints says nothing about us.
                if "propagateSizeHints" not in message:
                    sys.stderr.write(message + "\n")

            qInstallMessageHandler(quiet)
            app = application()
            window = MainWindow(state["project"], Settings(folder / "settings.ini"), "selftest")
            window.resize(1200, 800)
            window.show()
            window.open_initial_document()
            app.processEvents()
            state["app"], state["window"] = app, window
            _expect(window.isVisible(), "the window is not visible")
            _expect(window.session.document is not None, "no document was opened")
            return window.session.document.title[:50]

        def spans():
            window = state["window"]
            return window.project.spans(window.session.doc_id, "selftest")

        def create() -> str:
            window = state["window"]
            text = window.session.text
            needle = "Robert Wood" if "Robert Wood" in text else text.split()[0]
            start = text.index(needle)
            window.text_view.select_range(start, start + len(needle))
            first = window.project.labels().names[0]
            window.apply_label(first)
            stored = spans()
            _expect(len(stored) == 1, f"expected one span, found {len(stored)}")
            span = stored[0]
            _expect(text[span.start : span.end] == needle, f"span covers {text[span.start : span.end]!r}")
            _expect(window.span_model.rowCount() == 1, "the span list does not show the span")
            return f"{span.label} [{span.start}, {span.end}) {needle!r}"

        def relabel() -> str:
            window = state["window"]
            second = window.project.labels().names[1]
            window.apply_label(second)
            _expect([s.label for s in spans()] == [second], f"label is {[s.label for s in spans()]}")
            return second

        def undo_redo() -> str:
            window = state["window"]
            first, second = window.project.labels().names[:2]
            window.undo_action.trigger()
            _expect([s.label for s in spans()] == [first], "undo did not restore the label")
            window.redo_action.trigger()
            _expect([s.label for s in spans()] == [second], "redo did not relabel again")
            return "relabel undone and redone"

        def delete() -> str:
            window = state["window"]
            window.delete_selected_span()
            _expect(spans() == [], "the span is still in the project")
            window.undo_action.trigger()
            _expect(len(spans()) == 1, "undoing the delete did not bring the span back")
            return "deleted, then restored by undo"

        def export() -> str:
            window = state["window"]
            lines = export_jsonl_lines(window.project, "selftest")
            exported = [(line, span) for line in lines for span in line.get("spans", [])]
            _expect(len(exported) == 1, f"expected one exported span, found {len(exported)}")
            for line, span in exported:
                covered = line["text"][span["start"] : span["end"]]
                _expect(covered == span.get("text", covered), "exported span text does not match")
            return f"{len(lines)} line(s), text[start:end] checked"

        def close() -> str:
            window = state["window"]
            window.close()
            state["app"].processEvents()
            window.project.close()
            reopened = Project.open(folder / "selftest.annotator.db")
            try:
                kept = reopened.spans(window.session.doc_id, "selftest")
            finally:
                reopened.close()
            _expect(len(kept) == 1, "the span did not survive closing the project")
            return "span kept after reopening"

        steps = [
            ("open a temporary project with the sample article", open_project),
            ("show the main window offscreen", show_window),
            ("create a span from a selection", create),
            ("relabel the selected span", relabel),
            ("undo and redo", undo_redo),
            ("delete the span", delete),
            ("export JSONL", export),
            ("close and reopen the project", close),
        ]
        for name, action in steps:
            if not check.step(name, action):
                break
        project = state.get("project")
        if project is not None and "window" not in state:
            project.close()
    if check.failed:
        _say(f"self-test FAILED: {', '.join(check.failed)}")
        return 1
    _say("self-test passed")
    return 0
