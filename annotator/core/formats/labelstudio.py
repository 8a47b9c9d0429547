"""Label Studio JSON tasks: into the most used open-source annotation server and back.

One task per document: ``data`` holds ``text`` (plus ``doc_id``, ``title``, ``meta``, the names
of the layers, ``annotator_layers``, and their statuses, ``annotator_statuses``; Label Studio keeps
``data`` as it is through its import and export), ``annotations`` one entry per annotator layer and
``predictions`` one per suggestion layer (``suggest-SOURCE``, ``model_version`` SOURCE). A span is a
result ``{"from_name": "label", "to_name": "text", "type": "labels", "value": {"start", "end",
"text", "labels": [label]}}`` with code-point offsets, as current Label Studio writes them.

Label Studio versions before its frontend's fix (issues #1347, #4988, PR #1559) counted UTF-16
code units, so on import each task's offsets are read the way under which every ``value.text``
matches its text: code points first, then UTF-16 (:func:`utf16_to_code_points`, the one place
that converts); a task where neither fits is skipped and reported. :func:`labeling_config` writes
the project's labelling configuration (``<View><Labels …><Text …>``) for the label set.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from annotator.core.errors import InputError
from annotator.core.formats.input_files import read_text_file
from annotator.core.formats.jsonlines import _Refused, iter_json_lines, parse_json_line, record_id
from annotator.core.formats.records import (
    CorpusRecord,
    SpanTuple,
    TransferReport,
    check_meta,
    check_span,
    describe,
    shown,
)
from annotator.core.model import GOLD_LAYER, LabelSet, Status

STATUSES = frozenset(status.value for status in Status)

#: Layers whose spans are a suggestion source's proposals (``annotator suggest`` names them so).
SUGGEST_PREFIX = "suggest-"
FROM_NAME = "label"
TO_NAME = "text"
NOTES = "span notes (a Label Studio region's text area would need its own control in the config)"
NEITHER = (
    "Label Studio tasks whose span texts fit neither code-point nor UTF-16 offsets (the whole task skipped)"
)
CANCELLED = "Label Studio annotations that were skipped (cancelled) in Label Studio"
OTHER_RESULTS = "Label Studio results that are not text labels (choices, relations, text areas...)"
PREDICTION_IDS = (
    "Label Studio predictions exported as ids only (its default JSON export leaves their results out;"
    " export a snapshot with predictions included to bring them)"
)
UTF16_READ = "Label Studio tasks with UTF-16 offsets (an earlier Label Studio), converted to code points"


def utf16_to_code_points(text: str) -> Callable[[int], int | None]:
    """A function mapping a UTF-16 offset into ``text`` to a code-point offset (None: inside a
    surrogate pair or past the end)."""
    ends = [0]
    total = 0
    for ch in text:
        total += 2 if ord(ch) > 0xFFFF else 1
        ends.append(total)

    def convert(offset: int) -> int | None:
        index = bisect.bisect_left(ends, offset)
        return index if index < len(ends) and ends[index] == offset else None

    return convert


def _result(start: int, end: int, label: str, text: str, number: int) -> dict[str, Any]:
    return {
        "id": f"a{number}",
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


class LabelStudioWriter:
    """Writes a JSON array of tasks, one per document (its layers arrive one after the other)."""

    def __init__(self, out: TextIO, report: TransferReport) -> None:
        self.out = out
        self.report = report
        self.pending: list[CorpusRecord] = []
        self.tasks = 0
        out.write("[")

    def write(self, record: CorpusRecord) -> None:
        if self.pending and self.pending[0].id != record.id:
            self._flush()
        self.pending.append(record)

    def _flush(self) -> None:
        first = self.pending[0]
        text = first.text
        annotations: list[dict[str, Any]] = []
        predictions: list[dict[str, Any]] = []
        layers: list[str] = []
        statuses: list[str | None] = []
        for record in self.pending:
            if record.annotator is None:
                continue
            results = []
            for number, span in enumerate(record.spans, start=1):
                start, end, label, note = span
                results.append(_result(start, end, label, text, number))
                if note is not None:
                    self.report.leave_out(NOTES, describe(record, span))
            if record.annotator.startswith(SUGGEST_PREFIX):
                version = record.annotator[len(SUGGEST_PREFIX) :]
                predictions.append({"model_version": version, "result": results})
            else:
                layers.append(record.annotator)
                statuses.append(record.status)
                annotations.append({"result": results, "ground_truth": record.annotator == GOLD_LAYER})
        data: dict[str, Any] = {
            "text": text,
            "doc_id": first.id,
            "title": first.title,
            "meta": first.meta,
            "annotator_layers": layers,
            "annotator_statuses": statuses,
        }
        task = {"data": data, "annotations": annotations, "predictions": predictions}
        self.out.write(("\n" if self.tasks == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
        self.tasks += 1
        self.pending = []

    def close(self) -> None:
        if self.pending:
            self._flush()
        self.out.write("\n]\n")


def labeling_config(labels: LabelSet) -> str:
    """Label Studio's labelling configuration for ``labels`` (with their colours)."""
    lines = ["<View>", f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">']
    for label in labels:
        lines.append(f"    <Label value={quoteattr(label.name)} background={quoteattr(label.color)}/>")
    lines += ["  </Labels>", f'  <Text name="{TO_NAME}" value="$text"/>', "</View>"]
    return "\n".join(lines) + "\n"


def _tasks(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(number, task) from a JSON array (Label Studio's JSON export) or JSON Lines of tasks."""
    text = read_text_file(path)
    if not text.lstrip("\ufeff \t\r\n").startswith("["):
        yield from iter_json_lines(path)
        return
    try:
        tasks = parse_json_line(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None
    except (ValueError, _Refused) as exc:
        raise InputError(path, f"malformed JSON: {exc}") from None
    if not isinstance(tasks, list):
        raise InputError(path, "expected a JSON array of Label Studio tasks")
    for number, task in enumerate(tasks, start=1):
        if not isinstance(task, dict):
            raise InputError(path, f"task {number}: expected a JSON object, got {type(task).__name__}")
        yield number, task


def starts_as_array(path: Path) -> bool:
    """Whether a ``.json`` file is one JSON array (a Label Studio export) rather than JSON Lines
    (``.jsonl`` and ``.ndjson`` files are always JSON Lines)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def _spans_of(
    path: Path, where: str, text: str, entry: Any, report: TransferReport
) -> list[tuple[Any, Any, Any, Any]]:
    """(start, end, label, quoted text) of one annotation's or prediction's label results."""
    if not isinstance(entry, dict) or not isinstance(entry.get("result", []), list):
        raise InputError(path, f"{where}: expected an object with a 'result' list, got {shown(entry)}")
    found = []
    for result in entry.get("result", []):
        value = result.get("value") if isinstance(result, dict) else None
        labels = value.get("labels") if isinstance(value, dict) else None
        if not isinstance(value, dict) or labels is None or "start" not in value:
            report.leave_out(OTHER_RESULTS, f"{path.name} {where}: {shown(result)}")
            continue
        if not isinstance(labels, list) or not labels:
            raise InputError(path, f"{where}: 'labels' must be a non-empty list, got {shown(labels)}")
        for label in labels:
            found.append((value.get("start"), value.get("end"), label, value.get("text")))
    return found


def _fits(
    text: str, spans: list[tuple[Any, Any, Any, Any]], convert: Callable[[int], int | None] | None
) -> list[tuple[int, int]] | None:
    """The spans' code-point offsets under one reading, or None if a quoted text does not match."""
    placed = []
    for start, end, _label, quoted in spans:
        if not isinstance(start, int) or not isinstance(end, int):
            return None
        s: int | None = start
        e: int | None = end
        if convert is not None:
            s, e = convert(start), convert(end)
        if s is None or e is None or not 0 <= s < e <= len(text):
            return None
        if quoted is not None and text[s:e] != quoted:
            return None
        placed.append((s, e))
    return placed


def read_labelstudio(path: Path, report: TransferReport) -> Iterator[CorpusRecord]:
    """Records of Label Studio tasks: one per annotation (its layer from ``data.annotator_layers``
    as Annotator writes it, else ``completed_by``, else the file's stem) and per prediction
    (layer ``suggest-MODEL_VERSION``)."""
    for number, task in _tasks(path):
        where = f"task {number}"
        data = task.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise InputError(path, f"{where}: no 'data.text' string (Annotator reads text tasks)")
        text: str = data["text"]
        doc_id = record_id(
            path, number, data.get("doc_id", data.get("id", task.get("id", f"{path.stem}-{number}")))
        )
        title = data.get("title")
        given = data.get("meta")
        meta: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
        for key, value in data.items():
            if key not in ("text", "doc_id", "id", "title", "meta", "annotator_layers", "annotator_statuses"):
                meta[key] = value
        check_meta(path, None, meta)
        annotations = task.get("annotations", task.get("completions", []))
        predictions = task.get("predictions", [])
        if not isinstance(annotations, list) or not isinstance(predictions, list):
            raise InputError(path, f"{where}: 'annotations' and 'predictions' must be lists")
        names = data.get("annotator_layers")
        statuses = data.get("annotator_statuses")
        if not isinstance(statuses, list) or len(statuses) != len(annotations):
            statuses = [None] * len(annotations)
        layers: list[tuple[str, Any]] = []
        status_of: dict[str, str] = {}
        for index, annotation in enumerate(annotations):
            if isinstance(annotation, dict) and annotation.get("was_cancelled"):
                report.leave_out(CANCELLED, f"{path.name} {where}")
                continue
            if isinstance(names, list) and len(names) == len(annotations) and isinstance(names[index], str):
                name = names[index]
            else:
                by = annotation.get("completed_by") if isinstance(annotation, dict) else None
                if isinstance(by, dict):
                    by = by.get("email") or by.get("id")
                name = (
                    f"labelstudio-{by}" if isinstance(by, int) else by if isinstance(by, str) else path.stem
                )
            layers.append((name, annotation))
            status = statuses[index]
            if status is not None:
                if status not in STATUSES:
                    raise InputError(
                        path,
                        f"{where}: unknown status {shown(status)} in 'annotator_statuses'"
                        " (use todo, in_progress or done)",
                    )
                status_of[name] = status
        for prediction in predictions:
            if isinstance(prediction, int) and not isinstance(prediction, bool):
                report.leave_out(PREDICTION_IDS, f"{path.name} {where} ({doc_id}): prediction {prediction}")
                continue
            version = prediction.get("model_version") if isinstance(prediction, dict) else None
            layers.append((SUGGEST_PREFIX + (str(version) if version else "labelstudio"), prediction))
        found = [(name, _spans_of(path, f"{where} ({name})", text, entry, report)) for name, entry in layers]
        every = [span for _name, spans in found for span in spans]
        convert: Callable[[int], int | None] | None = None
        if _fits(text, every, None) is None:
            convert = utf16_to_code_points(text)
            if _fits(text, every, convert) is None:
                report.leave_out(NEITHER, f"{path.name} {where} ({doc_id})")
                continue
            report.warn(UTF16_READ, f"{path.name} {where} ({doc_id})")
        if not found:
            yield CorpusRecord(
                doc_id, title if isinstance(title, str) else None, text, None, None, [], meta, path=path
            )
        for name, spans in found:
            placed = _fits(text, spans, convert)
            assert placed is not None
            tuples: list[SpanTuple] = []
            for (s, e), (_start, _end, label, _quoted) in zip(placed, spans, strict=True):
                check_span(path, None, text, s, e, label)
                tuples.append((s, e, label, None))
            yield CorpusRecord(
                doc_id,
                title if isinstance(title, str) else None,
                text,
                name,
                status_of.get(name),
                sorted(set(tuples)),
                meta,
                path=path,
            )
