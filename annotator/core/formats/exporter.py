"""Exporting a project as a training corpus: streamed, filtered, split, and honest about losses.

Documents and spans are read from SQLite with cursors and written record by record, so memory
does not grow with the corpus. Output is staged beside the target and moved into place only when
complete (see :mod:`annotator.core.output_files`): a failed or cancelled export leaves nothing
and the previous file as it was. A target that is a device or a pipe (``/dev/null``,
``/dev/stdout``, a FIFO) is written straight through instead.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from annotator.core.errors import AnnotatorError
from annotator.core.formats import EXPORT_FORMATS
from annotator.core.formats.brat import BratWriter
from annotator.core.formats.conll import ConllWriter
from annotator.core.formats.doccano import DoccanoWriter
from annotator.core.formats.jsonl import NativeWriter
from annotator.core.formats.prodigy import ProdigyWriter
from annotator.core.formats.records import CorpusRecord, Progress, TransferReport
from annotator.core.model import GOLD_LAYER
from annotator.core.output_files import StagedOutput, create_text_file, file_in
from annotator.core.store import Project

FORMATS = EXPORT_FORMATS
#: Formats written as a folder rather than one file.
FOLDER_FORMATS = frozenset({"brat"})
EXTENSIONS = {"jsonl": ".jsonl", "doccano": ".jsonl", "prodigy": ".jsonl", "conll": ".conll", "brat": ""}
OTHER_LABELS = "spans with labels not chosen with --labels"
_SPLIT_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class Writer(Protocol):
    def write(self, record: CorpusRecord) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ExportOptions:
    """What to export and where; mirrors ``annotator export``'s options."""

    format: str = "jsonl"
    output: Path | None = None
    annotator: str | None = None
    gold: bool = False
    done_only: bool = False
    labels: tuple[str, ...] | None = None
    split: tuple[tuple[str, float], ...] | None = None
    seed: int = 0

    @property
    def layer(self) -> str | None:
        return GOLD_LAYER if self.gold else self.annotator


def parse_split(spec: str) -> tuple[tuple[str, float], ...]:
    """``train=0.8,dev=0.1,test=0.1`` → (("train", 0.8), ...); fractions must add up to 1."""
    parts: list[tuple[str, float]] = []
    for item in spec.split(","):
        name, sep, value = item.strip().partition("=")
        name = name.strip()
        if not sep or not _SPLIT_NAME.match(name):
            raise AnnotatorError(f"split {item.strip()!r}: expected NAME=FRACTION, e.g. train=0.8")
        try:
            fraction = float(value)
        except ValueError:
            raise AnnotatorError(f"split {item.strip()!r}: {value.strip()!r} is not a number") from None
        if not 0 <= fraction <= 1:
            raise AnnotatorError(f"split {item.strip()!r}: the fraction must be between 0 and 1")
        if name in (n for n, _ in parts):
            raise AnnotatorError(f"split {name!r} is named twice")
        parts.append((name, fraction))
    if abs(sum(f for _, f in parts) - 1) > 1e-6:
        raise AnnotatorError(f"split fractions add up to {sum(f for _, f in parts):g}, not 1")
    return tuple(parts)


def parse_labels(spec: str) -> tuple[str, ...]:
    labels = tuple(name.strip() for name in spec.split(",") if name.strip())
    if not labels:
        raise AnnotatorError("--labels needs at least one label name")
    return labels


