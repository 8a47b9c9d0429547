"""A model trained on the corpus: ``annotator train`` and the window's background training.

What happens, in order:

1. :func:`collect` gathers the documents an annotator marked done (or every document the gold
   layer covers) with their spans; too few, and :class:`TrainingError` says how many more it needs.
2. :class:`TrainingJob` writes them to a file and starts a child Python at low priority
   (``nice``) that runs :func:`train_and_save` and reports progress as JSON lines on its stdout;
   the caller reads :class:`TrainingEvent` objects from it and may cancel it at any time.
3. The child holds out part of the documents (``held_out``), trains a spaCy pipeline on the rest
   — a **span categorizer** where spans of one document overlap or nest (NER cannot represent
   that), **NER** where they do not (it learns faster from few examples) — evaluates it on the
   held-out documents (exact-match P/R/F1 per label) and writes it into a models folder.
4. A models folder holds versions side by side and a ``current.json`` naming the one in use. A
   new version is written under a temporary name, renamed into place, and only then is
   ``current.json`` replaced (atomically), so a training that crashes or is killed at any point
   leaves the previous model in use.

Only labels whose held-out F1 reaches the threshold get proposals (as INCEpTION shows a
recommender's suggestions only when its evaluation is good enough).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD_LAYER, Status
from annotator.core.store import Project
from annotator.core.suggest.evaluation import LabelScore, format_scores, score_spans
from annotator.core.suggest.spacy_model import SPANS_KEY, PipelineError, PipelineSource, load_pipeline
from annotator.core.suggest.spacy_support import require_spacy

#: Documents needed before training starts (some to learn from, some to evaluate on).
MIN_DOCUMENTS = 10
#: Share of the documents held out for evaluation (at least one document).
HELD_OUT = 0.2
#: Training passes over the documents.
ITERATIONS = 15
#: Held-out F1 a label needs before the model proposes it.
THRESHOLD = 0.5
#: The longest span, in tokens, a span categorizer considers (longer spans are not learned).
MAX_SPAN_TOKENS = 24
#: The file in a models folder that names the version in use.
CURRENT = "current.json"
#: The file in each model version that describes it.
MODEL_META = "annotator-model.json"
#: Format of :data:`MODEL_META`.
MODEL_FORMAT = 1


class TrainingError(AnnotatorError):
    """Training cannot start or did not finish; the previous model is still in place."""


class TrainingCancelled(TrainingError):
    def __init__(self) -> None:
        super().__init__("training cancelled; the previous model is still in place")


@dataclass(frozen=True)
class TrainingDocument:
    id: str
    text: str
    spans: list[tuple[int, int, str]]


@dataclass(frozen=True)
class TrainingSettings:
    """How to train; the defaults suit a few dozen to a few hundred news articles."""

    layer: str
    labels: tuple[str, ...]
    lang: str = "en"
    iterations: int = ITERATIONS
    held_out: float = HELD_OUT
    seed: int = 0
    threshold: float = THRESHOLD
    component: str = "auto"  # auto, ner or spancat
    min_documents: int = MIN_DOCUMENTS
    threads: int = 1


@dataclass(frozen=True)
class TrainingEvent:
    """One line of the training protocol: ``kind`` is started, progress, evaluated, done, error
    or cancelled; progress has ``step``/``total``/``loss``."""

    kind: str
    step: int = 0
    total: int = 0
    loss: float | None = None
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_line(cls, line: str) -> TrainingEvent:
        return cls(**json.loads(line))


# -- the training data ------------------------------------------------------------------------


def collect(project: Project, layer: str, labels: Sequence[str] | None = None) -> list[TrainingDocument]:
    """The documents ``layer`` marked done (gold: every document it covers), with their spans."""
    known = project.annotators()
    if layer not in known:
        raise TrainingError(
            f"no annotator named {layer!r} in this project (annotators: {', '.join(known) or 'none yet'})"
        )
    wanted = set(labels) if labels is not None else None
    documents = []
    for summary in project.summaries():
        if layer == GOLD_LAYER:
            if layer not in summary.status and layer not in summary.span_counts:
                continue
        elif summary.status_for(layer) is not Status.DONE:
            continue
        text = project.document_text(summary.id)
        spans = [s.key for s in project.spans(summary.id, layer) if wanted is None or s.label in wanted]
        documents.append(TrainingDocument(summary.id, text, spans))
    return documents


def data_hash(documents: Sequence[TrainingDocument]) -> str:
    """SHA-256 of the training data (ids, texts, spans), independent of order."""
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.id):
        digest.update(json.dumps([doc.id, doc.text, sorted(doc.spans)], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def check_enough(documents: Sequence[TrainingDocument], settings: TrainingSettings) -> None:
    have = len(documents)
    need = max(settings.min_documents, 2)
    if have < need:
        what = (
            "documents covered by the gold layer"
            if settings.layer == GOLD_LAYER
            else f"documents marked done by {settings.layer}"
        )
        raise TrainingError(
            f"training needs at least {need} {what}; there {'is' if have == 1 else 'are'} {have} "
            f"({need - have} more needed)"
        )
    if not any(doc.spans for doc in documents):
        raise TrainingError(f"the {have} documents of {settings.layer} have no spans to learn from")


def split(
    documents: Sequence[TrainingDocument], held_out: float, seed: int
) -> tuple[list[TrainingDocument], list[TrainingDocument]]:
    """(train, held out): a deterministic shuffle by ``seed``, at least one document each."""
    ordered = sorted(documents, key=lambda d: d.id)
    random.Random(seed).shuffle(ordered)
    n_held = min(max(1, round(len(ordered) * held_out)), len(ordered) - 1)
    return ordered[n_held:], ordered[:n_held]


def overlapping(documents: Sequence[TrainingDocument]) -> bool:
    """Whether any two spans of one document overlap or nest (then NER cannot hold them)."""
    for doc in documents:
        end = -1
        for start, stop, _ in sorted(doc.spans):
            if start < end:
                return True
            end = max(end, stop)
    return False


def choose_component(documents: Sequence[TrainingDocument], wanted: str = "auto") -> str:
    if wanted in ("ner", "spancat"):
        return wanted
    if wanted != "auto":
        raise TrainingError(f"unknown component {wanted!r} (use auto, ner or spancat)")
    return "spancat" if overlapping(documents) else "ner"


# -- training and evaluating (in the child process) -------------------------------------------


def _reference(nlp: Any, doc: TrainingDocument, component: str) -> tuple[Any, int]:
    """spaCy's gold Doc of ``doc`` and how many spans did not fall on token boundaries."""
    from spacy.util import filter_spans

    ref = nlp.make_doc(doc.text)
    spans, moved = [], 0
    for start, end, label in doc.spans:
        span = ref.char_span(start, end, label=label)
        if span is None:
            moved += 1
            span = ref.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    if component == "ner":
        ref.ents = filter_spans(spans)
    else:
        ref.spans[SPANS_KEY] = spans
    return ref, moved


