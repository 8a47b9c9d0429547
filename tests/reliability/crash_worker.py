"""A worker that does real annotation work on a project until it is killed (crash-safety tests).

    python -m tests.reliability.crash_worker PROJECT SEED [--mode core|gui|cli]
        [--corpus DIR] [--exports DIR] [--first import|export|bad_import] [--max-actions N]

It performs a long random sequence of real user actions on PROJECT and reports on stdout, one
line each (written with a single ``write`` and no buffering, so a kill never leaves half a
line that parses):

``READY {...}``   the project is open (or the window shows it); actions follow.
``BEGIN {op}``    an action starts. ``op`` says exactly what it will change, so the parent can
                  accept its effect if the kill comes after the commit but before the ACK.
``ACK {op}``      the action has returned, i.e. is committed (and, in ``gui`` mode, the window
                  shows it). ``op`` is the BEGIN op plus what the action returned (new span ids,
                  the adjudication change, the exported file's SHA-256).
``NACK {op}``     the action was refused, as it should be (a deliberately bad import): nothing
                  of it may be in the project.

Modes:

``core``  the core operations the window calls: span edits through the window's own
          :class:`~annotator.gui.session.LayerSession` and its undo commands (QtCore/QtGui
          objects only, no window), direct :class:`~annotator.core.store.Project` edits of
          imported layers, adjudication into gold, ``import_corpus`` and ``export_corpus``.
``gui``   the real :func:`annotator.gui.app.run` window offscreen, driven with QTest key presses
          on the article (label keys, Delete, Alt+arrows, Ctrl+Z/Ctrl+Shift+Z, Ctrl+D, Ctrl+E,
          Ctrl+I, Ctrl+Shift+E) and the "label all" slot; dialogs answer from the worker.
``cli``   ``annotator import`` and ``annotator export`` run in this process (``annotator.cli.main``),
          each opening and closing the project as the command does.

The project, the corpus files and the export targets come from :func:`create_project`,
:func:`write_corpus` and :data:`EXPORT_TARGETS` (the test imports them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.core.model import GOLD_LAYER, Span, content_hash
from annotator.core.store import DocumentInput, Project

LABELS = ("actor", "claim", "denial", "number")
#: Layers the worker edits through LayerSession (with undo) in core mode.
SESSION_ANNOTATORS = ("alice", "bob", "carol")
#: Names "add annotator" picks from.
EXTRA_ANNOTATORS = ("dan", "erin", "frank", "grace")
#: The window's annotator in gui mode.
GUI_ANNOTATOR = "gina"
#: Adjudicated pair.
PAIR = ("alice", "bob")
#: One fixed target per export format, in the exports folder.
EXPORT_TARGETS = {
    "jsonl": "export.jsonl",
    "doccano": "export.doccano.jsonl",
    "prodigy": "export.prodigy.jsonl",
    "conll": "export.conll",
}
BASE_DOCS = 12
#: A corpus file whose last line is broken: importing it must keep nothing.
BAD_CORPUS = "corpus-bad.jsonl"

_WORDS = (
    "the troops of North Korea moved into the Kursk region , officials said on Monday ; about "
    "11,000 soldiers were seen near Sudzha . Robert Wood told the council that Moscow denied "
    "it . café naïve 北朝鮮 部隊 👩‍🔬 e\u0301 « claims » 4,500 — 12.5 % of them"
).split()


# -- inputs shared with the test ---------------------------------------------------------------


def make_text(rng: random.Random, words: int) -> str:
    parts: list[str] = []
    for i in range(words):
        parts.append(rng.choice(_WORDS))
        if i % 23 == 22:
            parts.append("\r\n" if rng.random() < 0.3 else "\n")
    return " ".join(parts)


def base_documents() -> list[DocumentInput]:
    rng = random.Random(7)
    return [
        DocumentInput(f"base-{i:02d}", make_text(rng, rng.randint(120, 260)), f"Base {i}")
        for i in range(BASE_DOCS)
    ]


def create_project(path: Path) -> None:
    """The project every campaign starts from: default labels and the base documents."""
    with Project.open(path) as project:
        project.add_documents(base_documents())


def corpus_records(k: int, docs: int, spans_per_doc: int) -> Iterator[dict[str, Any]]:
    """The records of corpus file ``k``: new documents, each with a layer ``imp{k}``."""
    rng = random.Random(1000 + k)
    for i in range(docs):
        text = make_text(rng, rng.randint(60, 140))
        spans: dict[tuple[int, int, str], str | None] = {}
        for _ in range(spans_per_doc):
            start = rng.randrange(0, len(text) - 1)
            end = min(len(text), start + rng.randint(1, 40))
            note = f"note {rng.randint(0, 99)}" if rng.random() < 0.1 else None
            spans[(start, end, rng.choice(LABELS))] = note
        yield {
            "id": f"c{k}-{i:05d}",
            "title": f"Corpus {k} document {i}",
            "text": text,
            "annotator": f"imp{k}",
            "status": rng.choice(("todo", "in_progress", "done")),
            "spans": [
                {"start": s, "end": e, "label": label, "text": text[s:e], **({"note": n} if n else {})}
                for (s, e, label), n in sorted(spans.items())
            ],
            "meta": {"batch": k, "n": i},
        }


def corpus_name(k: int) -> str:
    return f"corpus-{k}.jsonl"


def write_corpus(folder: Path, files: int, docs: int, spans_per_doc: int) -> list[Path]:
    """Write ``files`` corpus files (native JSONL) and the broken one into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for k in range(files):
        path = folder / corpus_name(k)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for record in corpus_records(k, docs, spans_per_doc):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        written.append(path)
    bad = folder / BAD_CORPUS
    with bad.open("w", encoding="utf-8", newline="\n") as handle:
        for record in corpus_records(99, docs, spans_per_doc):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.write('{"id": "broken", "text": "no closing brace"\n')
    return written


