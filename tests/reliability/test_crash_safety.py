"""Crash safety, proven with SIGKILL: nothing acknowledged is ever lost, nothing is ever half done.

Each campaign creates a project, then many times: starts ``tests/reliability/crash_worker.py``
on it (real annotation work: span edits through the window's session and undo commands,
adjudication into gold, multi-MB imports, exports; or the real window offscreen; or the CLI),
reads its ``BEGIN``/``ACK`` lines, and kills it with SIGKILL at a random moment (a share of
kills aimed at random offsets inside an import or an export). After every kill:

- the project opens with ``Project.open``; ``PRAGMA integrity_check`` is ``ok`` and
  ``PRAGMA foreign_key_check`` finds nothing;
- its content (documents, annotators, every span with id, label, offsets and note, every status,
  every adjudication record, the labels) equals the state modelled from the acknowledged actions,
  or that state plus the one in-flight action (its commit may have landed just before the kill);
  anything else counts as lost;
- no import is half done: a corpus file's documents are all there or none;
- every export target is the last acknowledged file byte for byte, or (an export was in flight)
  a complete new export, equal to a fresh export of the recovered project, that imports cleanly;
  a staging file is left only by an export that was killed, and the next export to that target
  removes it.

The worker then continues on the same project. Figures are printed as one line per campaign.

Normal run: ``python3 dev.py test tests/reliability``; long runs (hundreds of kills):
``python3 dev.py test -m stress tests/reliability``. ``CRASH_SEED=N`` replays a campaign's seed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.model import GOLD_LAYER, content_hash, default_label_set
from annotator.core.store import Project
from tests.reliability import crash_worker as worker

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"
)

ROOT = Path(__file__).resolve().parents[2]

Key = tuple[int, int, str]


# -- the expected state ------------------------------------------------------------------------


class ModelError(AssertionError):
    """The worker's reports contradict the model: a bug in the worker, the model or the project."""


@dataclass
class State:
    """What a project holds, as far as these tests care (timestamps aside)."""

    docs: dict[str, str] = field(default_factory=dict)  # id -> sha256
    annotators: set[str] = field(default_factory=set)
    layers: dict[tuple[str, str], dict[Key, list[Any]]] = field(default_factory=dict)  # [id | None, note]
    status: dict[tuple[str, str], str] = field(default_factory=dict)
    adjudications: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)
    labels: tuple[tuple[str, str, str | None], ...] = ()

    def copy(self) -> State:
        return State(
            dict(self.docs),
            set(self.annotators),
            {k: {key: list(v) for key, v in layer.items()} for k, layer in self.layers.items()},
            dict(self.status),
            dict(self.adjudications),
            self.labels,
        )

    def layer(self, doc: str, ann: str) -> dict[Key, list[Any]]:
        return self.layers.setdefault((doc, ann), {})

    def span_count(self) -> int:
        return sum(len(layer) for layer in self.layers.values())


def read_state(project: Project) -> State:
    db = project.db
    state = State()
    state.docs = dict(db.execute("SELECT id, sha256 FROM documents").fetchall())
    state.annotators = {row[0] for row in db.execute("SELECT name FROM annotators")}
    for doc, ann, start, end, label, span_id, note in db.execute(
        'SELECT document_id, annotator, start, "end", label, id, note FROM spans'
    ):
        state.layer(doc, ann)[(start, end, label)] = [span_id, note]
    state.status = {
        (doc, ann): st for doc, ann, st in db.execute("SELECT document_id, annotator, status FROM status")
    }
    for row in db.execute(
        'SELECT document_id, a, b, a_span, b_span, start, "end", kind, decision, result FROM adjudications'
    ):
        doc, a, b, a_span, b_span, start, end, kind, decision, result = row
        key = (doc, a, b, _span_key(a_span), _span_key(b_span))
        state.adjudications[key] = (decision, tuple(tuple(s) for s in json.loads(result)), start, end, kind)
    state.labels = tuple((label.name, label.color, label.hotkey) for label in project.labels())
    return state


def _span_key(raw: str) -> Key | None:
    if not raw:
        return None
    start, end, label = json.loads(raw)
    return (int(start), int(end), str(label))


def _key(value: Any) -> Key | None:
    return None if value is None else (int(value[0]), int(value[1]), str(value[2]))


