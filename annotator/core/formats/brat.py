"""brat standoff: a folder with ``id.txt`` and ``id.ann`` per document and layer.

Each annotator's layer is a sub-folder named after the annotator; a document without a layer
sits at the top with an empty ``.ann``. File and folder names are the document id and the
annotator's name, percent-encoded where they are not safe, portable and distinct file names (see
:class:`~annotator.core.output_files.FileNames`); an id too long for a file name is shortened
with a hash and reported. Spans are ``T`` lines, notes ``AnnotatorNotes``; a span crossing a line
break is written as fragments around the break, as brat itself does, and read back as one span.
Left out and reported: spans whose label contains a space (brat types cannot), spans starting or
ending with a line break, and notes containing a line break. Titles, meta and status are not
part of brat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

from annotator.core.errors import InputError
from annotator.core.formats.input_files import check_file_name, walk_files
from annotator.core.formats.records import CorpusRecord, SpanTuple, TransferReport, describe, shown
from annotator.core.output_files import FileNames, create_text_file, file_in

LINE_BREAKS = "\r\n"
LABEL_SPACE = "spans whose label contains a space (brat types cannot)"
LONG_ID = (
    "document ids too long for a file name (written under a shortened name ending in ~ and a hash, "
    "which an import takes as the id)"
)
LONG_LAYER = (
    "annotator names too long for a folder name (written under a shortened name ending in ~ and a "
    "hash, which an import takes as the annotator)"
)
SUFFIXES = (".txt", ".ann")
_FRAGMENT = re.compile(r"[^\r\n]+")
_OFFSETS = re.compile(r"^([0-9]+) ([0-9]+)((?:;[0-9]+ [0-9]+)*)$")
#: Offsets longer than this many digits are out of any text's range (and int() refuses 4,300).
_MAX_DIGITS = 18


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


class BratWriter:
    """Writes ``.txt`` + ``.ann`` pairs under a folder (which must be new and empty)."""

    def __init__(self, root: Path, report: TransferReport) -> None:
        self.root = root
        self.report = report
        #: The names given in each folder: the root (top-level documents and layer folders) and
        #: each layer's folder.
        self.names: dict[Path, FileNames] = {root: FileNames()}
        self.layers: dict[str, Path] = {}

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
        lines: list[str] = []
        number = 0
        for span in record.spans:
            start, end, label, note = span
            covered = text[start:end]
            if " " in label:
                self.report.leave_out(LABEL_SPACE, describe(record, span))
                continue
            if covered[0] in LINE_BREAKS or covered[-1] in LINE_BREAKS:
                self.report.leave_out("spans starting or ending with a line break", describe(record, span))
                continue
            number += 1
            fragments = [(start + m.start(), start + m.end()) for m in _FRAGMENT.finditer(covered)]
            offsets = ";".join(f"{a} {b}" for a, b in fragments)
            quoted = " ".join(text[a:b] for a, b in fragments)
            lines.append(f"T{number}\t{label} {offsets}\t{quoted}\n")
            if note is not None:
                if any(ch in note for ch in LINE_BREAKS):
                    self.report.leave_out("notes containing a line break", describe(record, span))
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
        spans: dict[str, tuple[int, int, str, int]] = {}
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
                match = _OFFSETS.match(offsets)
                if not match:
                    raise InputError(ann, f"cannot parse offsets {shown(offsets)}", number)
                fragments = [_offsets(f) for f in offsets.split(";")]
                for a, b in fragments:
                    if not 0 <= a < b <= len(text):
                        raise InputError(
                            ann,
                            f"span [{a}, {b}) {shown(label)} is outside its text ({len(text)} chars)",
                            number,
                        )
                start, end = fragments[0][0], fragments[-1][1]
                for (_a, b), (c, _d) in zip(fragments, fragments[1:], strict=False):
                    if c < b or text[b:c].strip(LINE_BREAKS):
                        raise InputError(
                            ann,
                            f"discontinuous span {parts[0]} has a gap that is not a line break; "
                            "Annotator spans are continuous",
                            number,
                        )
                quoted = " ".join(text[a:b] for a, b in fragments)
                if parts[2] != quoted:
                    raise InputError(
                        ann,
                        f"span {parts[0]} [{start}, {end}) {shown(label)}: its text {shown(parts[2])} "
                        f"differs from the document's {shown(quoted)} (offsets must be code points, "
                        "end-exclusive)",
                        number,
                    )
                if parts[0] in spans:
                    raise InputError(ann, f"annotation id {parts[0]} is used twice", number)
                spans[parts[0]] = (start, end, label, number)
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
        for target, (_note, number) in notes.items():
            if target not in spans:
                if target.startswith("T"):
                    raise InputError(ann, f"note refers to {target}, which is not in this file", number)
                report.leave_out("notes on relations or events", f"{ann.name}:{number}")
        ordered = sorted(spans.items(), key=lambda item: item[1][:3])
        result: list[SpanTuple] = [
            (s, e, lab, notes[key][0] if key in notes else None) for key, (s, e, lab, _n) in ordered
        ]
        if ann.parent != root:
            annotator: str | None = unquote(ann.parent.name)
        else:
            annotator = unquote(root.name) if (spans or notes) else None
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
