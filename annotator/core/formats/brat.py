"""brat standoff: a folder with ``id.txt`` and ``id.ann`` per document and layer.

Each annotator's layer is a sub-folder named after the annotator; a document without a layer
sits at the top with an empty ``.ann``. File and folder names are the document id and the
annotator's name, percent-encoded where they are not safe, portable and distinct file names (see
:class:`~annotator.core.output_files.FileNames`); an id too long for a file name is shortened
with a hash and reported. Spans are ``T`` lines, notes ``AnnotatorNotes``. The top folder also
gets ``annotation.conf`` (the labels as entity types) and ``visual.conf`` (their colours), so
brat shows them as configured types.

**Line ends.** brat reads a ``.txt`` with universal newlines, so ``\r\n`` is one character to
it, and pybrat and bioc read the same way (brat issue #853). The export writes the text as it is
and counts each ``\r\n`` as one character in the ``.ann`` offsets, so those readers land on the
right characters (reported as a warning: a reader that keeps ``\r\n`` as two characters would
not); ``line_ends="lf"`` writes ``\r\n`` and ``\r`` as ``\n`` instead (reported: the texts
differ from the project's). The import reads either convention: for a text with ``\r\n``, the
offsets are read the way under which every span's quoted text matches (brat's first).

**Line breaks in spans.** brat's reader splits ``.ann`` lines at every character
``str.splitlines`` splits on (``\n``, ``\r``, VT, FF, U+001C-U+001E, NEL, U+2028, U+2029), so
a span crossing one is written as fragments around it, as brat itself does, and read back as
one span. Left out and reported: spans whose label contains a space (brat types cannot), spans
starting or ending with a line break, and notes containing one. Titles, meta and status are not
part of brat. On import, a discontinuous span (a gap that is not line breaks) is skipped and
reported, as are relations, events, attributes and normalisations.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

from annotator.core.errors import InputError
from annotator.core.formats.input_files import check_file_name, walk_files
from annotator.core.formats.records import CorpusRecord, SpanTuple, TransferReport, describe, shown
from annotator.core.model import LabelSet
from annotator.core.output_files import FileNames, create_text_file, file_in

#: The characters ``str.splitlines`` ends a line at: brat's reader splits ``.ann`` lines there.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
LABEL_SPACE = "spans whose label contains a space (brat types cannot)"
EDGE_BREAK = "spans starting or ending with a line break"
NOTE_BREAK = "notes containing a line break"
LONG_ID = (
    "document ids too long for a file name (written under a shortened name ending in ~ and a hash, "
    "which an import takes as the id)"
)
LONG_LAYER = (
    "annotator names too long for a folder name (written under a shortened name ending in ~ and a "
    "hash, which an import takes as the annotator)"
)
CRLF_KEPT = (
    "texts with \\r\\n line ends, written as they are with offsets counting each \\r\\n as one "
    "character, as brat, pybrat and bioc read them (--brat-line-ends lf writes \\n instead)"
)
LF_WRITTEN = (
    "texts whose \\r\\n or \\r line ends were written as \\n (--brat-line-ends lf); an import "
    "gives these texts with \\n"
)
UNDECLARED = (
    "labels brat cannot declare as a type (its type names hold only ASCII letters, digits, _ and -); "
    "their spans are written and shown as undeclared types"
)
DISCONTINUOUS = "discontinuous brat spans (Annotator spans are continuous)"
NOTE_ON_SKIPPED = "notes on skipped spans"
#: The names of brat's configuration files, written at the top of an export.
CONF_FILES = ("annotation.conf", "visual.conf")
SUFFIXES = (".txt", ".ann")
_FRAGMENT = re.compile(f"[^{LINE_BREAKS}]+")
_OFFSETS = re.compile(r"^([0-9]+) ([0-9]+)((?:;[0-9]+ [0-9]+)*)$")
_TYPE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
#: Offsets longer than this many digits are out of any text's range (and int() refuses 4,300).
_MAX_DIGITS = 18


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


def _crlf_ends(text: str) -> list[int]:
    """The position of the ``\n`` of every ``\r\n`` in ``text``, in order."""
    positions: list[int] = []
    found = text.find("\r\n")
    while found >= 0:
        positions.append(found + 1)
        found = text.find("\r\n", found + 2)
    return positions


def annotation_conf(labels: LabelSet) -> str:
    """brat's ``annotation.conf`` declaring the labels that can be brat types as entity types."""
    lines = ["# Written by Annotator: the project's labels as brat entity types.", "[entities]"]
    lines += [label.name for label in labels if _TYPE_NAME.match(label.name)]
    lines += ["[relations]", "[events]", "[attributes]"]
    return "\n".join(lines) + "\n"