def _new_pipeline(component: str, settings: TrainingSettings, documents: Sequence[TrainingDocument]) -> Any:
    spacy = require_spacy("training a model")
    nlp = spacy.blank(settings.lang)
    if component == "ner":
        nlp.add_pipe("ner")
    else:
        longest = 1
        for doc in documents:
            tokens = nlp.make_doc(doc.text)
            for start, end, _ in doc.spans:
                span = tokens.char_span(start, end, alignment_mode="expand")
                if span is not None:
                    longest = max(longest, len(span))
        nlp.add_pipe(
            "spancat",
            config={
                "spans_key": SPANS_KEY,
                "threshold": 0.5,
                "suggester": {
                    "@misc": "spacy.ngram_range_suggester.v1",
                    "min_size": 1,
                    "max_size": min(longest, MAX_SPAN_TOKENS),
                },
            },
        )
    return nlp


def predict(nlp: Any, text: str) -> list[tuple[int, int, str]]:
    doc = nlp(text)
    found = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
    if SPANS_KEY in doc.spans:
        found |= {(s.start_char, s.end_char, s.label_) for s in doc.spans[SPANS_KEY]}
    return sorted(found)


def evaluate(
    nlp: Any, documents: Sequence[TrainingDocument], labels: Sequence[str]
) -> tuple[dict[str, LabelScore], LabelScore]:
    return score_spans(((doc.spans, predict(nlp, doc.text)) for doc in documents), labels)