def span_row(span: Span) -> list[Any]:
    return [span.id, span.document_id, span.annotator, span.start, span.end, span.label, span.note]


def sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def id_taken(project: Project, op: dict[str, Any]) -> bool:
    """Would this undo/redo put a span back under an id another span has taken meanwhile?

    Span ids are SQLite rowids without AUTOINCREMENT: deleting the newest span frees its id for
    the next new span (in another document or layer), and putting the deleted span back with its
    id then fails ("already has a ... span"), so the window refuses that undo/redo. A known bug
    (reported, in store.py); the worker does not take that step.
    """
    if op["op"] != "restore":
        return False
    return any(
        project.db.execute("SELECT 1 FROM spans WHERE id = ?", [row[0]]).fetchone() is not None
        for row in op["spans"]
    )


# -- reporting -----------------------------------------------------------------------------------


def emit(kind: str, payload: dict[str, Any]) -> None:
    """One protocol line, written straight to fd 1 (no Python buffering)."""
    data = (kind + " " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(1, view)
        view = view[written:]


class WorkerError(Exception):
    """Something went wrong that a correct program never does: the worker stops with status 3."""


def fail(message: str) -> None:
    raise WorkerError(message)


# -- the actions ---------------------------------------------------------------------------------


class Worker:
    """Shared state and actions; subclasses say how each action reaches the project."""

    mode = "core"

    def __init__(self, project_path: Path, seed: int, corpus: Path, exports: Path) -> None:
        self.project_path = project_path
        self.rng = random.Random(seed)
        self.seed = seed
        self.corpus = corpus
        self.exports = exports
        self.corpus_files = sorted(p.name for p in corpus.glob("corpus-*.jsonl") if p.name != BAD_CORPUS)
        self.serial = 0

    # Hooks.

    def weights(self) -> dict[str, float]:
        raise NotImplementedError

    def run_action(self, name: str) -> None:
        getattr(self, f"do_{name}")()

    def step(self) -> None:
        weights = self.weights()
        name = self.rng.choices(list(weights), list(weights.values()))[0]
        self.run_action(name)

    # Helpers for every mode.

    def pick_corpus(self, project: Project | None) -> str:
        """Prefer a corpus file not imported yet (so imports add thousands of rows)."""
        fresh = [
            name
            for name in self.corpus_files
            if project is None or not project.has_document(f"c{name.split('-')[1].split('.')[0]}-00000")
        ]
        if fresh and self.rng.random() < 0.8:
            return self.rng.choice(fresh)
        return self.rng.choice(self.corpus_files)

    def export_choice(self, annotators: list[str]) -> dict[str, Any]:
        fmt = self.rng.choice(list(EXPORT_TARGETS))
        op: dict[str, Any] = {
            "op": "export",
            "format": fmt,
            "target": EXPORT_TARGETS[fmt],
            "annotator": None,
            "done_only": False,
        }
        layers = [a for a in annotators if a in (*SESSION_ANNOTATORS, GUI_ANNOTATOR, GOLD_LAYER)]
        if fmt in ("prodigy", "conll"):  # tokenising every document is slow: keep these small
            op["annotator"] = self.rng.choice(layers) if layers else None
            op["done_only"] = True
        elif layers and self.rng.random() < 0.3:
            op["annotator"] = self.rng.choice(layers)
        return op


class CoreWorker(Worker):
    """The core operations, and the GUI session's own undo commands, without a window."""

    mode = "core"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        from annotator.gui.session import LayerSession

        self.project = Project.open(self.project_path, create=False)
        self.sessions = {name: LayerSession(self.project, name) for name in SESSION_ANNOTATORS}
        self.last_saved: list[tuple[bool, object]] = []
        for session in self.sessions.values():
            session.saved.connect(lambda ok, error: self.last_saved.append((ok, error)))
        self.doc_ids = self.project.document_ids()
        self.base_ids = [d for d in self.doc_ids if d.startswith(("base-", "extra-"))]
        self.changes: list[Any] = []  # adjudication changes, newest last (the review window's undo)
        emit("READY", {"mode": self.mode, "pid": os.getpid(), "documents": len(self.doc_ids)})

    def weights(self) -> dict[str, float]:
        # Small edits take a fraction of a millisecond, an import or export about 0.1 s: these
        # weights keep most of the time in small edits (the test aims a share of kills at imports
        # and exports by starting workers with --first).
        return {
            "add": 240,
            "delete": 80,
            "relabel": 80,
            "resize": 80,
            "note": 60,
            "status": 60,
            "undo": 80,
            "redo": 50,
            "imported_edit": 50,
            "annotator": 10,
            "documents": 5,
            "resolve": 60,
            "revert": 20,
            "agreed": 20,
            "import": 1,
            "bad_import": 0.5,
            "export": 1.5,
        }

    # Session helpers.

    def session(self, name: str | None = None, doc_id: str | None = None):  # noqa: ANN201
        session = self.sessions[name or self.rng.choice(SESSION_ANNOTATORS)]
        if doc_id is None:
            doc_id = (
                self.rng.choice(self.base_ids)
                if self.rng.random() < 0.85 or len(self.doc_ids) == len(self.base_ids)
                else self.rng.choice(self.doc_ids)
            )
        if session.doc_id != doc_id:
            session.load(doc_id)
        return session

    def check_saved(self, what: str) -> None:
        if self.last_saved and not self.last_saved[-1][0]:
            fail(f"{what}: the session reported a failed write: {self.last_saved[-1][1]}")
        self.last_saved.clear()

    def free_range(self, text: str, layer: dict[int, Span], label: str) -> tuple[int, int] | None:
        taken = {(s.start, s.end, s.label) for s in layer.values()}
        for _ in range(20):
            start = self.rng.randrange(0, len(text) - 1)
            end = min(len(text), start + self.rng.randint(1, 60))
            if (start, end, label) not in taken:
                return start, end
        return None

    # Span actions through LayerSession (what the window's keys call).

    def do_add(self) -> None:
        session = self.session()
        label = self.rng.choice(LABELS)
        found = self.free_range(session.text, session.spans, label)
        if found is None:
            return
        start, end = found
        note = f"n{self.rng.randint(0, 999)}" if self.rng.random() < 0.1 else None
        op = {
            "op": "add",
            "doc": session.doc_id,
            "ann": session.annotator,
            "start": start,
            "end": end,
            "label": label,
            "note": note,
        }
        emit("BEGIN", op)
        span = session.create_span(start, end, label, note)
        self.check_saved("add")
        if span is None:
            fail(f"add refused: {op}")
        emit("ACK", {**op, "id": span.id})

    def pick_span(self) -> tuple[Any, Span] | None:
        for _ in range(6):
            session = self.session()
            if session.spans:
                return session, session.spans[self.rng.choice(sorted(session.spans))]
        return None

    def do_delete(self) -> None:
        picked = self.pick_span()
        if picked is None:
            return
        session, span = picked
        op = {"op": "delete", "spans": [span_row(span)]}
        emit("BEGIN", op)
        if not session.delete_spans([span.id]):
            fail(f"delete refused: {op}")
        self.check_saved("delete")
        emit("ACK", op)

    def _update(self, session: Any, old: Span, new: Span, call: Callable[[], bool]) -> None:
        taken = {(s.start, s.end, s.label) for s in session.spans.values() if s.id != old.id}
        if (new.start, new.end, new.label) in taken or new == old:
            return
        op = {"op": "set", "old": [span_row(old)], "new": [span_row(new)]}
        emit("BEGIN", op)
        if not call():
            fail(f"update refused: {op}")
        self.check_saved("update")
        written = session.spans[old.id]
        op["new"] = [span_row(written)]
        emit("ACK", op)

    def do_relabel(self) -> None:
        picked = self.pick_span()
        if picked is None:
            return
        session, span = picked
        label = self.rng.choice([name for name in LABELS if name != span.label])
        self._update(session, span, replace(span, label=label), lambda: session.relabel([span.id], label))

    def do_resize(self) -> None:
        picked = self.pick_span()
        if picked is None:
            return
        session, span = picked
        start = max(0, span.start + self.rng.randint(-3, 3))
        end = min(len(session.text), span.end + self.rng.randint(-3, 3))
        if end <= start:
            return
        self._update(
            session, span, replace(span, start=start, end=end), lambda: session.resize(span.id, start, end)
        )

    def do_note(self) -> None:
        picked = self.pick_span()
        if picked is None:
            return
        session, span = picked
        note = None if span.note and self.rng.random() < 0.3 else f"note {self.rng.randint(0, 10**6)}"
        self._update(session, span, replace(span, note=note), lambda: session.set_note(span.id, note))

    def do_status(self) -> None:
        from annotator.core.model import Status

        session = self.session()
        status = self.rng.choice(list(Status))
        op = {"op": "status", "doc": session.doc_id, "ann": session.annotator, "status": status.value}
        emit("BEGIN", op)
        if not session.set_status(status):
            fail(f"status refused: {op}")
        self.check_saved("status")
        emit("ACK", op)

    def _undo_redo(self, redo: bool) -> None:
        from annotator.gui.session import SpansCommand, UpdateCommand

        session = self.sessions[self.rng.choice(SESSION_ANNOTATORS)]
        stack = session.undo_stack
        if stack is None or not (stack.canRedo() if redo else stack.canUndo()):
            return
        command = stack.command(stack.index() if redo else stack.index() - 1)
        op: dict[str, Any]
        if isinstance(command, SpansCommand):
            forward = command.added if redo else command.removed
            backward = command.removed if redo else command.added
            if forward and backward:
                fail("a command that both adds and removes spans")
            op = (
                {"op": "restore", "spans": [span_row(s) for s in forward]}
                if forward
                else {"op": "delete", "spans": [span_row(s) for s in backward]}
            )
        elif isinstance(command, UpdateCommand):
            old, new = (command.old, command.new) if redo else (command.new, command.old)
            op = {"op": "set", "old": [span_row(s) for s in old], "new": [span_row(s) for s in new]}
        else:
            fail(f"unknown undo command {type(command).__name__}")
            return
        op["via"] = "redo" if redo else "undo"
        if id_taken(self.project, op):
            return
        emit("BEGIN", op)
        index = stack.index()
        stack.redo() if redo else stack.undo()
        self.check_saved(op["via"])
        if stack.index() != index + (1 if redo else -1):
            fail(f"{op['via']} did not move the stack")
        emit("ACK", op)

    def do_undo(self) -> None:
        self._undo_redo(redo=False)

    def do_redo(self) -> None:
        self._undo_redo(redo=True)

    # Direct core edits of imported layers (no undo: they never meet a session's stack).

    def do_imported_edit(self) -> None:
        imported = [d for d in self.doc_ids if d.startswith("c")]
        if not imported:
            return
        doc_id = self.rng.choice(imported)
        layer = f"imp{doc_id[1:].split('-')[0]}"
        spans = self.project.spans(doc_id, layer)
        choice = self.rng.random()
        if choice < 0.3 or not spans:
            from annotator.core.model import Status

            status = self.rng.choice(list(Status)).value
            op = {"op": "status", "doc": doc_id, "ann": layer, "status": status}
            emit("BEGIN", op)
            self.project.set_status(doc_id, layer, status)
            emit("ACK", op)
            return
        span = self.rng.choice(spans)
        if choice < 0.65:
            op = {"op": "delete", "spans": [span_row(span)]}
            emit("BEGIN", op)
            self.project.delete_span(span.id)
            emit("ACK", op)
            return
        label = self.rng.choice([name for name in LABELS if name != span.label])
        if any((s.start, s.end, s.label) == (span.start, span.end, label) for s in spans):
            return
        new = replace(span, label=label)
        op = {"op": "set", "old": [span_row(span)], "new": [span_row(new)]}
        emit("BEGIN", op)
        written = self.project.update_span(span.id, label=label)
        op["new"] = [span_row(written)]
        emit("ACK", op)

    def do_annotator(self) -> None:
        name = self.rng.choice(EXTRA_ANNOTATORS)
        op = {"op": "annotator", "name": name}
        emit("BEGIN", op)
        self.project.add_annotator(name)
        emit("ACK", op)

    def do_documents(self) -> None:
        self.serial += 1
        docs = [
            DocumentInput(
                f"extra-{self.seed}-{self.serial}-{i}", make_text(self.rng, self.rng.randint(40, 120))
            )
            for i in range(self.rng.randint(1, 3))
        ]
        op = {"op": "documents", "docs": [[d.id, content_hash(d.text)] for d in docs]}
        emit("BEGIN", op)
        self.project.add_documents(docs)
        emit("ACK", op)
        self.doc_ids += [d.id for d in docs]
        self.base_ids += [d.id for d in docs]

    # Adjudication into gold (what the review window calls).

    def do_resolve(self) -> None:
        from annotator.core.adjudication import Decision, document_disagreements, resolve

        doc_id = self.rng.choice(self.base_ids)
        found = document_disagreements(self.project, doc_id, *PAIR)
        if not found:
            return
        dis = self.rng.choice(found)
        decision = self.rng.choice(list(Decision))
        edited: list[tuple[int, int, str]] = []
        if decision is Decision.EDIT:
            base = dis.a or dis.b
            assert base is not None
            text = self.project.document_text(doc_id)
            start = max(0, base[0] - self.rng.randint(0, 2))
            end = min(len(text), base[1] + self.rng.randint(0, 2))
            edited = [(start, end, self.rng.choice(LABELS))]
        op = {
            "op": "resolve",
            "doc": doc_id,
            "a": PAIR[0],
            "b": PAIR[1],
            "dis": {"a": dis.a, "b": dis.b, "start": dis.start, "end": dis.end, "kind": dis.kind.value},
            "decision": decision.value,
            "edited": edited,
        }
        emit("BEGIN", op)
        change = resolve(self.project, doc_id, PAIR[0], PAIR[1], dis, decision, edited)
        self.changes.append(change)
        emit(
            "ACK",
            {
                **op,
                "added": [span_row(s) for s in change.added],
                "removed": [span_row(s) for s in change.removed],
            },
        )

    def do_revert(self) -> None:
        from annotator.core.adjudication import ResolveChange, revert

        if not self.changes:
            return
        change = self.changes.pop()
        op: dict[str, Any] = {
            "op": "revert",
            "doc": change.document_id,
            "added": [span_row(s) for s in change.added],
            "removed": [span_row(s) for s in change.removed],
            "key": None,
            "previous": None,
        }
        if isinstance(change, ResolveChange):
            op["key"] = [change.document_id, change.a, change.b, change.disagreement.a, change.disagreement.b]
            previous = change.previous
            if previous is not None:
                op["previous"] = {
                    "decision": previous.decision.value,
                    "result": [list(s) for s in previous.result],
                    "start": previous.start,
                    "end": previous.end,
                    "kind": previous.kind,
                }
        emit("BEGIN", op)
        revert(self.project, change)
        emit("ACK", op)

    def do_agreed(self) -> None:
        from annotator.core.adjudication import accept_all_agreed

        doc_id = self.rng.choice(self.base_ids)
        op = {"op": "agreed", "doc": doc_id, "a": PAIR[0], "b": PAIR[1]}
        emit("BEGIN", op)
        change = accept_all_agreed(self.project, doc_id, *PAIR)
        self.changes.append(change)
        emit("ACK", {**op, "added": [span_row(s) for s in change.added]})

    # Imports and exports.

    def do_import(self) -> None:
        from annotator.core.formats.importer import import_corpus

        name = self.pick_corpus(self.project)
        op = {"op": "import", "file": name}
        emit("BEGIN", op)
        report = import_corpus(self.project, [self.corpus / name])
        emit("ACK", {**op, "documents": report.documents, "reused": report.reused, "spans": report.spans})
        self.doc_ids = self.project.document_ids()

    def do_bad_import(self) -> None:
        from annotator.core.errors import InputError
        from annotator.core.formats.importer import import_corpus

        op = {"op": "import", "file": BAD_CORPUS, "fails": True}
        emit("BEGIN", op)
        try:
            import_corpus(self.project, [self.corpus / BAD_CORPUS])
        except InputError as exc:
            if f"{BAD_CORPUS}:" not in str(exc):
                fail(f"the import error does not name the file and line: {exc}")
            emit("NACK", {**op, "error": str(exc)})
            return
        fail("a broken corpus file was imported")

    def do_export(self) -> None:
        from annotator.core.formats.exporter import ExportOptions, export_corpus

        op = self.export_choice(self.project.annotators())
        target = self.exports / op["target"]
        emit("BEGIN", op)
        report = export_corpus(
            self.project,
            ExportOptions(
                format=op["format"], output=target, annotator=op["annotator"], done_only=op["done_only"]
            ),
        )
        emit("ACK", {**op, "sha256": sha256_file(target), "records": report.records})


class CliWorker(Worker):
    """``annotator import`` / ``annotator export`` in this process, each opening the project."""

    mode = "cli"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        emit("READY", {"mode": self.mode, "pid": os.getpid()})

    def weights(self) -> dict[str, float]:
        return {"import": 5, "bad_import": 1, "export": 5}

    def cli(self, *args: str) -> tuple[int, str]:
        import contextlib
        import io

        from annotator.cli import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                main(["--db", str(self.project_path), *args])
            except SystemExit as exc:
                return int(exc.code or 0), out.getvalue()
        return 0, out.getvalue()

    def do_import(self) -> None:
        name = self.pick_corpus(None)
        op = {"op": "import", "file": name}
        emit("BEGIN", op)
        code, output = self.cli("import", str(self.corpus / name))
        if code != 0:
            fail(f"annotator import failed ({code}): {output}")
        emit("ACK", {**op, "output": output.strip()})

    def do_bad_import(self) -> None:
        op = {"op": "import", "file": BAD_CORPUS, "fails": True}
        emit("BEGIN", op)
        code, output = self.cli("import", str(self.corpus / BAD_CORPUS))
        if code == 0 or f"{BAD_CORPUS}:" not in output or "Traceback" in output:
            fail(f"a broken corpus file: exit {code}, {output!r}")
        emit("NACK", {**op, "error": output.strip()})

    def do_export(self) -> None:
        op = self.export_choice([])
        if op["format"] in ("prodigy", "conll"):
            op["done_only"] = True
        target = self.exports / op["target"]
        args = ["export", "--format", op["format"], "-o", str(target)]
        if op["done_only"]:
            args.append("--done-only")
        emit("BEGIN", op)
        code, output = self.cli(*args)
        if code != 0:
            fail(f"annotator export failed ({code}): {output}")
        emit("ACK", {**op, "sha256": sha256_file(target)})


class GuiWorker(Worker):
    """The real window, driven with key presses; an action is acknowledged once the window shows it."""

    mode = "gui"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.window: Any = None
        self.messages: list[tuple[str, str]] = []
        self.pending_import: Any = None
        self.pending_export: Any = None
        self.note = ""
        self.ticks = 0

    def weights(self) -> dict[str, float]:
        return {
            "add": 22,
            "relabel": 7,
            "delete": 7,
            "resize": 8,
            "note": 4,
            "status": 4,
            "undo": 8,
            "redo": 5,
            "label_all": 2,
            "next_document": 3,
            "import": 1,
            "export": 2,
        }

    # Set-up: patch the dialogs so they answer as a user would, then start the window.

    def start(self) -> int:
        from PySide6.QtCore import QTimer

        from annotator.gui import messages, transfer, widgets
        from annotator.gui.app import application, run

        worker = self

        def ask_import(_parent: Any, _project: Any, _annotator: Any) -> Any:
            request, worker.pending_import = worker.pending_import, None
            return request

        def ask_export(_parent: Any, _project: Any, _annotator: Any) -> Any:
            options, worker.pending_export = worker.pending_export, None
            return options

        def message(_parent: Any, title: str, text: str, details: str = "", warning: bool = False) -> None:
            worker.messages.append((title, text))

        transfer.ImportDialog.ask = classmethod(lambda cls, *a: ask_import(*a))  # type: ignore[method-assign]
        transfer.ExportDialog.ask = classmethod(lambda cls, *a: ask_export(*a))  # type: ignore[method-assign]
        messages.inform = lambda _parent, title, text, details="": message(_parent, title, text, details)
        messages.warn = lambda _parent, title, text, details="": message(_parent, title, text, details, True)
        widgets.NoteDialog.ask = classmethod(lambda cls, *a: worker.note)  # type: ignore[method-assign]
        messages.error = lambda _parent, title, text: worker.messages.append((title, text))
        application()
        QTimer.singleShot(0, self.tick)
        return run(self.project_path)

    def tick(self) -> None:
        from PySide6.QtCore import QTimer

        try:
            if self.window is None:
                self.find_window()
            else:
                self.step()
        except BaseException:  # noqa: BLE001 - a Qt slot must not swallow our failure
            sys.stderr.write(traceback.format_exc())
            sys.stderr.flush()
            os._exit(3)
        QTimer.singleShot(0, self.tick)

    def find_window(self) -> None:
        from PySide6.QtWidgets import QApplication

        from annotator.gui.mainwindow import MainWindow

        self.ticks += 1
        if self.ticks > 2000:
            fail("the main window did not become active")
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                if not widget.isActiveWindow():
                    widget.activateWindow()
                    return
                if widget.session.document is None:
                    return
                self.window = widget
                widget.text_view.setFocus()
                emit("READY", {"mode": self.mode, "pid": os.getpid(), "annotator": widget.session.annotator})
                return

    # Keys.

    def key(self, key: Any, modifiers: Any = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        window, view = self.window, self.window.text_view
        # A closed progress or message dialog leaves no window active on the offscreen platform
        # (there is no window manager to hand the focus back): click back into the window.
        for _ in range(1000):
            if window.isActiveWindow():
                break
            window.activateWindow()
            QApplication.processEvents()
        else:
            fail(f"the window does not become active again; {self.describe()}")
        if not view.hasFocus():
            view.setFocus()
        QTest.keyClick(view, key, modifiers if modifiers is not None else Qt.NoModifier)

    def label_key(self, label: str) -> Any:
        from PySide6.QtCore import Qt

        hotkey = self.window.project.labels().get(label).hotkey
        return Qt.Key(Qt.Key_0.value + int(hotkey))

    @property
    def session(self) -> Any:
        return self.window.session

    def describe(self) -> str:
        """What the window looks like, for a failure message."""
        from PySide6.QtWidgets import QApplication

        window = self.window
        return (
            f"active={window.isActiveWindow()} focus={type(QApplication.focusWidget()).__name__} "
            f"modal={QApplication.activeModalWidget()!r} popup={QApplication.activePopupWidget()!r} "
            f"status message={window.statusBar().currentMessage()!r} "
            f"selection={window.text_view.selection_range()} messages={self.messages}"
        )

    def shown_saved(self, what: str) -> None:
        if "All changes saved" not in self.window.status_saved.text():
            fail(f"{what}: the window does not show the change as saved: {self.window.status_saved.text()}")
        if self.messages:
            fail(f"{what}: the window reported {self.messages}")

    def shows(self, span: Span) -> bool:
        """The window's session and span list show ``span`` as it is."""
        return self.session.spans.get(span.id) == span and self.window.span_model.row_of(span.id) is not None

    # Actions.

    def do_add(self) -> None:
        from annotator.core.text_ops import snap_to_words

        session = self.session
        text = session.text
        start = self.rng.randrange(0, len(text) - 1)
        end = min(len(text), start + self.rng.randint(1, 50))
        label = self.rng.choice(LABELS)
        snapped = snap_to_words(text, start, end) if self.window.snap_action.isChecked() else (start, end)
        if snapped is None:
            return
        if any((s.start, s.end, s.label) == (*snapped, label) for s in session.spans.values()):
            return
        before = set(session.spans)
        op = {
            "op": "add",
            "doc": session.doc_id,
            "ann": session.annotator,
            "start": snapped[0],
            "end": snapped[1],
            "label": label,
            "note": None,
        }
        self.window.select_span(None)
        self.window.text_view.select_range(start, end)
        emit("BEGIN", op)
        self.key(self.label_key(label))
        new = set(session.spans) - before
        if len(new) != 1:
            fail(f"add: the window shows {len(new)} new spans for {op}; {self.describe()}")
        span = session.spans[new.pop()]
        if (span.start, span.end, span.label) != (*snapped, label) or not self.shows(span):
            fail(f"add: the window shows {span} for {op}")
        if self.window.selected_span != span.id:
            fail("add: the new span is not selected")
        self.shown_saved("add")
        emit("ACK", {**op, "id": span.id})

    def pick(self) -> Span | None:
        spans = self.session.spans
        if not spans:
            return None
        span = spans[self.rng.choice(sorted(spans))]
        self.window.text_view.clear_selection()
        self.window.select_span(span.id)
        return span

    def free(self, span: Span, new: Span) -> bool:
        return not any(
            (s.start, s.end, s.label) == (new.start, new.end, new.label)
            for s in self.session.spans.values()
            if s.id != span.id
        )

    def _update(self, old: Span, new: Span, press: Callable[[], None], what: str) -> None:
        op = {"op": "set", "old": [span_row(old)], "new": [span_row(new)]}
        emit("BEGIN", op)
        press()
        shown = self.session.spans.get(old.id)
        if (
            shown is None
            or (shown.start, shown.end, shown.label, shown.note) != (new.start, new.end, new.label, new.note)
            or not self.shows(shown)
        ):
            fail(f"{what}: the window shows {shown} instead of {new}")
        self.shown_saved(what)
        emit("ACK", {**op, "new": [span_row(shown)]})

    def do_relabel(self) -> None:
        span = self.pick()
        if span is None:
            return
        label = self.rng.choice([name for name in LABELS if name != span.label])
        new = replace(span, label=label)
        if self.free(span, new):
            self._update(span, new, lambda: self.key(self.label_key(label)), "relabel")

    def do_resize(self) -> None:
        from PySide6.QtCore import Qt

        span = self.pick()
        if span is None:
            return
        moves = {
            "end+": ((0, 1), Qt.Key_Right, Qt.AltModifier),
            "end-": ((0, -1), Qt.Key_Left, Qt.AltModifier),
            "start-": ((-1, 0), Qt.Key_Left, Qt.AltModifier | Qt.ShiftModifier),
            "start+": ((1, 0), Qt.Key_Right, Qt.AltModifier | Qt.ShiftModifier),
        }
        (ds, de), key, modifiers = moves[self.rng.choice(sorted(moves))]
        start, end = span.start + ds, span.end + de
        if start < 0 or end > len(self.session.text) or end <= start:
            return
        new = replace(span, start=start, end=end)
        if self.free(span, new):
            self._update(span, new, lambda: self.key(key, modifiers), "resize")

    def do_note(self) -> None:
        from PySide6.QtCore import Qt

        span = self.pick()
        if span is None:
            return
        self.note = "" if span.note and self.rng.random() < 0.3 else f"gui note {self.rng.randint(0, 10**6)}"
        new = replace(span, note=self.note or None)
        if new.note != span.note:
            self._update(span, new, lambda: self.key(Qt.Key_E, Qt.ControlModifier), "note")

    def do_delete(self) -> None:
        from PySide6.QtCore import Qt

        span = self.pick()
        if span is None:
            return
        op = {"op": "delete", "spans": [span_row(span)]}
        emit("BEGIN", op)
        self.key(Qt.Key_Delete)
        if span.id in self.session.spans or self.window.span_model.row_of(span.id) is not None:
            fail(f"delete: the window still shows {span}")
        self.shown_saved("delete")
        emit("ACK", op)

    def do_status(self) -> None:
        from PySide6.QtCore import Qt

        from annotator.core.model import Status

        session = self.session
        new = Status.IN_PROGRESS if session.status() is Status.DONE else Status.DONE
        op = {"op": "status", "doc": session.doc_id, "ann": session.annotator, "status": new.value}
        emit("BEGIN", op)
        self.key(Qt.Key_D, Qt.ControlModifier)
        if session.status() is not new or new.display_name not in self.window.status_counts.text():
            fail(f"status: the window shows {self.window.status_counts.text()!r}, expected {new}")
        row = self.window.doc_model.row_of(session.doc_id)
        if row is None:
            fail("status: the document is not in the list")
        self.shown_saved("status")
        emit("ACK", op)

    def _undo_redo(self, redo: bool) -> None:
        from PySide6.QtCore import Qt

        from annotator.gui.session import SpansCommand, UpdateCommand

        stack = self.session.undo_stack
        if stack is None or not (stack.canRedo() if redo else stack.canUndo()):
            return
        command = stack.command(stack.index() if redo else stack.index() - 1)
        if isinstance(command, SpansCommand):
            forward = command.added if redo else command.removed
            backward = command.removed if redo else command.added
            op: dict[str, Any] = (
                {"op": "restore", "spans": [span_row(s) for s in forward]}
                if forward
                else {"op": "delete", "spans": [span_row(s) for s in backward]}
            )
            expect_present, expect_absent = forward, backward
        elif isinstance(command, UpdateCommand):
            old, new = (command.old, command.new) if redo else (command.new, command.old)
            op = {"op": "set", "old": [span_row(s) for s in old], "new": [span_row(s) for s in new]}
            expect_present, expect_absent = new, []
        else:
            fail(f"unknown undo command {type(command).__name__}")
            return
        op["via"] = "redo" if redo else "undo"
        if id_taken(self.window.project, op):
            return
        index = stack.index()
        emit("BEGIN", op)
        if redo:
            self.key(Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
        else:
            self.key(Qt.Key_Z, Qt.ControlModifier)
        if stack.index() != index + (1 if redo else -1):
            fail(f"{op['via']}: the stack did not move")
        for span in expect_present:
            shown = self.session.spans.get(span.id)
            if shown is None or shown.key != span.key or shown.note != span.note or not self.shows(shown):
                fail(f"{op['via']}: the window shows {shown} instead of {span}")
        for span in expect_absent:
            if span.id in self.session.spans or self.window.span_model.row_of(span.id) is not None:
                fail(f"{op['via']}: the window still shows {span}")
        self.shown_saved(op["via"])
        emit("ACK", op)

    def do_undo(self) -> None:
        self._undo_redo(redo=False)

    def do_redo(self) -> None:
        self._undo_redo(redo=True)

    def do_label_all(self) -> None:
        from annotator.core.text_ops import find_all

        session = self.session
        words = [w for w in session.text.split() if any(ch.isalpha() for ch in w)]
        if not words:
            return
        needle = self.rng.choice(words)
        label = self.rng.choice(LABELS)
        ranges = find_all(session.text, needle, case_sensitive=True, whole_word=True)
        existing = {(s.start, s.end, s.label) for s in session.spans.values()}
        ranges = [(s, e) for s, e in ranges if (s, e, label) not in existing]
        if not ranges:
            return
        before = set(session.spans)
        op = {
            "op": "add_many",
            "doc": session.doc_id,
            "ann": session.annotator,
            "ranges": ranges,
            "label": label,
        }
        emit("BEGIN", op)
        self.window.text_view.clear_selection()
        count = self.window.label_all(label, needle)
        new = [session.spans[i] for i in sorted(set(session.spans) - before)]
        if count != len(ranges) or sorted((s.start, s.end) for s in new) != sorted(ranges):
            fail(f"label all: the window shows {len(new)} new spans, expected {len(ranges)}")
        if not all(self.shows(s) for s in new):
            fail("label all: the span list does not show every new span")
        self.shown_saved("label all")
        emit("ACK", {**op, "ids": {f"{s.start},{s.end}": s.id for s in new}})

    def do_next_document(self) -> None:
        from PySide6.QtCore import Qt

        before = self.session.doc_id
        self.key(Qt.Key_PageDown, Qt.ControlModifier)
        if self.window.doc_model.rowCount() > 1 and self.session.doc_id == before:
            fail("Ctrl+PgDown did not open the next document")

    def do_import(self) -> None:
        from PySide6.QtCore import Qt

        from annotator.core.formats.importer import ImportOptions
        from annotator.gui.transfer import ImportRequest

        name = self.pick_corpus(self.window.project)
        self.pending_import = ImportRequest((self.corpus / name,), ImportOptions())
        op = {"op": "import", "file": name}
        emit("BEGIN", op)
        self.key(Qt.Key_I, Qt.ControlModifier)
        titles = [title for title, _text in self.messages]
        self.messages.clear()
        if titles != ["Import finished"]:
            fail(f"import: the window said {titles}")
        if self.window.doc_model.rowCount() != self.window.project.document_count():
            fail("import: the document list does not show every document")
        emit("ACK", op)

    def do_export(self) -> None:
        from PySide6.QtCore import Qt

        from annotator.core.formats.exporter import ExportOptions

        op = self.export_choice(self.window.project.annotators())
        target = self.exports / op["target"]
        self.pending_export = ExportOptions(
            format=op["format"], output=target, annotator=op["annotator"], done_only=op["done_only"]
        )
        emit("BEGIN", op)
        self.key(Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
        titles = [title for title, _text in self.messages]
        self.messages.clear()
        if titles != ["Export finished"]:
            fail(f"export: the window said {titles}")
        emit("ACK", {**op, "sha256": sha256_file(target)})


WORKERS: dict[str, type[Worker]] = {"core": CoreWorker, "cli": CliWorker, "gui": GuiWorker}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crash_worker", description=__doc__.split("\n", 1)[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("seed", type=int)
    parser.add_argument("--mode", choices=sorted(WORKERS), default="core")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of corpus-*.jsonl files")
    parser.add_argument("--exports", type=Path, default=None, help="folder of the export targets")
    parser.add_argument("--first", choices=("import", "export", "bad_import"), default=None)
    parser.add_argument("--max-actions", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    corpus = args.corpus or args.project.parent / "corpus"
    exports = args.exports or args.project.parent / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    try:
        if args.mode == "gui":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            os.environ["ANNOTATOR_SETTINGS"] = str(args.project.parent / "gui-settings.ini")
            os.environ["ANNOTATOR_NAME"] = GUI_ANNOTATOR
            gui = GuiWorker(args.project, args.seed, corpus, exports)
            first = args.first

            original = gui.step

            def step() -> None:
                nonlocal first
                if first is not None:
                    name, first = first, None
                    gui.run_action(name)
                else:
                    original()

            gui.step = step  # type: ignore[method-assign]
            return gui.start()
        worker = WORKERS[args.mode](args.project, args.seed, corpus, exports)
        if args.first is not None:
            worker.run_action(args.first)
        for _ in range(args.max_actions):
            worker.step()
        emit("DONE", {"actions": args.max_actions})
        return 0
    except WorkerError as exc:
        sys.stderr.write(f"crash_worker: {exc}\n")
        return 3
    except BaseException:
        sys.stderr.write(traceback.format_exc())
        return 3


if __name__ == "__main__":
    sys.exit(main())