class Corpus:
    """The corpus files' records, as the model needs them (regenerated, not parsed)."""

    def __init__(self, folder: Path, files: int, docs: int, spans_per_doc: int) -> None:
        self.folder = folder
        self.files = files
        self.docs = docs
        self.spans_per_doc = spans_per_doc
        self._cache: dict[str, list[tuple[str, str, str, str, list[tuple[Key, str | None]]]]] = {}

    def records(self, name: str) -> list[tuple[str, str, str, str, list[tuple[Key, str | None]]]]:
        found = self._cache.get(name)
        if found is None:
            k = int(name.split("-")[1].split(".")[0])
            found = [
                (
                    r["id"],
                    content_hash(r["text"]),
                    r["annotator"],
                    r["status"],
                    [((s["start"], s["end"], s["label"]), s.get("note")) for s in r["spans"]],
                )
                for r in worker.corpus_records(k, self.docs, self.spans_per_doc)
            ]
            self._cache[name] = found
        return found


def _touch(state: State, doc: str, ann: str) -> None:
    """A new span moves its layer from todo (or no status) to in progress."""
    if state.status.get((doc, ann), "todo") == "todo":
        state.status[(doc, ann)] = "in_progress"


def _put(state: State, row: list[Any]) -> None:
    span_id, doc, ann, start, end, label, note = row
    state.annotators.add(ann)
    state.layer(doc, ann)[(start, end, label)] = [span_id, note]
    _touch(state, doc, ann)


def _remove(state: State, row: list[Any], *, strict: bool = True) -> None:
    span_id, doc, ann, start, end, label, _note = row
    layer = state.layers.get((doc, ann), {})
    found = layer.get((start, end, label))
    if found is None or found[0] not in (None, span_id):
        if strict:
            raise ModelError(f"the worker changed a span the model does not have: {row}")
        return
    del layer[(start, end, label)]


def _check_same(what: str, predicted: list[Key], reported: list[list[Any]]) -> None:
    keys = sorted((r[3], r[4], r[5]) for r in reported)
    if sorted(predicted) != keys:
        raise ModelError(f"{what}: predicted {sorted(predicted)}, the worker reported {keys}")


def apply(state: State, op: dict[str, Any], ack: dict[str, Any] | None, corpus: Corpus) -> None:
    """Change ``state`` as ``op`` does; ``ack`` (None for the in-flight action) adds new ids."""
    kind = op["op"]
    if kind == "add":
        span_id = ack["id"] if ack else None
        _put(state, [span_id, op["doc"], op["ann"], op["start"], op["end"], op["label"], op["note"]])
    elif kind == "add_many":
        layer = state.layer(op["doc"], op["ann"])
        ids = ack["ids"] if ack else {}
        for start, end in op["ranges"]:
            if (start, end, op["label"]) not in layer:
                _put(state, [ids.get(f"{start},{end}"), op["doc"], op["ann"], start, end, op["label"], None])
    elif kind == "delete":
        for row in op["spans"]:
            _remove(state, row)
    elif kind == "restore":
        for row in op["spans"]:
            _put(state, row)
    elif kind == "set":
        for row in op["old"]:
            _remove(state, row)
        for row in (ack or op)["new"]:
            span_id, doc, ann, start, end, label, note = row
            state.layer(doc, ann)[(start, end, label)] = [span_id, note]
    elif kind == "status":
        state.annotators.add(op["ann"])
        state.status[(op["doc"], op["ann"])] = op["status"]
    elif kind == "annotator":
        state.annotators.add(op["name"])
    elif kind == "documents":
        for doc_id, sha in op["docs"]:
            state.docs.setdefault(doc_id, sha)
    elif kind == "resolve":
        _apply_resolve(state, op, ack)
    elif kind == "revert":
        for row in op["added"]:
            _remove(state, row, strict=False)
        for row in op["removed"]:
            _put(state, row)
        if op["key"] is not None:
            doc, a, b, a_span, b_span = op["key"]
            key = (doc, a, b, _key(a_span), _key(b_span))
            state.adjudications.pop(key, None)
            previous = op["previous"]
            if previous is not None:
                state.adjudications[key] = (
                    previous["decision"],
                    tuple(tuple(s) for s in previous["result"]),
                    previous["start"],
                    previous["end"],
                    previous["kind"],
                )
    elif kind == "agreed":
        gold = state.layer(op["doc"], GOLD_LAYER)
        agreed = sorted(set(state.layer(op["doc"], op["a"])) & set(state.layer(op["doc"], op["b"])))
        wanted = [key for key in agreed if key not in gold]
        if ack is not None:
            _check_same("accept all agreed", wanted, ack["added"])
        ids = {(r[3], r[4], r[5]): r[0] for r in ack["added"]} if ack else {}
        for key in wanted:
            _put(state, [ids.get(key), op["doc"], GOLD_LAYER, *key, None])
    elif kind == "import":
        if op.get("fails"):
            return
        for doc_id, sha, ann, status, spans in corpus.records(op["file"]):
            if state.docs.setdefault(doc_id, sha) != sha:
                raise ModelError(f"{doc_id}: imported with other text")
            state.annotators.add(ann)
            layer = state.layer(doc_id, ann)
            for key, note in spans:
                if key not in layer:
                    layer[key] = [None, note]
            state.status[(doc_id, ann)] = status
    elif kind == "export":
        return
    else:
        raise ModelError(f"unknown action {kind!r}")


