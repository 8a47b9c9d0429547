"""The window's suggestions: the headless engine (:mod:`annotator.core.suggest.engine`) kept in
step with the open layer, slow sources computed off the GUI thread, training in the background.

:class:`SuggestionController` owns one :class:`~annotator.core.suggest.engine.Suggestions` for
the window's project and annotator. It

* opens the sources the settings ask for (memory, a patterns file, the trained model, your own
  spaCy pipeline with its label mapping) and says for each what it could not use;
* gives the article its proposals (memory and patterns at once; the model and a spaCy pipeline
  from a :class:`PredictionWorker` thread at low priority, handed back with ``supply``);
* feeds every span edit of the session (made by hand, accepted, undone, redone, or saved by
  another program) to the engine, so the memory learns the moment a span is added, relabelled
  or deleted;
* accepts (one span carrying its source), accepts all of one source in a document (one undo
  step) and rejects (stored, undoable), each an undo step of the document's stack;
* trains the model in a child process at low priority (:class:`~annotator.core.suggest.training.
  TrainingJob`), polled by a timer, with progress and cancel, and retrains by itself when enough
  new documents are done.
"""

from __future__ import annotations

import os
import queue
import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.core.errors import AnnotatorError
from annotator.core.model import Span, Status
from annotator.core.store import Project
from annotator.core.suggest.engine import SourceTally, Suggestions
from annotator.core.suggest.evaluation import LabelScore
from annotator.core.suggest.proposals import BY_PLACE, Proposal
from annotator.core.suggest.sources import (
    SOURCE_KINDS,
    PipelineProposalSource,
    ProposalSource,
    open_source,
    source_kind,
)
from annotator.gui.literal import one_line
from annotator.gui.session import LayerSession
from annotator.gui.settings import Settings
from annotator.gui.undo import StepCommand

#: How often the training child's events are read, milliseconds.
POLL_MS = 200
#: The niceness of the prediction thread (Linux gives each thread its own).
WORKER_NICE = 10


def parse_mapping(text: str) -> dict[str, str] | None:
    """``PERSON=actor, ORG=actor`` as a mapping; None for an empty text (the default mapping).

    Raises AnnotatorError naming the piece that is not ``NAME=label``.
    """
    pieces = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not pieces:
        return None
    mapping: dict[str, str] = {}
    for piece in pieces:
        name, sep, label = piece.partition("=")
        if not sep or not name.strip() or not label.strip():
            raise AnnotatorError(f"label mapping: {piece!r} is not NAME=label (e.g. PERSON=actor)")
        mapping[name.strip()] = label.strip()
    return mapping


@dataclass
class SourceState:
    """One kind of source as the panel shows it."""

    kind: str
    #: The user wants it (a checkbox).
    wanted: bool
    #: The opened source, or None (not wanted, nothing configured, or it could not be opened).
    source: ProposalSource | None = None
    #: Why it is not used, or what it left out ("labels not mapped, ignored: DATE").
    notes: list[str] = field(default_factory=list)
    error: str = ""
    #: A trained model's evaluation: per label, and overall.
    scores: dict[str, LabelScore] = field(default_factory=dict)
    withheld: list[str] = field(default_factory=list)
    description: str = ""

    @property
    def name(self) -> str | None:
        return self.source.name if self.source is not None else None


