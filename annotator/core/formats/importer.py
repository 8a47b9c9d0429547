"""Importing corpora (native jsonl, doccano, prodigy, conll, brat, plain documents) atomically.

Every file is checked as it is read; documents and spans go into the project inside one
transaction, so any error (or a cancel) leaves the project exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.formats import registry
from annotator.core.formats.brat import ann_files
from annotator.core.formats.csvfile import Columns
from annotator.core.formats.input_files import check_file_name, check_input_file, collect_files
from annotator.core.formats.jsonlines import iter_json_lines
from annotator.core.formats.plain import document_from_record, read_documents
from annotator.core.formats.records import CorpusRecord, Progress, TransferReport, shown
from annotator.core.formats.registry import IMPORT_SUFFIXES, JSON_SUFFIXES
from annotator.core.model import validate_annotator_name
from annotator.core.store import DocumentInput, Project

DUPLICATES = "spans the layer already had (kept once)"


@dataclass(frozen=True)
class ImportOptions:
    """Mirrors ``annotator import``'s options."""

    format: str | None = None  # None: detect per file
    annotator: str | None = None
    add_labels: bool = False
    #: CSV/TSV only: the columns holding the text (default: the one named "text"), id and title.
    text_column: str | None = None
    id_column: str | None = None
    title_column: str | None = None


def detect_file(path: Path) -> str:
    """The format of one file: by suffix, and for JSON lines by the fields of the first record
    (each format's ``detect`` in the registry, in table order)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return "text"
    if suffix == ".ann":
        raise InputError(path, "a brat .ann file: import the folder that holds it")
    if suffix in JSON_SUFFIXES:
        return registry.detect_json_file(path)
    for fmt in registry.FORMATS:
        if not fmt.folder and fmt.detect is None and suffix in fmt.suffixes:
            return fmt.name
    raise InputError(path, f"unsupported file type {path.suffix or '(none)'!r}: give --format")


@dataclass(frozen=True)
class Source:
    """One input to read: a file in ``format``, or a brat folder with its ``.ann`` files."""

    format: str
    path: Path
    anns: tuple[Path, ...] = ()


def sources(paths: Iterable[str | Path], forced: str | None, notes: list[str] | None = None) -> list[Source]:
    """Every input: brat folders whole, other folders file by file (links followed, once;
    what a folder walk left out is added to ``notes``)."""
    if forced is not None:
        registry.get(forced)
    found: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            walked: list[str] = []
            anns = ann_files(path, walked)
            if forced == "brat" or (forced is None and anns):
                if not anns:
                    raise InputError(path, "no brat .ann files in this folder")
                if notes is not None:
                    notes.extend(walked)
                found.append(Source("brat", path, tuple(anns)))
                continue
            suffixes = IMPORT_SUFFIXES
            files = collect_files([path], suffixes, notes)
            if not files:
                raise InputError(path, f"nothing to import in this folder (no {', '.join(suffixes)} files)")
            for file in files:
                found.append(Source(forced or detect_file(file), file))
        elif forced == "brat":
            check_input_file(path)
            raise InputError(path, "brat input is a folder of .txt and .ann files")
        else:
            check_input_file(path)
            check_file_name(path)
            found.append(Source(forced or detect_file(path), path))
    return found


def _count_lines(path: Path) -> int:
    count = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                count += chunk.count(b"\n")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    return count + 1


def _records(source: Source, report: TransferReport) -> Iterator[CorpusRecord]:
    reader = registry.BY_NAME[source.format].reader
    assert reader is not None, source.format  # documents without spans are read by _items
    return reader(source.path, source.anns, report)


def _items(
    source: Source, report: TransferReport, options: ImportOptions
) -> Iterator[DocumentInput | CorpusRecord]:
    """Plain documents (format "text", tables) or corpus records, as read from one input."""
    fmt, path = source.format, source.path
    documents = registry.BY_NAME[fmt].documents
    if documents is not None:
        yield from documents(path, Columns(options.text_column, options.id_column, options.title_column))
    elif fmt == "text" and path.suffix.lower() in JSON_SUFFIXES:
        for number, obj in iter_json_lines(path):
            yield document_from_record(path, number, obj)
    elif fmt == "text":
        yield from read_documents([path])
    else:
        yield from _records(source, report)


class _Importer:
    """Checks records as they come and writes them in batches (documents first, then layers)."""

    #: A batch is written when it holds this many records or spans (bounded memory; few
    #: add_documents calls, each of which looks up the next position in the whole table).
    BATCH_RECORDS = 2048
    BATCH_SPANS = 100_000

    def __init__(self, project: Project, options: ImportOptions, report: TransferReport) -> None:
        self.project = project
        self.options = options
        self.report = report
        self.label_names = set(project.labels().names)
        self.documents: set[str] = set()
        self.pending: list[tuple[DocumentInput, CorpusRecord | None, str | None]] = []
        self.pending_spans = 0

    def add_document(self, doc: DocumentInput) -> None:
        self.pending.append((doc, None, None))
        if len(self.pending) >= self.BATCH_RECORDS:
            self.flush()

    def add(self, record: CorpusRecord) -> None:
        path = record.path or Path("?")
        origin = f"{path}:{record.line}" if record.line is not None else str(path)
        layer = self.options.annotator or record.annotator
        if layer is None:
            if record.spans:
                raise InputError(path, "spans without an annotator: give --annotator NAME", record.line)
        else:
            try:
                layer = validate_annotator_name(layer)
            except AnnotatorError as exc:
                raise InputError(path, str(exc), record.line) from None
            known = self.label_names
            if not known.issuperset([span[2] for span in record.spans]):
                for index, span in enumerate(record.spans):
                    if span[2] not in known:
                        self.unknown_label(record, index)
        doc = DocumentInput(record.id, record.text, record.title, path.name, record.meta, origin)
        self.pending.append((doc, record, layer))
        self.pending_spans += len(record.spans)
        if len(self.pending) >= self.BATCH_RECORDS or self.pending_spans >= self.BATCH_SPANS:
            self.flush()

    def flush(self) -> None:
        """Write the pending documents in one call, then their layers."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        self.pending_spans = 0
        result = self.project.add_documents(doc for doc, _record, _layer in pending)
        new_ids = set(result.added)
        for doc, record, layer in pending:
            if doc.id not in self.documents:
                self.documents.add(doc.id)
                self.report.documents += 1
                self.report.reused += doc.id not in new_ids
            self.report.records += 1
            if record is None:
                continue
            if layer is None:
                continue
            added, present = self.project.import_layer(
                record.id, layer, record.spans, record.status, record.sources
            )
            self.report.spans += added
            if present:
                self.report.leave_out(DUPLICATES, f"{record.id}/{layer}", present)

    def unknown_label(self, record: CorpusRecord, index: int) -> None:
        label = record.spans[index][2]
        line = record.span_lines[index] if record.span_lines is not None else record.line
        if not self.options.add_labels:
            names = ", ".join(sorted(self.label_names))
            raise InputError(
                record.path or Path("?"),
                f"unknown label {shown(label)} (labels are: {names}); "
                "add it first or import with --add-labels",
                line,
            )
        try:
            self.project.ensure_labels([label])
        except AnnotatorError as exc:
            raise InputError(record.path or Path("?"), str(exc), line) from None
        self.label_names.add(label)
        self.report.notes.append(f"added label {shown(label)}")