def _apply_resolve(state: State, op: dict[str, Any], ack: dict[str, Any] | None) -> None:
    doc, a_name, b_name = op["doc"], op["a"], op["b"]
    a, b = _key(op["dis"]["a"]), _key(op["dis"]["b"])
    decision = op["decision"]
    chosen: list[Key] = {
        "a": [a] if a else [],
        "b": [b] if b else [],
        "both": [s for s in (a, b) if s],
        "neither": [],
        "edit": [(int(s), int(e), str(label)) for s, e, label in op["edited"]],
    }[decision]
    key = (doc, a_name, b_name, a, b)
    previous = state.adjudications.get(key)
    stale = {s for s in (a, b) if s}
    if previous is not None:
        stale.update(previous[1])
    gold = state.layer(doc, GOLD_LAYER)
    removed = [s for s in sorted(stale) if s in gold and s not in chosen]
    wanted = sorted(dict.fromkeys(s for s in chosen if s not in gold))
    if ack is not None:
        _check_same("resolve (removed)", removed, ack["removed"])
        _check_same("resolve (added)", wanted, ack["added"])
    for s in removed:
        del gold[s]
    ids = {(r[3], r[4], r[5]): r[0] for r in ack["added"]} if ack else {}
    for s in wanted:
        _put(state, [ids.get(s), doc, GOLD_LAYER, *s, None])
    state.adjudications[key] = (
        decision,
        tuple(chosen),
        op["dis"]["start"],
        op["dis"]["end"],
        op["dis"]["kind"],
    )


def differences(expected: State, actual: State, limit: int = 12) -> tuple[int, list[str]]:
    """How many things differ, and the first few described."""
    count = 0
    shown: list[str] = []

    def note(message: str) -> None:
        nonlocal count
        count += 1
        if len(shown) < limit:
            shown.append(message)

    for doc in expected.docs.keys() - actual.docs.keys():
        note(f"document {doc} missing")
    for doc in actual.docs.keys() - expected.docs.keys():
        note(f"unexpected document {doc}")
    for doc in expected.docs.keys() & actual.docs.keys():
        if expected.docs[doc] != actual.docs[doc]:
            note(f"document {doc} has other text")
    for name in expected.annotators ^ actual.annotators:
        note(f"annotator {name} {'missing' if name in expected.annotators else 'unexpected'}")
    for key in expected.status.keys() | actual.status.keys():
        if expected.status.get(key) != actual.status.get(key):
            note(f"status of {key}: expected {expected.status.get(key)}, found {actual.status.get(key)}")
    for key in expected.adjudications.keys() | actual.adjudications.keys():
        if expected.adjudications.get(key) != actual.adjudications.get(key):
            note(
                f"adjudication {key}: expected {expected.adjudications.get(key)}, "
                f"found {actual.adjudications.get(key)}"
            )
    for layer_key in expected.layers.keys() | actual.layers.keys():
        want = expected.layers.get(layer_key, {})
        have = actual.layers.get(layer_key, {})
        for key in want.keys() | have.keys():
            w, h = want.get(key), have.get(key)
            if w is None:
                note(f"unexpected span {layer_key} {key} {h}")
            elif h is None:
                note(f"span {layer_key} {key} {w} missing")
            elif w[1] != h[1] or (w[0] is not None and w[0] != h[0]):
                note(f"span {layer_key} {key}: expected {w}, found {h}")
    if expected.labels != actual.labels:
        note(f"labels: expected {expected.labels}, found {actual.labels}")
    return count, shown


def adopt_ids(state: State, actual: State) -> None:
    """Fill the ids the model did not know (imports, the in-flight add) from the project."""
    for layer_key, layer in state.layers.items():
        have = actual.layers.get(layer_key, {})
        for key, value in layer.items():
            if value[0] is None:
                value[0] = have[key][0]