class PredictionWorker(QObject):
    """Computes slow sources' proposals for documents in a thread of its own, one request at a
    time, at low priority.

    ``Suggestions.compute`` touches neither the project nor the engine's cache, so it is safe
    there; the results come back to the GUI thread through :attr:`computed` (a signal emitted
    from the thread, so Qt queues it). The thread is a daemon started on the first request: a
    window that never proposes from a model never has one, and a process exiting never waits.
    """

    computed = Signal(int, str, str, object)  # generation, source name, document id, proposals
    failed = Signal(int, str, str, str)  # generation, source name, document id, message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._requests: queue.Queue[tuple[int, ProposalSource, str, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        #: Requests taken and not finished (0 or 1).
        self.busy = 0

    def request(self, generation: int, source: ProposalSource, document_id: str, text: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="suggestions-worker", daemon=True)
            self._thread.start()
        self._requests.put((generation, source, document_id, text))

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the request under way, drop the rest, end the thread."""
        if self._thread is None:
            return
        while True:
            try:
                self._requests.get_nowait()
            except queue.Empty:
                break
        self._requests.put(None)
        self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        try:  # a lower priority for this thread only (Linux): the window keeps its core
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)
        except (AttributeError, OSError):
            pass
        while True:
            item = self._requests.get()
            if item is None:
                return
            generation, source, document_id, text = item
            self.busy = 1
            try:
                found = Suggestions.compute(source, document_id, text)
            except Exception as exc:  # noqa: BLE001 - a pipeline may fail in any way; say so
                self._emit(self.failed, generation, source.name, document_id, f"{type(exc).__name__}: {exc}")
            else:
                self._emit(self.computed, generation, source.name, document_id, found)
            finally:
                self.busy = 0

    def _emit(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window (and this object) is gone
            pass


class SuggestionController(QObject):
    """Suggestions for one window (see the module's description)."""

    #: The open document's proposals or the current one changed (redraw, update the list).
    proposals_changed = Signal()
    #: Sources were (re)opened, switched, or their notes changed.
    sources_changed = Signal()
    #: Accepted / rejected counts changed.
    tallies_changed = Signal()
    #: Training: (state, step, total, message); state is idle, running, done, error, cancelled.
    training_changed = Signal(str, int, int, str)
    #: A one-line message for the status bar.
    message = Signal(str)

    def __init__(self, session: LayerSession, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.engine: Suggestions | None = None
        self.states: dict[str, SourceState] = {}
        self.proposals: list[Proposal] = []
        self._starts: list[int] = []
        self.current: Proposal | None = None
        self._doc_id: str | None = None
        self._generation = 0
        self._waiting: set[tuple[int, str, str]] = set()
        #: The last status seen per document: retraining looks at documents newly marked done.
        self._statuses: dict[str, Status] = {}
        self.worker = PredictionWorker(self)
        self.worker.computed.connect(self._computed)
        self.worker.failed.connect(self._failed)
        self.job = None  # a running TrainingJob
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll_training)
        self.training_state = ("idle", 0, 0, "")
        session.document_loaded.connect(self._document_loaded)
        session.spans_added.connect(self._spans_added)
        session.spans_removed.connect(self._spans_removed)
        session.spans_changed.connect(self._spans_changed)
        session.status_changed.connect(self._status_changed)
        self.states = {}
        self.rebuild()

    # -- settings -----------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self.session.project

    @property
    def annotator(self) -> str:
        return self.session.annotator

    def _key(self, name: str) -> str:
        return self.settings.project_key(self.project.path, f"suggest/{name}")

    def option(self, name: str, default: str = "") -> str:
        return self.settings.text_value(self._key(name), default)

    def set_option(self, name: str, value: str) -> None:
        self.settings.set_text_value(self._key(name), value)

    def wanted(self, kind: str) -> bool:
        default = "1" if kind in ("memory", "patterns", "model") else "0"
        return self.option(f"{kind}_on", default) == "1"

    @property
    def threshold(self) -> float:
        try:
            return max(0.0, min(1.0, float(self.option("threshold", "0.5"))))
        except ValueError:
            return 0.5

    @property
    def retrain_every(self) -> int:
        """Retrain after this many newly done documents; 0: never by itself."""
        try:
            return max(0, int(self.option("retrain_every", "10")))
        except ValueError:
            return 10

    def models_folder(self) -> Path | None:
        """Where the model is: the setting, else beside the project (``NAME.db.models/ANNOTATOR``)."""
        chosen = self.option("model_dir")
        if chosen:
            return Path(chosen)
        if self.project.path is None:
            return None
        from annotator.core.suggest.training import default_models_folder

        return default_models_folder(self.project, self.annotator)

    # -- the sources --------------------------------------------------------------------------

    def rebuild(self, *, memory_only: bool = False) -> None:
        """Open the sources again (settings, annotator, labels or the model changed); with
        ``memory_only``, the memory learns the project afresh (spans saved by another program)
        and the other sources are kept as they are (opening a model takes seconds)."""
        self._generation += 1
        self._waiting.clear()
        self._statuses.clear()
        states: dict[str, SourceState] = {}
        for kind in SOURCE_KINDS:
            old = self.states.get(kind.name)
            if memory_only and kind.name != "memory" and old is not None:
                states[kind.name] = old
                continue
            state = SourceState(kind.name, self.wanted(kind.name))
            states[kind.name] = state
            if not state.wanted:
                continue
            try:
                self._open(state)
            except Exception as exc:  # noqa: BLE001 - one source failing leaves the others on
                state.error = str(exc) if isinstance(exc, AnnotatorError) else f"{type(exc).__name__}: {exc}"
                state.source = None
        self.states = states
        sources = [s.source for s in states.values() if s.source is not None]
        self.engine = Suggestions(self.project, self.annotator, sources)
        self._doc_id = None
        self.sources_changed.emit()
        self.tallies_changed.emit()
        self._document_loaded()

    def _open(self, state: SourceState) -> None:
        project = self.project
        if state.kind == "memory":
            state.source = open_source(
                "memory",
                project,
                annotator=self.annotator,
                include_gold=self.option("memory_gold") == "1",
                case_sensitive=self.option("memory_ignore_case") != "1",
            )
        elif state.kind == "patterns":
            path = self.option("patterns_file")
            state.source = open_source("patterns", project, argument=path or None)
        elif state.kind == "model":
            folder = self.models_folder()
            if folder is None or not (folder / "current.json").is_file():
                state.error = "no model yet: train one (needs done documents)"
                return
            from annotator.core.suggest.spacy_support import require_spacy
            from annotator.core.suggest.training import open_model

            require_spacy("the model source")
            model = open_model(folder, project.labels().names, threshold=self.threshold)
            state.scores = model.scores[0]
            state.withheld = list(model.source.withheld)
            state.description = model.describe()
            state.source = PipelineProposalSource(
                source_kind("model"), model.source.source, model.source, [], state.description
            )
            if model.source.withheld:
                state.notes.append("withheld (below the threshold): " + ", ".join(model.source.withheld))
        elif state.kind == "spacy":
            name = self.option("spacy_name")
            if not name:
                state.error = "give a pipeline: an installed package name or a folder"
                return
            state.source = open_source(
                "spacy", project, argument=name, mapping=parse_mapping(self.option("spacy_map"))
            )
        if state.source is not None:
            state.notes.extend(state.source.notes)

    def set_wanted(self, kind: str, on: bool) -> None:
        """A source's switch: its proposals come or go on every document."""
        self.set_option(f"{kind}_on", "1" if on else "0")
        state = self.states.get(kind)
        if on and (state is None or state.source is None):
            self.rebuild()
            return
        if state is not None:
            state.wanted = on
            if state.source is not None and self.engine is not None:
                self.engine.set_enabled(state.source.name, on)
        self.sources_changed.emit()
        self._document_loaded()

    def configure(self, **options: str) -> None:
        """Change sources' settings (patterns_file, model_dir, spacy_name, spacy_map, threshold...)."""
        for name, value in options.items():
            self.set_option(name, value)
        self.rebuild()

    def enabled_names(self) -> list[str]:
        return [s.source.name for s in self.states.values() if s.wanted and s.source is not None]

    def tallies(self) -> list[SourceTally]:
        return self.engine.tallies() if self.engine is not None else []

    # -- the open document --------------------------------------------------------------------

    def _document_loaded(self) -> None:
        engine = self.engine
        doc_id = self.session.doc_id
        if engine is None:
            return
        if engine.annotator != self.annotator or engine.project is not self.project:
            self.rebuild()
            return
        if self._doc_id is not None and self._doc_id != doc_id:
            engine.close(self._doc_id)
        self._doc_id = doc_id
        self.current = None
        if doc_id is not None:
            self._statuses[doc_id] = self.project.status(doc_id, self.annotator)
        if doc_id is None:
            self._set_proposals([])
            return
        try:
            shown = engine.proposals(doc_id)
        except Exception as exc:  # noqa: BLE001 - a source may fail in any way: say so, go on
            self.message.emit(f"Suggestions: {type(exc).__name__}: {exc}")
            shown = []
        self._set_proposals(shown)
        for source in engine.pending(doc_id):
            key = (self._generation, source.name, doc_id)
            if key not in self._waiting:
                self._waiting.add(key)
                self.worker.request(self._generation, source, doc_id, self.session.text)

    @property
    def computing(self) -> bool:
        """A slow source is still working on the open document."""
        return any(doc == self._doc_id for _, _, doc in self._waiting)

    def _computed(self, generation: int, name: str, doc_id: str, found: list[Proposal]) -> None:
        self._waiting.discard((generation, name, doc_id))
        if generation != self._generation or self.engine is None:
            return
        self.engine.supply(name, doc_id, found)
        if doc_id == self.session.doc_id:
            self._refresh_view()

    def _failed(self, generation: int, name: str, doc_id: str, message: str) -> None:
        self._waiting.discard((generation, name, doc_id))
        if generation == self._generation:
            self.message.emit(f"Suggestions from {name} failed: {message}")
            if self.engine is not None:
                self.engine.supply(name, doc_id, [])  # not asked again for this document
            if doc_id == self.session.doc_id:
                self._refresh_view()

    def _refresh_view(self) -> None:
        doc_id = self.session.doc_id
        if self.engine is None or doc_id is None:
            return
        view = self.engine.view(doc_id)
        shown = view if view is not None else self.engine.proposals(doc_id)
        self._set_proposals(shown)

    def _set_proposals(self, shown: list[Proposal]) -> None:
        self.proposals = shown
        self._starts = [p.start for p in shown]
        if self.current is not None and self.current not in shown:
            self.current = None
        self.proposals_changed.emit()

    def _apply_changes(self, changes: Sequence[object]) -> None:
        doc_id = self.session.doc_id
        if any(getattr(c, "document_id", None) == doc_id for c in changes):
            view = self.engine.view(doc_id) if self.engine is not None and doc_id is not None else None
            if view is not None:
                self._set_proposals(view)

    def proposals_between(self, start: int, end: int) -> list[Proposal]:
        """The open document's proposals that overlap [start, end) (for drawing)."""
        if not self.proposals:
            return []
        longest = max((p.end - p.start for p in self.proposals), default=0)
        i = bisect_left(self._starts, start - longest)
        found = []
        for proposal in self.proposals[i:]:
            if proposal.start >= end:
                break
            if proposal.end > start:
                found.append(proposal)
        return found

    def proposals_at(self, offset: int) -> list[Proposal]:
        return [p for p in self.proposals_between(offset, offset + 1) if p.start <= offset < p.end]

    # -- spans changed (by hand, by accepting, by undo, by another program) -------------------

    def _spans_added(self, spans: list[Span]) -> None:
        if self.engine is None:
            return
        changes = [c for span in spans for c in self.engine.span_added(span)]
        self._after_edit(changes, any(s.source for s in spans))

    def _spans_removed(self, spans: list[Span]) -> None:
        if self.engine is None:
            return
        changes = [c for span in spans for c in self.engine.span_removed(span)]
        self._after_edit(changes, any(s.source for s in spans))

    def _spans_changed(self, old: list[Span], new: list[Span]) -> None:
        if self.engine is None:
            return
        changes = [c for a, b in zip(old, new, strict=True) for c in self.engine.span_changed(a, b)]
        self._after_edit(changes, False)

    def _after_edit(self, changes: list[object], tallies: bool) -> None:
        self._apply_changes(changes)
        if tallies:
            self.tallies_changed.emit()

    # -- walking and deciding -----------------------------------------------------------------

    def set_current(self, proposal: Proposal | None) -> None:
        if proposal != self.current:
            self.current = proposal
            self.proposals_changed.emit()

    def step(self, delta: int, offset: int) -> Proposal | None:
        """The next (previous) proposal after the current one, else after ``offset``; wraps."""
        if not self.proposals:
            return None
        if self.current is not None and self.current in self.proposals:
            i = (self.proposals.index(self.current) + delta) % len(self.proposals)
        elif delta > 0:
            i = bisect_left(self._starts, offset) % len(self.proposals)
        else:
            i = (bisect_left(self._starts, offset) - 1) % len(self.proposals)
        self.set_current(self.proposals[i])
        return self.current

    def _following(self, proposal: Proposal) -> Proposal | None:
        """Where to go on after deciding ``proposal``: the first proposal after its place."""
        if not self.proposals:
            return None
        i = bisect_left(self._starts, proposal.start)
        after = [p for p in self.proposals[i:] if BY_PLACE(p) > BY_PLACE(proposal)]
        return after[0] if after else self.proposals[0]

    def accept(self, proposal: Proposal, label: str | None = None) -> Span | None:
        """Into the layer with its label (or ``label``), recording its source; one undo step."""
        chosen = label or proposal.label
        span = self.session.create_span(proposal.start, proposal.end, chosen, source=proposal.source)
        if span is not None:
            self.set_current(self._following(proposal))
            self.message.emit(f"Accepted {chosen} “{one_line(proposal.text_in(self.session.text), 40)}”")
        return span

    def accept_all(self, source: str) -> list[Span]:
        """Every proposal of ``source`` in the open document, in one undo step."""
        chosen = [p for p in self.proposals if p.source == source]
        if not chosen:
            self.message.emit(f"No proposals from {source} in this document")
            return []
        spans = self.session.create_proposed(
            [(p.start, p.end, p.label, p.source) for p in chosen],
            f"Accept {len(chosen)} proposal(s) from {source}",
        )
        if spans:
            self.set_current(self.proposals[0] if self.proposals else None)
            self.message.emit(f"Accepted {len(spans)} proposal(s) from {source}")
        return spans

    def reject(self, proposal: Proposal) -> bool:
        """Never proposed again on this document to this annotator (stored); one undo step."""
        doc_id = self.session.doc_id
        stack = self.session.undo_stack
        if doc_id is None or stack is None or proposal.document_id != doc_id:
            return False
        following = self._following(proposal)
        if not self._reject(proposal):
            return False
        if following == proposal:
            following = None
        self.set_current(following if following in self.proposals else self._following(proposal))
        excerpt = one_line(proposal.text_in(self.session.text), 24)
        stack.push(
            StepCommand(
                f"Reject {proposal.label} “{excerpt}”",
                lambda: self._reject(proposal),
                lambda: self._unreject(proposal),
                lambda: stack,
            )
        )
        self.message.emit(f"Rejected {proposal.label} “{excerpt}” (not proposed here again)")
        return True

    def _reject(self, proposal: Proposal) -> bool:
        engine = self.engine
        if engine is None:
            return False
        changes = self.session.write(lambda: engine.reject(proposal))
        if changes is None:
            return False
        self._apply_changes(changes)
        self.tallies_changed.emit()
        return True

    def _unreject(self, proposal: Proposal) -> bool:
        engine = self.engine
        if engine is None:
            return False
        changes = self.session.write(lambda: engine.unreject(proposal))
        if changes is None:
            return False
        self._apply_changes(changes)
        if proposal in self.proposals:
            self.set_current(proposal)
        self.tallies_changed.emit()
        return True

    # -- training -----------------------------------------------------------------------------

    @property
    def training(self) -> bool:
        return self.job is not None

    def _training_documents(self):
        from annotator.core.suggest.training import collect

        return collect(self.project, self.annotator, self.project.labels().names)

    def train(self, *, automatic: bool = False) -> bool:
        """Start training the model on the annotator's done documents (in a child process at low
        priority); False, with a message, when it cannot start."""
        if self.job is not None:
            return False
        from annotator.core.suggest.training import TrainingJob, TrainingSettings

        folder = self.models_folder()
        if folder is None:
            self.message.emit("An in-memory project has no folder for models")
            return False
        try:
            iterations = max(1, int(self.option("iterations", "15")))
        except ValueError:
            iterations = 15
        settings = TrainingSettings(
            layer=self.annotator,
            labels=tuple(self.project.labels().names),
            threshold=self.threshold,
            iterations=iterations,
        )
        try:
            self.job = TrainingJob.start(self._training_documents(), settings, folder)
        except AnnotatorError as exc:
            if not automatic:
                self._training("error", 0, 0, str(exc))
            return False
        self._training(
            "running", 0, 0, "retraining: enough new documents are done" if automatic else "starting"
        )
        self._timer.start()
        return True

    def cancel_training(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._training("running", *self.training_state[1:3], "cancelling…")

    def _training(self, state: str, step: int, total: int, message: str) -> None:
        self.training_state = (state, step, total, message)
        self.training_changed.emit(state, step, total, message)

    def _poll_training(self) -> None:
        job = self.job
        if job is None:
            self._timer.stop()
            return
        for event in job.poll():
            if event.kind == "progress":
                loss = f", loss {event.loss:.1f}" if event.loss is not None else ""
                self._training(
                    "running", event.step, event.total, f"pass {event.step} of {event.total}{loss}"
                )
            elif event.kind in ("started", "evaluated"):
                self._training("running", *self.training_state[1:3], event.message or event.kind)
            elif event.kind in ("done", "error", "cancelled"):
                self._timer.stop()
                job.close()
                self.job = None
                if event.kind == "done":
                    self._training("done", 1, 1, event.message or "trained")
                    self.rebuild()  # propose from the new model
                else:
                    text = event.message or (
                        "cancelled: the previous model stays" if event.kind == "cancelled" else "failed"
                    )
                    self._training(event.kind, 0, 0, text)
                return

    def _status_changed(self, doc_id: str) -> None:
        """A document was marked done: retrain when enough new ones are (the setting)."""
        status = self.project.status(doc_id, self.annotator)
        before = self._statuses.get(doc_id)
        self._statuses[doc_id] = status
        if status is not Status.DONE or before is Status.DONE:
            return  # not newly done (span edits report the status too)
        every = self.retrain_every
        if not every or self.job is not None or self.project.path is None:
            return
        folder = self.models_folder()
        if folder is None:
            return
        from annotator.core.suggest.spacy_support import spacy_available
        from annotator.core.suggest.training import retrain_due

        if not spacy_available():
            return
        try:
            documents = self._training_documents()
            due = retrain_due(folder, documents, every)
        except AnnotatorError:
            return
        if due:
            self.train(automatic=True)

    def shutdown(self) -> None:
        """The window closes: stop the worker and any training (the previous model stays)."""
        if self.job is not None:
            self._timer.stop()
            self.job.close()
            self.job = None
        self.worker.stop()


__all__ = ["PredictionWorker", "SourceState", "SuggestionController", "parse_mapping"]