def visual_conf(labels: LabelSet) -> str:
    """brat's ``visual.conf``: each declared label's name and colour."""
    declared = [label for label in labels if _TYPE_NAME.match(label.name)]
    lines = ["# Written by Annotator: the project's label colours.", "[labels]"]
    lines += [f"{label.name} | {label.name}" for label in declared]
    lines.append("[drawing]")
    lines += [f"{label.name}\tbgColor:{label.color}, fgColor:black, borderColor:darken" for label in declared]
    return "\n".join(lines) + "\n"


class BratWriter:
    """Writes ``.txt`` + ``.ann`` pairs under a folder (which must be new and empty), and the
    folder's ``annotation.conf`` and ``visual.conf``."""

    def __init__(
        self,
        root: Path,
        report: TransferReport,
        labels: LabelSet | None = None,
        line_ends: str = "keep",
    ) -> None:
        if line_ends not in ("keep", "lf"):
            raise ValueError(f"unknown line ends {line_ends!r}")
        self.root = root
        self.report = report
        self.line_ends = line_ends
        #: The names given in each folder: the root (top-level documents and layer folders) and
        #: each layer's folder. The configuration files' names are taken first.
        self.names: dict[Path, FileNames] = {root: FileNames()}
        for name in CONF_FILES:
            self.names[root].name(name)
        self.layers: dict[str, Path] = {}
        if labels is not None:
            for label in labels:
                if not _TYPE_NAME.match(label.name) and " " not in label.name:
                    report.warn(UNDECLARED, label.name)
            for name, content in zip(CONF_FILES, (annotation_conf(labels), visual_conf(labels)), strict=True):
                with create_text_file(file_in(root, name)) as handle:
                    handle.write(content)

    def _layer_folder(self, annotator: str) -> Path:
        folder = self.layers.get(annotator)
        if folder is None:
            name, shortened = self.names[self.root].name(annotator)
            if shortened:
                self.report.leave_out(LONG_LAYER, f"{_short(annotator)} as …{name[-17:]}")
            folder = file_in(self.root, name)
            folder.mkdir()
            self.layers[annotator] = folder
            self.names[folder] = FileNames()
        return folder

    def write(self, record: CorpusRecord) -> None:
        folder = self._layer_folder(record.annotator) if record.annotator is not None else self.root
        text = record.text
        where = record.id + (f"/{record.annotator}" if record.annotator else "")
        crlf = _crlf_ends(text)  # each of these \n is not counted: its \r\n is one character
        if self.line_ends == "lf" and (crlf or "\r" in text):
            self.report.warn(LF_WRITTEN, where)
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        elif crlf:
            self.report.warn(CRLF_KEPT, where)
        lines: list[str] = []
        number = 0
        for span in record.spans:
            start, end, label, note = span
            covered = record.text[start:end]
            if " " in label:
                self.report.leave_out(LABEL_SPACE, describe(record, span))
                continue
            if covered[0] in LINE_BREAKS or covered[-1] in LINE_BREAKS:
                self.report.leave_out(EDGE_BREAK, describe(record, span))
                continue
            number += 1
            fragments = [(start + m.start(), start + m.end()) for m in _FRAGMENT.finditer(covered)]
            offsets = ";".join(f"{a - bisect_left(crlf, a)} {b - bisect_left(crlf, b)}" for a, b in fragments)
            quoted = " ".join(record.text[a:b] for a, b in fragments)
            lines.append(f"T{number}\t{label} {offsets}\t{quoted}\n")
            if note is not None:
                if any(ch in note for ch in LINE_BREAKS):
                    self.report.leave_out(NOTE_BREAK, describe(record, span))
                else:
                    lines.append(f"#{number}\tAnnotatorNotes T{number}\t{note}\n")
        stem, shortened = self.names[folder].name(record.id, SUFFIXES)
        if shortened:
            self.report.leave_out(LONG_ID, f"{_short(record.id)} as …{stem[-17:]}.txt")
        with create_text_file(file_in(folder, f"{stem}.txt")) as handle:
            handle.write(text)
        with create_text_file(file_in(folder, f"{stem}.ann")) as handle:
            handle.writelines(lines)

    def close(self) -> None:
        """Nothing to finish: every file is complete when written."""