# -- running and killing workers ---------------------------------------------------------------


class Lines:
    """A worker's stdout, read by a thread, each protocol line with its arrival time."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[tuple[float, str, dict[str, Any]]] = []
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for raw in stream:
            if not raw.endswith(b"\n"):
                break  # half a line: the kill came mid-write; it was never said
            kind, _, payload = raw.decode("utf-8").rstrip("\n").partition(" ")
            if kind not in ("READY", "BEGIN", "ACK", "NACK", "DONE"):
                continue
            with self._cond:
                self.lines.append((time.monotonic(), kind, json.loads(payload)))
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait_for(self, match: Callable[[str, dict[str, Any]], bool], timeout: float) -> dict[str, Any] | None:
        """The first line that matches, or None (closed or timed out)."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for _arrived, kind, payload in self.lines[seen:]:
                    if match(kind, payload):
                        return payload
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if self.closed or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def wait_for_answers(self, count: int, timeout: float) -> bool:
        """Wait until the worker has answered (ACK or NACK) ``count`` actions; False if it stopped."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while sum(kind in ("ACK", "NACK") for _t, kind, _p in self.lines) < count:
                remaining = deadline - time.monotonic()
                if self.closed or remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def join(self) -> None:
        self._thread.join(timeout=30)


@dataclass
class Summary:
    mode: str
    seed: int
    kills: int = 0
    acked: int = 0
    lost: int = 0
    refused: int = 0
    mid_import: int = 0
    mid_bad_import: int = 0
    mid_export: int = 0
    before_ready: int = 0
    awaited: int = 0  # answers the random kills waited for: a floor for ``acked`` whatever the speed
    inflight_committed: int = 0
    exports_unacked_complete: int = 0
    staging_left: int = 0
    staging_removed: int = 0
    staging_max: int = 0
    imports_acked: int = 0
    exports_acked: int = 0
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"crash safety ({self.mode}): {self.kills} kills survived, {self.acked:,} acknowledged actions, "
            f"{self.lost} lost, {self.mid_import} kills mid-import, {self.mid_export} mid-export, "
            f"{self.mid_bad_import} mid-failing-import, {self.before_ready} before ready; "
            f"{self.inflight_committed} in-flight actions found committed, "
            f"{self.exports_unacked_complete} unacknowledged exports complete, "
            f"{self.imports_acked} imports and {self.exports_acked} exports acknowledged, "
            f"{self.staging_left} staging files left by killed exports, {self.staging_removed} removed by "
            f"the next export (at most {self.staging_max} at once); "
            f"seed {self.seed}, {self.elapsed:.1f} s"
        )


@dataclass(frozen=True)
class Plan:
    """How a campaign kills: how many times, how the kill moments are chosen, how big the inputs are."""

    mode: str
    kills: int
    seed: int
    corpus_files: int = 2
    corpus_docs: int = 2000
    spans_per_doc: int = 8
    # Random kills wait for a random number of answered actions in [1, max_answers] after READY
    # (counted, so the work done does not depend on the machine's speed), then a random delay in
    # [0, max_delay] (so the kill lands anywhere, in or between actions).
    max_answers: int = 12
    max_delay: float = 0.4
    aimed_import: float = 0.25  # shares of kills aimed into an import / export / a failing import
    aimed_export: float = 0.2
    aimed_bad_import: float = 0.05
    before_ready: float = 0.08  # share of kills at a random moment of the start-up


class Campaign:
    def __init__(self, root: Path, plan: Plan, corpus_dir: Path) -> None:
        self.root = root
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.project = root / "project.annotator.db"
        self.corpus_dir = corpus_dir
        self.exports = root / "exports"
        self.exports.mkdir(parents=True)
        if not (corpus_dir / worker.BAD_CORPUS).exists():
            worker.write_corpus(corpus_dir, plan.corpus_files, plan.corpus_docs, plan.spans_per_doc)
        self.corpus = Corpus(self.corpus_dir, plan.corpus_files, plan.corpus_docs, plan.spans_per_doc)
        worker.create_project(self.project)
        with Project.open(self.project) as project:
            self.model = read_state(project)
        assert self.model.labels == tuple((lb.name, lb.color, lb.hotkey) for lb in default_label_set())
        self.summary = Summary(plan.mode, plan.seed)
        self.export_sha: dict[str, str | None] = {name: None for name in worker.EXPORT_TARGETS.values()}
        self.dirty: set[str] = set()  # targets whose last export was killed (may leave staging)
        self.staging: set[str] = set()  # staging files found after the last kill
        self.durations: dict[str, list[float]] = {}  # import, bad_import, export:FORMAT

    # One life of a worker.

    @staticmethod
    def what(op: dict[str, Any]) -> str:
        if op["op"] == "export":
            return f"export:{op['format']}"
        return "bad_import" if op.get("fails") else op["op"]

    def estimate(self, what: str) -> float:
        """How long such an operation took lately (the median), to aim kills inside it."""
        seen = self.durations.get(what, [])[-12:]
        return statistics.median(seen) if seen else 0.3 if "import" in what else 0.15

    def run(self) -> Summary:
        started = time.monotonic()
        for life in range(self.plan.kills):
            self.life(life)
        self.final_checks()
        self.summary.elapsed = time.monotonic() - started
        return self.summary

    def life(self, life: int) -> None:
        plan, rng = self.plan, self.rng
        roll = rng.random()
        first: str | None = None
        if roll < plan.before_ready:
            how = "startup"
        elif roll < plan.before_ready + plan.aimed_import:
            how, first = "aimed", "import"
        elif roll < plan.before_ready + plan.aimed_import + plan.aimed_export:
            how, first = "aimed", "export"
        elif roll < plan.before_ready + plan.aimed_import + plan.aimed_export + plan.aimed_bad_import:
            how, first = "aimed", "bad_import"
        else:
            how = "random"
        worker_seed = plan.seed * 100_003 + life
        command = [
            sys.executable,
            "-m",
            "tests.reliability.crash_worker",
            str(self.project),
            str(worker_seed),
            "--mode",
            plan.mode,
            "--corpus",
            str(self.corpus_dir),
            "--exports",
            str(self.exports),
        ]
        if first is not None:
            command += ["--first", first]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["QT_QPA_PLATFORM"] = "offscreen"
        env.pop("ANNOTATOR_DB", None)
        context = (
            f"{plan.mode} campaign seed {plan.seed}, life {life} "
            f"(worker seed {worker_seed}, kill {how} {first or ''})"
        )
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        stderr: list[bytes] = []
        err_thread = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)  # type: ignore[union-attr]
        err_thread.start()
        lines = Lines(process.stdout)
        try:
            if how == "startup":
                time.sleep(rng.uniform(0, 0.35))
            else:
                ready = lines.wait_for(lambda kind, _p: kind == "READY", timeout=60)
                if ready is None:
                    raise AssertionError(f"{context}: no READY")
                if how == "random":
                    answers = rng.randint(1, plan.max_answers)
                    if not lines.wait_for_answers(answers, timeout=300):
                        raise AssertionError(f"{context}: fewer than {answers} actions answered")
                    self.summary.awaited += answers
                    time.sleep(rng.uniform(0, plan.max_delay))
                else:
                    assert first is not None
                    begun = lines.wait_for(
                        lambda kind, p: kind == "BEGIN" and p["op"] in ("import", "export"), 60
                    )
                    if begun is None:
                        raise AssertionError(f"{context}: no BEGIN {first}")
                    time.sleep(rng.uniform(0, 1.1 * self.estimate(self.what(begun))))
            killed_at = time.monotonic()
            process.send_signal(signal.SIGKILL)
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            lines.join()
            err_thread.join(timeout=30)
            process.stdout.close()  # type: ignore[union-attr]
            process.stderr.close()  # type: ignore[union-attr]
        err = b"".join(stderr).decode("utf-8", "replace")
        if code != -signal.SIGKILL:
            raise AssertionError(f"{context}: the worker ended by itself with {code} before the kill:\n{err}")
        self.take_lines(lines, killed_at, context)

    def take_lines(self, lines: Lines, killed_at: float, context: str) -> None:
        summary = self.summary
        inflight: dict[str, Any] | None = None
        begun_at = 0.0
        ready = False
        for arrived, kind, payload in lines.lines:
            if kind == "READY":
                ready = True
            elif kind == "BEGIN":
                if inflight is not None:
                    raise ModelError(f"{context}: BEGIN without ACK of {inflight}")
                inflight, begun_at = payload, arrived
            elif kind in ("ACK", "NACK"):
                if inflight is None or inflight["op"] != payload["op"]:
                    raise ModelError(f"{context}: {kind} {payload} does not answer {inflight}")
                if payload["op"] in ("import", "export"):
                    self.durations.setdefault(self.what(inflight), []).append(arrived - begun_at)
                if kind == "ACK":
                    apply(self.model, inflight, payload, self.corpus)
                    summary.acked += 1
                    if payload["op"] == "import":
                        summary.imports_acked += 1
                    elif payload["op"] == "export":
                        summary.exports_acked += 1
                        self.export_sha[payload["target"]] = payload["sha256"]
                        self.dirty.discard(payload["target"])
                else:
                    summary.refused += 1
                inflight = None
        summary.kills += 1
        summary.before_ready += not ready
        if inflight is not None and inflight["op"] == "import":
            if inflight.get("fails"):
                summary.mid_bad_import += 1
            else:
                summary.mid_import += 1
        elif inflight is not None and inflight["op"] == "export":
            summary.mid_export += 1
            self.dirty.add(inflight["target"])
        self.verify(inflight, context)

    # The checks after a kill.

    def verify(self, inflight: dict[str, Any] | None, context: str) -> None:
        summary = self.summary
        with Project.open(self.project, create=False) as project:
            integrity = project.db.execute("PRAGMA integrity_check").fetchall()
            foreign = project.db.execute("PRAGMA foreign_key_check").fetchall()
            actual = read_state(project)
            if integrity != [("ok",)]:
                summary.problems.append(f"{context}: integrity_check says {integrity[:5]}")
            if foreign:
                summary.problems.append(f"{context}: foreign_key_check finds {foreign[:5]}")
            drifted = project.check_facts()  # issue 16: the document list's counts never drift
            if drifted:
                summary.problems.append(f"{context}: document-list facts drifted: {drifted[:5]}")
            count, shown = differences(self.model, actual)
            if count and inflight is not None and inflight["op"] != "export":
                candidate = self.model.copy()
                apply(candidate, inflight, None, self.corpus)
                count_after, shown_after = differences(candidate, actual)
                if count_after == 0:
                    self.model = candidate
                    summary.inflight_committed += 1
                    count = 0
                elif count_after < count:
                    count, shown = count_after, [f"(with the in-flight {inflight['op']})", *shown_after]
            if count:
                summary.lost += count
                summary.problems.append(
                    f"{context}: {count} difference(s) from the acknowledged state: {shown}"
                )
                self.model = actual  # go on from what is there, so later lives report only new losses
            else:
                adopt_ids(self.model, actual)
            self.check_imports(actual, context)
            self.check_exports(project, inflight, context)

    def check_imports(self, actual: State, context: str) -> None:
        prefixes: dict[str, int] = {}
        for doc in actual.docs:
            if doc.startswith("c") and "-" in doc:
                prefix = doc.split("-")[0]
                prefixes[prefix] = prefixes.get(prefix, 0) + 1
        for prefix, n in sorted(prefixes.items()):
            if n != self.plan.corpus_docs:
                self.summary.problems.append(
                    f"{context}: half-done import: {n} of {self.plan.corpus_docs} documents of {prefix}"
                )
        if "c99" in prefixes:
            self.summary.problems.append(f"{context}: documents of the broken corpus file were kept")

    def check_exports(self, project: Project, inflight: dict[str, Any] | None, context: str) -> None:
        summary = self.summary
        targets = set(worker.EXPORT_TARGETS.values())
        for name in sorted(targets):
            path = self.exports / name
            sha = worker.sha256_file(path)
            if sha == self.export_sha[name]:
                continue
            if inflight is not None and inflight["op"] == "export" and inflight["target"] == name:
                problem = self.check_complete_export(project, inflight, path)
                if problem is None:
                    self.export_sha[name] = sha
                    self.dirty.discard(name)
                    summary.exports_unacked_complete += 1
                    continue
                summary.problems.append(f"{context}: {name} is not a complete export: {problem}")
            else:
                summary.problems.append(
                    f"{context}: {name} changed without an export ({sha} != {self.export_sha[name]})"
                )
            self.export_sha[name] = sha
        others = sorted(p.name for p in self.exports.iterdir() if p.name not in targets)
        staging = [name for name in others if name.endswith(".partial")]
        if len(staging) != len(others):
            summary.problems.append(f"{context}: unexpected files beside the exports: {others}")
        for name in staging:
            owner = next((t for t in targets if name.startswith(f".{t}.")), None)
            if owner is None or owner not in self.dirty:
                summary.problems.append(
                    f"{context}: stale staging file {name} (no killed export of {owner} pending)"
                )
        summary.staging_left += len(set(staging) - self.staging)
        summary.staging_removed += len(self.staging - set(staging))
        self.staging = set(staging)
        summary.staging_max = max(summary.staging_max, len(staging))
        if len(staging) > len(targets):
            summary.problems.append(f"{context}: staging files accumulate: {staging}")

    def check_complete_export(self, project: Project, op: dict[str, Any], path: Path) -> str | None:
        """A target written by the in-flight export: it must be that export, whole, and import cleanly."""
        if not path.exists():
            return "missing"
        fresh = self.root / f"fresh{path.suffix}"
        export_corpus(
            project,
            ExportOptions(
                format=op["format"], output=fresh, annotator=op["annotator"], done_only=op["done_only"]
            ),
        )
        try:
            if fresh.read_bytes() != path.read_bytes():
                return f"differs from a fresh export ({path.stat().st_size} vs {fresh.stat().st_size} bytes)"
        finally:
            fresh.unlink()
        return imports_cleanly(path, op["format"])

    def final_checks(self) -> None:
        for fmt, name in worker.EXPORT_TARGETS.items():
            path = self.exports / name
            if path.exists():
                problem = imports_cleanly(path, fmt)
                if problem is not None:
                    self.summary.problems.append(f"final: {name} does not import cleanly: {problem}")


def imports_cleanly(path: Path, fmt: str) -> str | None:
    project = Project.in_memory()
    try:
        import_corpus(project, [path], ImportOptions(format=fmt, annotator="check"))
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        return f"{type(exc).__name__}: {exc}"
    finally:
        project.close()
    return None


def seed_for(default: int) -> int:
    return int(os.environ.get("CRASH_SEED", default))


def run_campaign(tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: Plan) -> Summary:
    # Campaigns with the same corpus shape share its (read-only) files.
    corpus = tmp_path.parent / f"crash-corpus-{plan.corpus_files}-{plan.corpus_docs}-{plan.spans_per_doc}"
    campaign = Campaign(tmp_path / plan.mode, plan, corpus)
    try:
        summary = campaign.run()
    except BaseException:
        with capsys.disabled():
            print(
                f"\ncrash safety ({plan.mode}) FAILED with seed {plan.seed} (replay: CRASH_SEED={plan.seed})"
            )
        raise
    with capsys.disabled():
        print(f"\n{summary.line()}")
    assert not summary.problems, f"seed {plan.seed} (CRASH_SEED={plan.seed}):\n" + "\n".join(
        summary.problems[:30]
    )
    assert summary.lost == 0
    assert summary.kills == plan.kills
    return summary


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.gui  # the worker edits through the window's session and its Qt undo stack
def test_core_actions_survive_sigkill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = run_campaign(tmp_path, capsys, Plan("core", kills=24, seed=seed_for(1), max_delay=0.3))
    # Invariants only (run_campaign: nothing acknowledged lost, nothing half done, integrity).
    # How many kills land inside an import or export depends on the machine's speed: that is
    # asserted in the stress runs; a kill halfway through an export, for certain, is
    # test_the_next_export_removes_what_a_killed_export_left.
    assert summary.acked >= summary.awaited > 0


@pytest.mark.gui
def test_window_actions_survive_sigkill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A smaller corpus keeps the window campaign within a few seconds.
    plan = Plan(
        "gui",
        kills=5,
        seed=seed_for(2),
        corpus_docs=100,
        max_delay=0.6,
        aimed_import=0.2,
        aimed_export=0.2,
        aimed_bad_import=0.0,
        before_ready=0.0,
    )
    summary = run_campaign(tmp_path, capsys, plan)
    assert summary.acked >= summary.awaited > 0


def test_cli_import_and_export_survive_sigkill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = Plan(
        "cli",
        kills=5,
        seed=seed_for(3),
        max_answers=2,
        max_delay=1.0,
        aimed_import=0.4,
        aimed_export=0.3,
        aimed_bad_import=0.1,
        before_ready=0.0,
    )
    run_campaign(tmp_path, capsys, plan)


@pytest.mark.stress
@pytest.mark.gui
def test_core_actions_survive_hundreds_of_kills(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = Plan("core", kills=300, seed=seed_for(11), corpus_files=6, corpus_docs=3000, max_delay=1.5)
    summary = run_campaign(tmp_path, capsys, plan)
    assert summary.mid_import >= 20
    assert summary.mid_export >= 20


@pytest.mark.stress
@pytest.mark.gui
def test_window_actions_survive_many_kills(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = Plan(
        "gui",
        kills=50,
        seed=seed_for(12),
        corpus_docs=100,
        max_delay=2.0,
        aimed_import=0.15,
        aimed_export=0.15,
        aimed_bad_import=0.0,
        before_ready=0.05,
    )
    run_campaign(tmp_path, capsys, plan)


@pytest.mark.stress
def test_cli_survives_many_kills(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = Plan(
        "cli",
        kills=60,
        seed=seed_for(13),
        corpus_files=4,
        corpus_docs=3000,
        max_delay=1.5,
        aimed_import=0.35,
        aimed_export=0.3,
        aimed_bad_import=0.1,
        before_ready=0.1,
    )
    run_campaign(tmp_path, capsys, plan)


# -- exports: staging files under kills and concurrent exports -------------------------------------


def _big_project(path: Path, docs: int = 3000) -> None:
    from annotator.core.store import DocumentInput

    with Project.open(path) as project:
        project.add_documents([DocumentInput(f"d{i}", f"document {i} " + "word " * 300) for i in range(docs)])


def _staging_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


KILLED_EXPORT = """
import os, sys, time
from pathlib import Path
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.store import Project