def train_pipeline(
    documents: Sequence[TrainingDocument],
    settings: TrainingSettings,
    progress: Callable[[TrainingEvent], None] = lambda event: None,
) -> tuple[Any, dict[str, Any]]:
    """Train on part of ``documents``, evaluate on the rest; (pipeline, metadata without paths)."""
    require_spacy("training a model")
    from spacy.training import Example

    spacy_util: Any = importlib.import_module("spacy.util")

    check_enough(documents, settings)
    component = choose_component(documents, settings.component)
    train, held = split(documents, settings.held_out, settings.seed)
    spacy_util.fix_random_seed(settings.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spaCy warns about unaligned or empty examples: counted below
        nlp = _new_pipeline(component, settings, train)
        examples, moved = [], 0
        for doc in train:
            ref, n = _reference(nlp, doc, component)
            moved += n
            examples.append(Example(nlp.make_doc(doc.text), ref))
        optimizer = nlp.initialize(lambda: examples)
        rng = random.Random(settings.seed)
        batches = -(-len(examples) // 8)
        total = settings.iterations * batches
        step = 0
        progress(
            TrainingEvent(
                "started", 0, total, message=component, data={"train": len(train), "held_out": len(held)}
            )
        )
        for _ in range(settings.iterations):
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in spacy_util.minibatch(examples, size=8):
                nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
                step += 1
                progress(TrainingEvent("progress", step, total, loss=round(float(sum(losses.values())), 4)))
        per_label, overall = evaluate(nlp, held, settings.labels)
    withheld = [
        name
        for name, score in per_label.items()
        if name in settings.labels and (score.f1 or 0.0) < settings.threshold
    ]
    meta = {
        "format": MODEL_FORMAT,
        "component": component,
        "layer": settings.layer,
        "labels": list(settings.labels),
        "lang": settings.lang,
        "spacy_version": require_spacy("training").about.__version__,
        "training_data_sha256": data_hash(documents),
        "documents": {"train": len(train), "held_out": len(held), "held_out_ids": [d.id for d in held]},
        "spans_off_token_boundaries": moved,
        "iterations": settings.iterations,
        "seed": settings.seed,
        "threshold": settings.threshold,
        "scores": {
            "per_label": {name: score.to_json() for name, score in per_label.items()},
            "overall": overall.to_json(),
        },
        "withheld_labels": withheld,
    }
    progress(TrainingEvent("evaluated", step, total, data={"scores": meta["scores"], "withheld": withheld}))
    return nlp, meta


# -- the models folder ------------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _remove_stale(folder: Path) -> None:
    """Half-written versions of trainings that were killed (their process is gone)."""
    for partial in folder.glob(".partial-*"):
        pid = partial.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(partial, ignore_errors=True)


def save_model(folder: Path, nlp: Any, meta: dict[str, Any], *, keep: int = 2) -> Path:
    """Write a new version into ``folder`` and make it current; returns the version's folder.

    The version is written under ``.partial-PID``, renamed to its name, and only then named in
    ``current.json`` (written beside and renamed over the old one): a crash at any point leaves
    the previous version in use. The ``keep`` newest versions stay; older ones are removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    created = datetime.now(timezone.utc)
    version = f"{created:%Y%m%dT%H%M%S}Z-{meta['training_data_sha256'][:8]}"
    meta = {**meta, "name": folder.name, "version": version, "created": created.isoformat(timespec="seconds")}
    partial = folder / f".partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    nlp.meta["name"] = "annotator_model"
    nlp.meta["version"] = "0.0.0"
    nlp.meta["description"] = f"Annotator model trained on {meta['layer']}'s spans ({version})"
    nlp.to_disk(partial)
    (partial / MODEL_META).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    target = folder / version
    if target.exists():
        shutil.rmtree(target)
    os.replace(partial, target)
    pointer = folder / f".{CURRENT}.{os.getpid()}"
    pointer.write_text(json.dumps({"version": version}) + "\n", encoding="utf-8")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, folder / CURRENT)
    versions = sorted(p for p in folder.iterdir() if p.is_dir() and (p / MODEL_META).is_file())
    for old in versions[:-keep]:
        if old.name != version:
            shutil.rmtree(old, ignore_errors=True)
    return target


def current_version(folder: Path) -> Path:
    """The version folder a models folder uses (or ``folder`` itself if it is one version)."""
    if (folder / MODEL_META).is_file():
        return folder
    pointer = folder / CURRENT
    if not folder.is_dir():
        raise PipelineError(f"{folder}: no such models folder (train one with: annotator train -o {folder})")
    if not pointer.is_file():
        raise PipelineError(
            f"{folder}: not an Annotator models folder (no {CURRENT}); for any other spaCy pipeline use "
            "--source spacy"
        )
    try:
        version = json.loads(pointer.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{pointer}: unreadable ({exc})") from None
    path = folder / str(version)
    if not (path / MODEL_META).is_file():
        raise PipelineError(f"{folder}: {CURRENT} names version {version!r}, which is missing")
    return path


@dataclass
class TrainedModel:
    """A model ``annotator train`` made, ready to propose (labels below the threshold withheld)."""

    path: Path
    meta: dict[str, Any]
    source: PipelineSource

    @property
    def scores(self) -> tuple[dict[str, LabelScore], LabelScore]:
        data = self.meta["scores"]
        per_label = {name: LabelScore.from_json(name, s) for name, s in data["per_label"].items()}
        return per_label, LabelScore.from_json("overall", data["overall"])

    def describe(self) -> str:
        per_label, overall = self.scores
        docs = self.meta["documents"]
        return (
            f"model {self.meta['name']} version {self.meta['version']} ({self.meta['component']}, spaCy "
            f"{self.meta['spacy_version']}), trained {self.meta['created']} on {docs['train']} "
            "document(s) of "
            f"{self.meta['layer']}, evaluated on {docs['held_out']} held out:\n"
            + format_scores(per_label, overall, self.source.withheld)
        )


def open_model(folder: str | Path, labels: Sequence[str], *, threshold: float | None = None) -> TrainedModel:
    """The current version of a models folder as a proposal source; clear errors otherwise."""
    path = current_version(Path(folder))
    try:
        meta = json.loads((path / MODEL_META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(f"{path / MODEL_META}: unreadable ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise PipelineError(
            f"{path}: a model of another Annotator version (format {meta.get('format')!r}); retrain it"
        )
    trained_for = [str(label) for label in meta.get("labels", [])]
    mine = [label for label in trained_for if label in labels]
    if not mine:
        raise PipelineError(
            f"{path}: trained for the labels {', '.join(trained_for)}; this project has {', '.join(labels)}"
        )
    version = str(meta.get("version", path.name))
    source = PipelineSource.open(
        path,
        labels,
        {label: label for label in mine},
        source=f"model:{meta.get('name', path.parent.name)}@{version}",
    )
    limit = meta.get("threshold", THRESHOLD) if threshold is None else threshold
    per_label = meta["scores"]["per_label"]
    source.withheld = [label for label in mine if (per_label.get(label, {}).get("f1") or 0.0) < limit]
    return TrainedModel(path, meta, source)


#: The window retrains once this many more documents are done than the model learned from.
RETRAIN_EVERY = 10


def retrain_due(folder: Path, documents: Sequence[TrainingDocument], every: int = RETRAIN_EVERY) -> bool:
    """Whether a window should retrain: no usable model yet (and enough documents), or ``every``
    more documents done than the current model saw."""
    try:
        meta = json.loads((current_version(folder) / MODEL_META).read_text(encoding="utf-8"))
        seen = int(meta["documents"]["train"]) + int(meta["documents"]["held_out"])
    except (PipelineError, OSError, ValueError, KeyError, TypeError):
        return len(documents) >= MIN_DOCUMENTS
    return len(documents) - seen >= every


def train_and_save(
    documents: Sequence[TrainingDocument],
    settings: TrainingSettings,
    folder: Path,
    progress: Callable[[TrainingEvent], None] = lambda event: None,
) -> Path:
    nlp, meta = train_pipeline(documents, settings, progress)
    return save_model(folder, nlp, meta)


# -- the background process -------------------------------------------------------------------


def default_models_folder(project: Project, layer: str) -> Path:
    """``NAME.db.models/LAYER`` beside the project file."""
    if project.path is None:
        raise TrainingError("an in-memory project has no folder for models: give one with -o DIR")
    return project.path.with_name(f"{project.path.name}.models") / layer


class TrainingJob:
    """Training in a child process at low priority, with progress events and cancel.

    The GUI starts it, calls :meth:`poll` from a timer (never blocks) and :meth:`cancel` when the
    user asks; the CLI iterates :meth:`events`. The project is not touched by the child: it reads
    the training data from a file the parent wrote.
    """

    def __init__(self, process: subprocess.Popen[str], workdir: Path, folder: Path) -> None:
        self.process = process
        self.folder = folder
        self._workdir = workdir
        self._events: queue.Queue[TrainingEvent | None] = queue.Queue()
        self._stderr: list[str] = []
        self.result: Path | None = None
        self.final: TrainingEvent | None = None
        self._reader = threading.Thread(target=self._read, name="training-events", daemon=True)
        self._reader.start()
        self._errors = threading.Thread(target=self._read_errors, name="training-stderr", daemon=True)
        self._errors.start()

    @classmethod
    def start(
        cls,
        documents: Sequence[TrainingDocument],
        settings: TrainingSettings,
        folder: Path,
        *,
        nice: int = 10,
    ) -> TrainingJob:
        """Check there is enough to learn from, then start the child; it runs at ``nice``."""
        require_spacy("training a model")
        check_enough(documents, settings)
        choose_component(documents, settings.component)
        workdir = Path(tempfile.mkdtemp(prefix="annotator-train-"))
        request = {
            "documents": [asdict(doc) for doc in documents],
            "settings": asdict(settings),
            "folder": str(folder),
            "nice": nice,
        }
        (workdir / "request.json").write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
        env = dict(os.environ)
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(settings.threads)
        process = subprocess.Popen(
            [sys.executable, "-m", "annotator.core.suggest.worker", str(workdir / "request.json")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
        )
        return cls(process, workdir, folder)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                self._events.put(TrainingEvent.from_line(line))
            except (ValueError, TypeError):
                self._stderr.append(line)
        self._events.put(None)

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line.rstrip("\n"))

    @property
    def running(self) -> bool:
        return self.final is None

    def poll(self) -> list[TrainingEvent]:
        """The events that arrived since the last call (never blocks)."""
        found: list[TrainingEvent] = []
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return found
            found.extend(self._take(event))

    def events(self, timeout: float | None = None) -> Iterator[TrainingEvent]:
        """Every event until the job ends (the last is done, error or cancelled)."""
        while self.final is None:
            try:
                event = self._events.get(timeout=timeout)
            except queue.Empty:
                return
            yield from self._take(event)

    def _take(self, event: TrainingEvent | None) -> list[TrainingEvent]:
        if event is None:
            self.process.wait()
            if self.final is None:
                self._errors.join(timeout=5)
                tail = (
                    " ".join(" ".join(self._stderr[-3:]).split()) or f"exit status {self.process.returncode}"
                )
                self.final = TrainingEvent(
                    "error",
                    message=f"the training process ended unexpectedly ({tail}); "
                    "the previous model is still in place",
                )
                self._cleanup()
                return [self.final]
            self._cleanup()
            return []
        if event.kind in ("done", "error", "cancelled"):
            self.final = event
            if event.kind == "done":
                self.result = Path(event.message)
            try:
                self.process.wait(timeout=60)  # it exits right after its last line
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._cleanup()
        return [event]

    def close(self) -> None:
        """Cancel if still running and wait for the child to end (a window closing)."""
        if self.final is None:
            self.cancel()
            self.wait(timeout=60)

    def cancel(self) -> None:
        """Ask the child to stop; it removes its half-written model and reports ``cancelled``."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float | None = None) -> TrainingEvent:
        """Block until the job ends; its last event."""
        for _ in self.events(timeout):
            pass
        if self.final is None:
            raise TrainingError("the training did not finish in time")
        return self.final

    def _cleanup(self) -> None:
        self._reader.join(timeout=5)
        self._errors.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        shutil.rmtree(self._workdir, ignore_errors=True)


def run_request(request_path: Path, emit: Callable[[TrainingEvent], None]) -> int:
    """The child's work: read the request, train, save, report (see :mod:`.worker`)."""
    request = json.loads(request_path.read_text(encoding="utf-8"))
    nice = int(request.get("nice", 0))
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    settings_data = request["settings"]
    settings_data["labels"] = tuple(settings_data["labels"])
    settings = TrainingSettings(**settings_data)
    documents = [
        TrainingDocument(d["id"], d["text"], [(int(s[0]), int(s[1]), str(s[2])) for s in d["spans"]])
        for d in request["documents"]
    ]
    folder = Path(request["folder"])
    stop = threading.Event()

    def on_term(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)

    def progress(event: TrainingEvent) -> None:
        if stop.is_set():
            raise TrainingCancelled
        emit(event)

    try:
        path = train_and_save(documents, settings, folder, progress)
    except TrainingCancelled as exc:
        shutil.rmtree(folder / f".partial-{os.getpid()}", ignore_errors=True)
        emit(TrainingEvent("cancelled", message=str(exc)))
        return 1
    except AnnotatorError as exc:
        emit(TrainingEvent("error", message=str(exc)))
        return 1
    except OSError as exc:
        shutil.rmtree(folder / f".partial-{os.getpid()}", ignore_errors=True)
        emit(
            TrainingEvent(
                "error",
                message=f"{folder}: cannot write the model ({exc}); the previous model is still in place",
            )
        )
        return 1
    emit(TrainingEvent("done", message=str(path)))
    return 0


__all__ = [
    "MIN_DOCUMENTS",
    "TrainedModel",
    "TrainingCancelled",
    "TrainingDocument",
    "TrainingError",
    "TrainingEvent",
    "TrainingJob",
    "TrainingSettings",
    "check_enough",
    "choose_component",
    "collect",
    "current_version",
    "data_hash",
    "default_models_folder",
    "evaluate",
    "load_pipeline",
    "open_model",
    "retrain_due",
    "save_model",
    "split",
    "train_and_save",
    "train_pipeline",
]