def ann_files(root: Path, notes: list[str] | None = None) -> list[Path]:
    """The ``.ann`` files under ``root``, in a stable order (see :func:`walk_files`)."""
    return walk_files(root, (".ann",), notes)


def _offsets(fragment: str) -> tuple[int, int]:
    start, end = (int(n) if len(n) <= _MAX_DIGITS else 10**_MAX_DIGITS for n in fragment.split(" "))
    return start, end


class _TextBound:
    """A ``T`` line as read: its fragments in the file's offsets, before they are checked."""

    __slots__ = ("ident", "label", "fragments", "quoted", "number")

    def __init__(self, ident: str, label: str, fragments: list[tuple[int, int]], quoted: str, number: int):
        self.ident = ident
        self.label = label
        self.fragments = fragments
        self.quoted = quoted
        self.number = number


def _problem(text: str, fragments: list[tuple[int, int]], quoted: str) -> str | None:
    """Why ``fragments`` (code points) do not fit ``text`` and the quoted text, or None."""
    for a, b in fragments:
        if not 0 <= a < b <= len(text):
            return f"is outside its text ({len(text)} chars)"
    for (_a, b), (c, _d) in zip(fragments, fragments[1:], strict=False):
        if c < b:
            return "has fragments out of order or overlapping"
    if quoted != " ".join(text[a:b] for a, b in fragments):
        return "text differs"
    return None


def _from_brat(crlf: list[int]) -> Callable[[int], int]:
    """Code point offset from brat's (each ``\\r\\n`` of the text one character)."""
    merged = [position - 1 - index for index, position in enumerate(crlf)]  # each \r\n in brat's text
    return lambda offset: offset + bisect_left(merged, offset)


def _convention(ann: Path, text: str, bounds: list[_TextBound]) -> Callable[[int], int]:
    """How the offsets of ``ann`` count: brat's way (``\\r\\n`` as one character) or code points.

    Only a text with ``\\r\\n`` has two readings; the one under which every span's quoted text
    matches is taken, brat's first (brat, and Annotator's exports, count that way; Annotator's
    earlier exports counted code points). Neither: the first span that does not fit is refused.
    """
    crlf = _crlf_ends(text)
    readings: list[Callable[[int], int]] = [_from_brat(crlf)] if crlf else []
    readings.append(lambda offset: offset)
    for reading in readings:
        if all(
            _problem(text, [(reading(a), reading(b)) for a, b in bound.fragments], bound.quoted) is None
            for bound in bounds
        ):
            return reading
    reading = readings[0]
    for bound in bounds:
        fragments = [(reading(a), reading(b)) for a, b in bound.fragments]
        problem = _problem(text, fragments, bound.quoted)
        if problem is None:
            continue
        start, end = fragments[0][0], fragments[-1][1]
        where = f"span {bound.ident} [{start}, {end}) {shown(bound.label)}"
        counted = " (counting each \\r\\n as one character, as brat does, or as two)" if crlf else ""
        if problem == "text differs":
            quoted = " ".join(text[a:b] for a, b in fragments)
            raise InputError(
                ann,
                f"{where}: its text {shown(bound.quoted)} differs from the document's {shown(quoted)} "
                f"(offsets must be code points, end-exclusive{counted})",
                bound.number,
            )
        raise InputError(ann, f"{where} {problem}{counted}", bound.number)
    raise AssertionError("a reading that fits no span fits every span")  # pragma: no cover