def progress(done, total):
    if done == total // 2:
        os.write(1, b"halfway\\n")
        time.sleep(60)

with Project.open(Path(sys.argv[1])) as project:
    export_corpus(project, ExportOptions(output=Path(sys.argv[2])), progress=progress)
"""


def test_the_next_export_removes_what_a_killed_export_left(tmp_path: Path) -> None:
    """SIGKILL halfway through an export: the target is untouched, one staging file is left, and
    the next export to that target removes it - while staging of live exports stays."""
    from annotator.core import output_files

    project_path = tmp_path / "p.db"
    _big_project(project_path)
    target = tmp_path / "out.jsonl"
    target.write_text("the previous export\n", encoding="utf-8")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(project_path), str(target)], stdout=subprocess.PIPE, env=env
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"halfway\n"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    (left,) = _staging_files(tmp_path)
    assert left.startswith(".out.jsonl.")
    assert f".{process.pid}." in left
    assert (tmp_path / left).stat().st_size > 0
    legacy = tmp_path / ".out.jsonl.partial"  # what an older version left
    legacy.write_text("x", encoding="utf-8")
    live = tmp_path / f".out.jsonl.{output_files._HOST}.{os.getpid()}.0badcafe.partial"  # one running here
    live.write_text("x", encoding="utf-8")
    remote = tmp_path / ".out.jsonl.another-host.1.0badcafe.partial"  # a process on another machine
    remote.write_text("x", encoding="utf-8")
    other = tmp_path / f".other.jsonl.{output_files._HOST}.{process.pid}.0badcafe.partial"  # another target's
    other.write_text("x", encoding="utf-8")

    with Project.open(project_path) as project:
        report = export_corpus(project, ExportOptions(output=target))
    assert report.records == 3000
    assert target.read_bytes().count(b"\n") == 3000
    assert _staging_files(tmp_path) == sorted([live.name, remote.name, other.name])
    assert imports_cleanly(target, "jsonl") is None


def test_two_exports_to_one_target_never_publish_a_half_written_file(tmp_path: Path) -> None:
    """Export B starts while export A runs and is still writing when A finishes: A must move its
    own complete file into place (with one shared staging name it moved B's half-written one)."""
    project_path = tmp_path / "p.db"
    _big_project(project_path)
    target = tmp_path / "out.jsonl"
    b_halfway, a_finished = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def export_b() -> None:
        def progress(done: int, total: int) -> None:
            if done == total // 2:
                b_halfway.set()
                a_finished.wait(30)

        with Project.open(project_path) as project:
            try:
                outcome["b"] = export_corpus(project, ExportOptions(output=target), progress=progress).records
            except Exception as exc:  # noqa: BLE001 - reported below
                outcome["b"] = exc

    thread = threading.Thread(target=export_b)

    def progress_a(done: int, _total: int) -> None:
        if done == 1:
            thread.start()
            assert b_halfway.wait(30)

    with Project.open(project_path) as project:
        report = export_corpus(project, ExportOptions(output=target), progress=progress_a)
    published = target.read_bytes()
    a_finished.set()
    thread.join(30)
    assert report.records == 3000
    assert published.count(b"\n") == 3000
    assert published.endswith(b"\n")
    assert outcome["b"] == 3000
    assert target.read_bytes() == published
    assert _staging_files(tmp_path) == []
