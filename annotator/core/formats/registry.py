"""The one table of corpus formats: what each is, how it is read, written and detected, what it
cannot hold.

The command line's ``--format`` choices, the exporter and importer, the window's Import/Export
dialogs (names, hints, file filters) and the table in docs/formats.md all read :data:`FORMATS`
(docs/formats.md's table is :func:`markdown_table`, checked by a test). Adding a format is one
module with its reader and writer, and one row here.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from annotator.core.errors import AnnotatorError
from annotator.core.formats.brat import BratWriter, read_brat
from annotator.core.formats.conll import ConllWriter, read_conll
from annotator.core.formats.csvfile import Columns, read_csv_documents
from annotator.core.formats.doccano import DoccanoWriter, parse_doccano
from annotator.core.formats.hf import HfTokenWriter
from annotator.core.formats.input_files import decode_text, read_bytes, read_text_file
from annotator.core.formats.jsonl import NativeWriter, parse_native
from annotator.core.formats.jsonlines import first_json_record, iter_json_lines
from annotator.core.formats.labelstudio import LabelStudioWriter, read_labelstudio, starts_as_array
from annotator.core.formats.prodigy import REJECTED, ProdigyWriter, parse_prodigy
from annotator.core.formats.records import CorpusRecord, TransferReport
from annotator.core.formats.spacy_docbin import DocBinWriter, read_docbin
from annotator.core.model import LabelSet
from annotator.core.store import DocumentInput

if TYPE_CHECKING:
    from annotator.core.formats.exporter import ExportOptions


class Writer(Protocol):
    def write(self, record: CorpusRecord) -> None: ...

    def close(self) -> None: ...


#: Reads one input (a file, or a folder with the files found in it) into records.
Reader = Callable[[Path, tuple[Path, ...], TransferReport], Iterator[CorpusRecord]]
#: Reads one file of plain documents (no spans), given the columns chosen for tables.
DocumentReader = Callable[[Path, Columns], Iterator[DocumentInput]]
#: Makes the writer of a single-file format over an open text stream.
FileWriter = Callable[[TextIO, TransferReport, "ExportOptions"], Writer]
#: Makes the writer of a format that writes a path itself: a folder format under a new, empty
#: folder, or a binary file (with the labels chosen).
PathWriter = Callable[[Path, TransferReport, "ExportOptions", LabelSet | None], Writer]


@dataclass(frozen=True)
class Format:
    """One corpus format. ``reader`` None: not imported (or, "text", by the plain reader);
    ``writer`` (a text stream) and ``path_writer`` (a folder or a binary file) None: not exported."""

    name: str  #: the ``--format`` value
    title: str  #: shown in the window's format list and file filter
    purpose: str  #: what it is, in a few words
    hint: str  #: one line under the format list: what to expect
    consumers: str  #: which tools read it (each tested with its consumer in tests/consumers)
    cannot_hold: str  #: what an export leaves out, and reports
    warnings: str  #: what is written but its tool will refuse or read otherwise (reported)
    round_trip: str
    extension: str = ""  #: of an exported file ("" for a folder format)
    folder: bool = False  #: exported as a folder of files
    suffixes: tuple[str, ...] = ()  #: file suffixes an import takes as this format
    #: For JSON Lines formats: does a first record look like this format (checked in table order)?
    detect: Callable[[dict[str, Any]], bool] | None = None
    reader: Reader | None = None
    writer: FileWriter | None = None
    path_writer: PathWriter | None = None
    documents: DocumentReader | None = None  #: reads documents without spans (instead of ``reader``)

    @property
    def binary(self) -> bool:
        """A single file the format writes itself (never to a stream)."""
        return not self.folder and self.path_writer is not None

    @property
    def exports(self) -> bool:
        return self.writer is not None or self.path_writer is not None

    @property
    def files(self) -> str:
        """What an export makes, for the docs."""
        if self.folder:
            return "a folder of " + " + ".join(f"`{s}`" for s in self.suffixes)
        return f"one `{self.extension}`"


JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
CONLL_SUFFIXES = (".conll", ".bio", ".iob")
TEXT_SUFFIXES = (".txt",)


def _json_reader(parse: Callable[[Path, int, dict[str, Any], TransferReport], CorpusRecord | None]) -> Reader:
    def read(path: Path, _files: tuple[Path, ...], report: TransferReport) -> Iterator[CorpusRecord]:
        for number, obj in iter_json_lines(path):
            record = parse(path, number, obj, report)
            if record is None:
                report.leave_out(REJECTED, f"{path.name}:{number}")
            else:
                yield record

    return read


def _read_conll(path: Path, _files: tuple[Path, ...], _report: TransferReport) -> Iterator[CorpusRecord]:
    return read_conll(path, read_text_file(path))


def _read_brat(path: Path, anns: tuple[Path, ...], report: TransferReport) -> Iterator[CorpusRecord]:
    return read_brat(path, list(anns), report, read_brat_file)


def read_brat_file(path: Path) -> str:
    """A brat file's text. brat reads its files as plain UTF-8, so a U+FEFF at the start of a
    ``.txt`` is a character its offsets count (and the brat export writes it when a text starts
    with one): it is kept, not dropped as a byte-order mark."""
    data = read_bytes(path)
    text = decode_text(path, data)
    if path.suffix.lower() == ".txt" and data.startswith(codecs.BOM_UTF8):
        text = "\ufeff" + text
    return text


def _is_prodigy(record: dict[str, Any]) -> bool:
    return any(key in record for key in ("tokens", "answer", "_input_hash", "_annotator_id"))


FORMATS: tuple[Format, ...] = (
    Format(
        name="jsonl",
        title="Annotator JSONL (native, loses nothing)",
        purpose="Annotator's native JSON Lines",
        hint="One line per document and annotator; every span, note, status, source and meta kept.",
        consumers="Annotator, `annotator agree`, any JSON reader (JSON Schema)",
        cannot_hold="nothing",
        warnings="—",
        round_trip="byte-identical",
        extension=".jsonl",
        suffixes=JSON_SUFFIXES,
        detect=lambda record: "spans" in record and not _is_prodigy(record),  # Prodigy tasks have spans too
        reader=_json_reader(lambda path, number, obj, _report: parse_native(path, number, obj)),
        writer=lambda out, report, _options: NativeWriter(out, report),
    ),
    Format(
        name="doccano",
        title="doccano JSONL (sequence labelling)",
        purpose="doccano sequence-labelling JSONL",
        hint="Span notes and status are not part of doccano and are left out (counted).",
        consumers=(
            "doccano 1.8.4's import (its pipeline with pandas and chardet; "
            "the real doccano under `-m doccano`)"
        ),
        cannot_hold="span notes; status",
        warnings="overlapping spans (a doccano project drops them), empty texts (doccano refuses them)",
        round_trip="byte-identical",
        extension=".jsonl",
        suffixes=JSON_SUFFIXES,
        detect=lambda record: ("label" in record or "entities" in record) and not _is_prodigy(record),
        reader=_json_reader(parse_doccano),
        writer=lambda out, report, _options: DoccanoWriter(out, report),
    ),
    Format(
        name="prodigy",
        title="Prodigy JSONL (ner_manual or spans_manual tasks)",
        purpose="Prodigy `ner_manual` or `spans_manual` tasks",
        hint="Tokenised; spans off token boundaries keep their offsets but get no token indices.",
        consumers="spaCy (`Doc(vocab, words, spaces)`, `char_span`, `doc.ents`, span groups)",
        cannot_hold=(
            "`ner_manual`: overlapping spans; token indices of spans off token boundaries "
            "(the span keeps its characters)"
        ),
        warnings="—",
        round_trip="byte-identical",
        extension=".jsonl",
        suffixes=JSON_SUFFIXES,
        detect=_is_prodigy,
        reader=_json_reader(parse_prodigy),
        writer=lambda out, report, options: ProdigyWriter(out, report, options.prodigy_view),
    ),
    Format(
        name="conll",
        title="CoNLL BIO tags (token classification)",
        purpose="CoNLL-2003 columns, BIO tags",
        hint="One tag per token: overlapping spans and span notes are left out (counted).",
        consumers="`spacy convert --converter ner`, conlleval's column rule, seqeval (strict IOB2)",
        cannot_hold=(
            "overlapping spans, spans off token boundaries, labels with a space, notes, the id of a "
            "document without a token, the text's spacing"
        ),
        warnings="—",
        round_trip="byte-identical export after import (tokens, tags, ids)",
        extension=".conll",
        suffixes=CONLL_SUFFIXES,
        reader=_read_conll,
        writer=lambda out, report, _options: ConllWriter(out, report),
    ),
    Format(
        name="brat",
        title="brat standoff (folder of .txt + .ann)",
        purpose="brat standoff",
        hint="One sub-folder per annotator; titles, meta and status are not part of brat.",
        consumers="brat's own reader and configuration parser, pybrat, bioc",
        cannot_hold=(
            "labels with a space, spans starting or ending with a line break, notes with a line break, "
            "titles, meta, status"
        ),
        warnings=(
            "texts with `\\r\\n` (offsets count it as one character, as these readers do); labels brat "
            "cannot declare as types; with `--brat-line-ends lf`, texts whose line ends changed"
        ),
        round_trip="byte-identical",
        folder=True,
        suffixes=(".txt", ".ann"),
        reader=_read_brat,
        path_writer=lambda root, report, options, labels: BratWriter(
            root, report, labels, options.brat_line_ends
        ),
    ),
    Format(
        name="labelstudio",
        title="Label Studio JSON tasks",
        purpose="Label Studio JSON tasks: annotations per layer, suggestion layers as predictions",
        hint="One task per document, one annotation per layer, suggestions as predictions; notes left out.",
        consumers="a real Label Studio server: API import, JSON export and snapshot export (-m labelstudio)",
        cannot_hold="span notes",
        warnings="—",
        round_trip="spans, layers, statuses, ids, titles and meta (not notes)",
        extension=".json",
        suffixes=(".json", ".jsonl", ".ndjson"),
        detect=lambda record: isinstance(record.get("data"), dict),
        reader=lambda path, _files, report: read_labelstudio(path, report),
        writer=lambda out, report, _options: LabelStudioWriter(out, report),
    ),
    Format(
        name="spacy",
        title="spaCy DocBin (.spacy, for spacy train)",
        purpose="spaCy's binary training data (`DocBin`): `doc.ents` and the span group `sc`",
        hint="One Doc per document and layer; spans off spaCy's tokens are left out (counted).",
        consumers='spaCy (`DocBin().from_disk`, `doc.ents`, `doc.spans["sc"]`; what `spacy train` reads)',
        cannot_hold="spans whose ends are not spaCy token boundaries; span notes",
        warnings='overlapping spans: all in `doc.spans["sc"]`, only the earlier, longer one in `doc.ents`',
        round_trip="spans, ids, titles, layers, status and meta (not notes)",
        extension=".spacy",
        suffixes=(".spacy",),
        reader=lambda path, _files, report: read_docbin(path, report),
        path_writer=lambda path, report, options, _labels: DocBinWriter(path, report, options.spacy_lang),
    ),
    Format(
        name="hf",
        title="Hugging Face token classification (dataset folder)",
        purpose="Hugging Face token classification: `tokens` and `ner_tags` (a `ClassLabel`)",
        hint="A folder datasets.load_dataset reads; overlapping spans and notes are left out (counted).",
        consumers="`datasets.load_dataset(FOLDER)` (features from its card), transformers' `id2label`",
        cannot_hold=(
            "overlapping spans, spans off token boundaries, notes, the text's spacing, titles, meta, status"
        ),
        warnings="—",
        round_trip="— (export only)",
        folder=True,
        suffixes=(".jsonl", ".md", ".json"),
        path_writer=lambda root, report, options, labels: HfTokenWriter(
            root,
            report,
            labels if labels is not None else LabelSet(()),
            root.name if options.split else "train",
        ),
    ),
    Format(
        name="csv",
        title="CSV/TSV documents (a header row, a text column)",
        purpose="documents as table rows: a text column, optional id and title columns, the rest meta",
        hint="One document per row; --text-column, --id-column, --title-column name the columns.",
        consumers="—",
        cannot_hold="spans (import only)",
        warnings="—",
        round_trip="—",
        suffixes=(".csv", ".tsv"),
        documents=read_csv_documents,
    ),
    Format(
        name="text",
        title="Plain documents (.txt, or JSONL with text)",
        purpose="documents without spans",
        hint="Each .txt file is one document (its name the id); JSON Lines give text, id, title, meta.",
        consumers="—",
        cannot_hold="spans (import only)",
        warnings="—",
        round_trip="—",
        suffixes=(*TEXT_SUFFIXES, *JSON_SUFFIXES),
    ),
)

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
#: Formats ``annotator export --format`` writes, the native one first (the default).
EXPORT_FORMATS: tuple[str, ...] = tuple(f.name for f in FORMATS if f.exports)
#: Formats ``annotator import --format`` reads ("text": plain documents, no spans).
IMPORT_FORMATS: tuple[str, ...] = tuple(
    f.name for f in FORMATS if f.reader is not None or f.documents is not None or f.name == "text"
)
#: Formats exported as a folder of files.
FOLDER_FORMATS: frozenset[str] = frozenset(f.name for f in FORMATS if f.folder)
#: Every suffix a folder import looks for (brat's ``.ann`` folders are found separately).
IMPORT_SUFFIXES: tuple[str, ...] = tuple(
    dict.fromkeys(s for f in FORMATS if not f.folder for s in f.suffixes)
)


def get(name: str, *, exporting: bool = False) -> Format:
    """The format called ``name``; an unknown one is an error listing the choices."""
    choices = EXPORT_FORMATS if exporting else IMPORT_FORMATS
    if name not in choices:
        raise AnnotatorError(f"unknown format {name!r} (choose from {', '.join(choices)})")
    return BY_NAME[name]


def detect_json(record: dict[str, Any]) -> str:
    """The JSON Lines format whose fields a first record has ("text" when none fits)."""
    for fmt in FORMATS:
        if fmt.detect is not None and fmt.detect(record):
            return fmt.name
    return "text"


def detect_json_file(path: Path) -> str:
    """The format of a JSON file: a ``.json`` file holding a JSON array is a Label Studio export,
    JSON Lines go by their first record (:func:`detect_json`)."""
    if starts_as_array(path):
        return "labelstudio"
    record = first_json_record(path)
    return "text" if record is None else detect_json(record)


def markdown_table() -> str:
    """The per-format table of docs/formats.md."""
    rows = [
        "| format | what it is | file(s) | read by (tested with) | cannot hold — reported as left out "
        "| the reader will refuse or read otherwise — reported as a warning | round trip |",
        "|---|---|---|---|---|---|---|",
    ]
    for fmt in FORMATS:
        if not fmt.exports:
            continue
        cells = (f"`{fmt.name}`", fmt.purpose, fmt.files, fmt.consumers, fmt.cannot_hold, fmt.warnings)
        rows.append("| " + " | ".join((*cells, fmt.round_trip)) + " |")
    return "\n".join(rows) + "\n"


def file_filter(fmt: Format) -> str:
    """A file-dialog filter for one format's files (``"Title (*.jsonl *.json)"``)."""
    return f"{fmt.title} ({' '.join('*' + s for s in fmt.suffixes)})"


def import_filter() -> str:
    """The Import dialog's filters: every importable file, then one per format, then all files."""
    every = " ".join("*" + s for s in IMPORT_SUFFIXES)
    singles = [file_filter(f) for f in FORMATS if not f.folder]
    return ";;".join([f"Corpus files ({every})", *singles, "All files (*)"])