def read_brat(
    root: Path, anns: list[Path], report: TransferReport, decode: Callable[[Path], str]
) -> Iterator[CorpusRecord]:
    """Records of a brat folder from its ``.ann`` files (:func:`ann_files`); ``decode(path) ->
    str`` reads a file's text (strictly decoded)."""
    for ann in anns:
        check_file_name(ann, root)
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise InputError(ann, f"no {txt.name} beside this .ann file")
        text: str = decode(txt)
        ann_text: str = decode(ann)
        bounds: list[_TextBound] = []
        seen: set[str] = set()
        notes: dict[str, tuple[str, int]] = {}
        for number, raw in enumerate(ann_text.split("\n"), start=1):
            line = raw.rstrip("\r")
            if not line.strip():
                continue
            kind = line[0]
            parts = line.split("\t", 2)
            if kind == "T":
                if len(parts) != 3 or " " not in parts[1]:
                    raise InputError(ann, f"cannot parse text-bound annotation {shown(line)}", number)
                label, _, offsets = parts[1].partition(" ")
                if not _OFFSETS.match(offsets):
                    raise InputError(ann, f"cannot parse offsets {shown(offsets)}", number)
                if parts[0] in seen:
                    raise InputError(ann, f"annotation id {parts[0]} is used twice", number)
                seen.add(parts[0])
                fragments = [_offsets(f) for f in offsets.split(";")]
                bounds.append(_TextBound(parts[0], label, fragments, parts[2], number))
            elif kind == "#":
                fields = parts[1].split(" ") if len(parts) == 3 else []
                if len(fields) == 2 and fields[0] == "AnnotatorNotes":
                    notes[fields[1]] = (parts[2], number)
                elif len(parts) >= 2:
                    report.leave_out("brat comments other than AnnotatorNotes", f"{ann.name}:{number}")
                else:
                    raise InputError(ann, f"cannot parse note {shown(line)}", number)
            elif kind in "REAMN*" and len(parts) >= 2:
                report.leave_out(
                    "brat relations, events, attributes and normalisations (Annotator has spans only)",
                    f"{ann.name}:{number}",
                )
            else:
                raise InputError(ann, f"cannot parse line {shown(line)}", number)
        reading = _convention(ann, text, bounds) if bounds else (lambda offset: offset)
        spans: dict[str, tuple[int, int, str, int]] = {}
        skipped: set[str] = set()
        for bound in bounds:
            fragments = [(reading(a), reading(b)) for a, b in bound.fragments]
            gaps = zip(fragments, fragments[1:], strict=False)
            if any(text[b:c].strip(LINE_BREAKS) for (_a, b), (c, _d) in gaps):
                report.leave_out(DISCONTINUOUS, f"{ann.name}:{bound.number} {bound.ident} {bound.label}")
                skipped.add(bound.ident)
                continue
            spans[bound.ident] = (fragments[0][0], fragments[-1][1], bound.label, bound.number)
        for target, (_note, number) in notes.items():
            if target not in spans:
                if target in skipped:
                    report.leave_out(NOTE_ON_SKIPPED, f"{ann.name}:{number}")
                elif target.startswith("T"):
                    raise InputError(ann, f"note refers to {target}, which is not in this file", number)
                else:
                    report.leave_out("notes on relations or events", f"{ann.name}:{number}")
        ordered = sorted(spans.items(), key=lambda item: item[1][:3])
        result: list[SpanTuple] = [
            (s, e, lab, notes[key][0] if key in notes else None) for key, (s, e, lab, _n) in ordered
        ]
        if ann.parent != root:
            annotator: str | None = unquote(ann.parent.name)
        else:
            annotator = unquote(root.name) if (spans or notes or skipped) else None
        yield CorpusRecord(
            unquote(ann.stem),
            None,
            text,
            annotator,
            None,
            result,
            {},
            None,
            ann,
            [item[1][3] for item in ordered],
        )