def import_corpus(
    project: Project,
    paths: Iterable[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> TransferReport:
    """Import every input in one transaction; on any error or cancel nothing is kept."""
    options = options or ImportOptions()
    if options.annotator is not None:
        try:
            validate_annotator_name(options.annotator)
        except AnnotatorError as exc:
            raise AnnotatorError(f"--annotator: {exc}") from None
    report = TransferReport()
    found = sources(paths, options.format, report.notes)
    units = [
        _count_lines(s.path)
        if registry.BY_NAME[s.format].detect is not None  # JSON Lines: counted in lines
        or (s.format == "text" and s.path.suffix.lower() in JSON_SUFFIXES)
        else len(s.anns)
        if s.format == "brat"
        else 1
        for s in found
    ]
    total = sum(units)
    done = 0
    importer = _Importer(project, options, report)
    try:
        with project.bulk_transaction():
            for source, unit in zip(found, units, strict=True):
                start = done
                if progress is not None:
                    progress(start, total)  # a cancel also stops before the next file is read
                step = 0
                for item in _items(source, report, options):
                    if isinstance(item, DocumentInput):
                        importer.add_document(item)
                    else:
                        importer.add(item)
                    step += 1
                    if progress is not None and step % 16 == 0:
                        progress(start + min(step, unit), total)
                importer.flush()
                done = start + unit
                report.files.append(source.path)
                if progress is not None:
                    progress(done, total)
    except BaseException:
        project.forget_cached()
        raise
    return report