def assign_splits(doc_ids: Sequence[str], split: Sequence[tuple[str, float]], seed: int) -> dict[str, str]:
    """Each document's split: a seeded shuffle cut into exact sizes (largest remainder)."""
    shuffled = list(doc_ids)
    random.Random(seed).shuffle(shuffled)
    n = len(shuffled)
    exact = [fraction * n for _, fraction in split]
    sizes = [int(x) for x in exact]
    by_remainder = sorted(range(len(split)), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in by_remainder[: n - sum(sizes)]:
        sizes[i] += 1
    result: dict[str, str] = {}
    position = 0
    for (name, _), size in zip(split, sizes, strict=True):
        for doc_id in shuffled[position : position + size]:
            result[doc_id] = name
        position += size
    return result


class _Outputs:
    """Opens writers lazily, one per split (or one), inside a staged file or folder."""

    def __init__(self, options: ExportOptions, report: TransferReport, stream: TextIO | None) -> None:
        self.options = options
        self.report = report
        self.stream = stream
        self.writers: dict[str | None, Writer] = {}
        self.handles: list[TextIO] = []
        self.staged: StagedOutput | None = None
        target = options.output
        if target is not None:
            folder = options.split is not None or options.format in FOLDER_FORMATS
            if folder:
                if target.exists() and (not target.is_dir() or any(target.iterdir())):
                    raise AnnotatorError(f"{target}: exists and is not an empty folder; choose a new folder")
            elif target.is_dir():
                raise AnnotatorError(f"{target}: is a folder; give a file name")
            if not target.parent.is_dir():
                raise AnnotatorError(f"{target.parent}: no such folder")
            self.staged = StagedOutput(target, folder=folder)

    def writer(self, split: str | None) -> Writer:
        found = self.writers.get(split)
        if found is not None:
            return found
        fmt = self.options.format
        writer: Writer
        if fmt in FOLDER_FORMATS:
            assert self.staged is not None
            root = self.staged.path
            if split is not None:
                root = file_in(root, split)
                root.mkdir()
            writer = BratWriter(root, self.report)
        else:
            if self.staged is None:
                assert self.stream is not None
                out = self.stream
            else:
                if split is not None:
                    out = create_text_file(file_in(self.staged.path, f"{split}{EXTENSIONS[fmt]}"))
                else:
                    out = self.staged.open_text()
                self.handles.append(out)
            cls: dict[str, Callable[[TextIO, TransferReport], Writer]] = {
                "jsonl": NativeWriter,
                "doccano": DoccanoWriter,
                "prodigy": ProdigyWriter,
                "conll": ConllWriter,
            }
            writer = cls[fmt](out, self.report)
        self.writers[split] = writer
        return writer

    def finish(self) -> None:
        for writer in self.writers.values():
            writer.close()
        for handle in self.handles:
            handle.close()
        self.handles = []
        target = self.options.output
        if self.staged is None or target is None:
            return
        self.staged.commit()
        if self.staged.folder:
            self.report.files = sorted(p for p in target.rglob("*") if p.is_file())
        else:
            self.report.files = [target]

    def abort(self) -> None:
        for handle in self.handles:
            try:
                handle.close()
            except OSError:
                pass  # flushing the rest failed too (a full disk): the file is removed below
        self.handles = []
        if self.staged is not None:
            self.staged.discard()


def check_options(project: Project, options: ExportOptions) -> None:
    """Refuse contradictory or impossible options before anything is written."""
    if options.format not in FORMATS:
        raise AnnotatorError(f"unknown format {options.format!r} (choose from {', '.join(FORMATS)})")
    if options.gold and options.annotator is not None:
        raise AnnotatorError("--gold and --annotator both choose a layer; give one of them")
    if options.output is None and (options.format in FOLDER_FORMATS or options.split is not None):
        what = "a split" if options.split is not None else f"{options.format} (a folder of files)"
        raise AnnotatorError(f"{what} needs an output folder: give -o FOLDER")
    output, source = options.output, project.path
    if output is not None and source is not None and output.exists() and os.path.samefile(output, source):
        raise AnnotatorError(f"{output}: is the project file itself; choose another output")
    layer = options.layer
    if layer is not None and layer not in project.annotators():
        if options.gold:
            raise AnnotatorError("the project has no gold layer yet: adjudicate first, or export annotators")
        known = ", ".join(project.annotators()) or "none yet"
        raise AnnotatorError(f"no annotator named {layer!r} in this project (annotators: {known})")
    if options.labels is not None:
        names = project.labels().names
        unknown = [label for label in options.labels if label not in names]
        if unknown:
            raise AnnotatorError(
                f"--labels: unknown label(s) {', '.join(map(repr, unknown))} (labels are: {', '.join(names)})"
            )


def export_corpus(
    project: Project,
    options: ExportOptions,
    stream: TextIO | None = None,
    progress: Progress | None = None,
) -> TransferReport:
    """Write the project in ``options.format``; returns what was written and what was left out.

    With ``options.output`` None, single-file formats go to ``stream``. The project is read in
    one snapshot: other programs may write meanwhile, the export shows the project as it was.
    """
    with project.snapshot():
        return _export(project, options, stream, progress)


def _export(
    project: Project, options: ExportOptions, stream: TextIO | None, progress: Progress | None
) -> TransferReport:
    check_options(project, options)
    report = TransferReport()
    total = project.document_count()
    splits = (
        assign_splits(project.document_ids(), options.split, options.seed)
        if options.split is not None
        else None
    )
    keep = frozenset(options.labels) if options.labels is not None else None
    try:
        outputs = _Outputs(options, report, stream)
    except OSError as exc:
        raise _cannot_write(options.output, exc) from exc
    try:
        if splits is not None:
            for name, _fraction in options.split or ():
                outputs.writer(name)
        else:
            outputs.writer(None)
        _export_records(project, options, outputs, splits, keep, report, total, progress)
        outputs.finish()
    except OSError as exc:
        outputs.abort()
        if options.output is None:
            raise  # the stream's own trouble (a closed pipe), not a file of ours
        raise _cannot_write(options.output, exc) from exc
    except BaseException:
        outputs.abort()
        raise
    return report


def _cannot_write(target: Path | None, exc: OSError) -> AnnotatorError:
    return AnnotatorError(f"{target}: cannot write the export: {exc.strerror or exc}")


def _export_records(
    project: Project,
    options: ExportOptions,
    outputs: _Outputs,
    splits: dict[str, str] | None,
    keep: frozenset[str] | None,
    report: TransferReport,
    total: int,
    progress: Progress | None,
) -> None:
    # Only the native format holds a span's suggestion source; most projects have none.
    sourced = options.format == "jsonl" and project.has_span_sources()
    for done, (document, layers) in enumerate(project.iter_corpus(options.layer), start=1):
        records = [
            CorpusRecord(document.id, document.title, document.text, name, status, spans, document.meta)
            for name, status, spans in layers
        ] or [CorpusRecord(document.id, document.title, document.text, None, None, [], document.meta)]
        if sourced:
            found = project.span_sources(document.id)
            for record in records:
                record.sources = found.get(record.annotator) if record.annotator is not None else None
        writer = outputs.writer(splits[document.id] if splits is not None else None)
        wrote = False
        for record in records:
            if options.done_only and record.status != "done":
                continue
            if keep is not None:
                chosen = [s for s in record.spans if s[2] in keep]
                if len(chosen) != len(record.spans):
                    others = sorted({s[2] for s in record.spans if s[2] not in keep})
                    report.leave_out(
                        OTHER_LABELS, f"{record.id}: {', '.join(others)}", len(record.spans) - len(chosen)
                    )
                record.spans = chosen
            writer.write(record)
            report.records += 1
            report.spans += len(record.spans)
            wrote = True
        report.documents += wrote
        if progress is not None:
            progress(done, total)
