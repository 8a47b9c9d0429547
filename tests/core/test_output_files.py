"""Writers stay inside the chosen folder, name files portably, and never replace a device or pipe."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.formats.brat import LONG_ID, LONG_LAYER
from annotator.core.formats.exporter import ExportOptions, export_corpus
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.model import validate_annotator_name
from annotator.core.output_files import MAX_NAME_BYTES, FileNames, file_in, write_text_atomically
from annotator.core.store import DocumentInput, Project

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{k}{n}" for k in ("COM", "LPT") for n in "0123456789"}


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def outputs(folder: Path) -> list[str]:
    """What is in ``folder`` besides the test's project file (and its -wal, -shm)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("project.db"))


def unchecked_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the store take any annotator name, as a project file written elsewhere may hold."""
    monkeypatch.setattr("annotator.core.store.documents.validate_annotator_name", lambda name: name)


# --------------------------------------------------------------------------------------------
# Item 4: names that would leave the folder
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [".", "..", " .. ", "\t."])
def test_dot_and_dot_dot_are_not_annotator_names(name: str) -> None:
    with pytest.raises(AnnotatorError, match="not allowed"):
        validate_annotator_name(name)


@pytest.mark.parametrize("name", ["a.b", "...", ".hidden", "alice.", "CON", "nul"])
def test_other_names_with_dots_or_device_names_are_allowed(name: str) -> None:
    assert validate_annotator_name(name) == name


def test_an_import_record_naming_layer_dot_dot_is_refused(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    record = {
        "id": "d1",
        "text": "Hello world",
        "annotator": "..",
        "spans": [{"start": 0, "end": 5, "label": "actor"}],
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"corpus\.jsonl:1: annotator name '\.\.' is not allowed"):
        import_corpus(project, [path])
    assert project.document_ids() == []


def test_the_annotator_option_refuses_dot_dot(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "d1.txt"
    path.write_text("Hello", encoding="utf-8")
    with pytest.raises(AnnotatorError, match=r"--annotator: annotator name '\.\.' is not allowed"):
        import_corpus(project, [path], ImportOptions(annotator=".."))


@pytest.mark.parametrize("folder", ["%2E%2E", "%2e", " %2E%2E "])
def test_a_brat_folder_whose_name_decodes_to_dot_dot_is_refused(
    project: Project, tmp_path: Path, folder: str
) -> None:
    root = tmp_path / "corpus"
    layer = root / folder
    layer.mkdir(parents=True)
    (layer / "d1.txt").write_text("Hello world", encoding="utf-8")
    (layer / "d1.ann").write_text("T1\tactor 0 5\tHello\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"d1\.ann: annotator name .* is not allowed"):
        import_corpus(project, [root], ImportOptions(format="brat"))
    assert project.document_ids() == []


def test_a_brat_export_of_layers_named_dot_and_dot_dot_stays_inside_its_folder(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's attack: a layer '..' wrote d1.txt/d1.ann into the export folder's parent."""
    unchecked_names(monkeypatch)
    project.add_documents([DocumentInput("d1", "Hello world"), DocumentInput("../escape", "Hi there")])
    project.add_span("d1", "..", 0, 5, "actor")
    project.add_span("d1", ".", 6, 11, "actor")
    project.add_span("../escape", "..", 0, 2, "actor")
    parent = tmp_path / "exports"
    parent.mkdir()
    (parent / "keep.txt").write_text("a user's file", encoding="utf-8")
    report = export_corpus(project, ExportOptions(format="brat", output=parent / "brat"))
    assert listing(parent) == [
        "brat",
        "brat/%2E",
        "brat/%2E%2E",
        "brat/%2E%2E/%2E.%2Fescape.ann",
        "brat/%2E%2E/%2E.%2Fescape.txt",
        "brat/%2E%2E/d1.ann",
        "brat/%2E%2E/d1.txt",
        "brat/%2E/d1.ann",
        "brat/%2E/d1.txt",
        "brat/annotation.conf",
        "brat/visual.conf",
        "keep.txt",
    ]
    assert (parent / "keep.txt").read_text(encoding="utf-8") == "a user's file"
    assert len(report.files) == 8


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", "a\\b", "/etc", "a\x00b"])
def test_file_in_refuses_anything_but_one_plain_component(tmp_path: Path, name: str) -> None:
    with pytest.raises(AnnotatorError, match="is not a file name inside"):
        file_in(tmp_path, name)


def test_file_in_keeps_an_ordinary_name(tmp_path: Path) -> None:
    assert file_in(tmp_path, "%2E%2E.txt") == tmp_path / "%2E%2E.txt"


# --------------------------------------------------------------------------------------------
# Item 4: portable, distinct names
# --------------------------------------------------------------------------------------------

AWKWARD_IDS = [
    "CON",
    "nul",
    "Com1",
    "lpt9.txt",
    "aux.tar.gz",
    "NUL .txt",
    "a.",
    "b ",
    "c. .",
    " d",
    ".hidden",
    ".",
    "..",
    "Doc",
    "doc",
    "DOC",
    "dOc",
    "Zoë",
    "ZOË",
    "x/../y",
    "%41",
    "A",
    "a",
]


def _reserved(name: str) -> bool:
    return name.split(".")[0].rstrip(" ").upper() in WINDOWS_RESERVED


def test_file_names_are_portable_distinct_and_give_the_id_back() -> None:
    names = FileNames()
    given = {}
    for ident in AWKWARD_IDS:
        stem, shortened = names.name(ident, (".txt", ".ann"))
        assert not shortened
        given[ident] = stem
    for ident, stem in given.items():
        assert unquote(stem) == ident
        assert not stem.startswith("."), stem
        assert not _reserved(stem + ".txt"), stem
        file_in(Path("/out"), stem + ".txt")
    folded = [(stem + suffix).lower() for stem in given.values() for suffix in (".txt", ".ann")]
    assert len(set(folded)) == len(folded)


def test_folder_names_never_end_with_a_dot_or_space() -> None:
    names = FileNames()
    for ident in ["alice.", "bob ", "carol. ", "x..", "CON", "..."]:
        stem, _ = names.name(ident)
        assert not stem.endswith((".", " ")), stem
        assert not _reserved(stem), stem
        assert unquote(stem) == ident


def test_a_name_too_long_is_shortened_with_a_hash_and_flagged() -> None:
    names = FileNames()
    long_ascii, long_cjk = "x" * 300, "語" * 80
    first, cut_first = names.name(long_ascii, (".txt", ".ann"))
    second, cut_second = names.name(long_ascii + "y", (".txt", ".ann"))
    folder, cut_folder = names.name(long_cjk)
    assert cut_first
    assert cut_second
    assert cut_folder
    assert first != second
    assert len((first + ".txt").encode()) <= MAX_NAME_BYTES
    assert len(folder.encode()) <= MAX_NAME_BYTES
    assert first.startswith("xxxx")
    assert first[-17] == "~"
    assert folder.startswith("%E8%AA%9E")
    assert "%" not in folder[-17:]
    assert names.name("x" * 200, (".txt",)) == ("x" * 200, False)


def test_brat_round_trip_with_awkward_ids_and_layers(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files distinct ignoring case, none reserved, none hidden; every id and layer comes back."""
    unchecked_names(monkeypatch)
    ids = [i for i in AWKWARD_IDS if i.strip()]
    project.add_documents([DocumentInput(i, f"Text of {i}") for i in ids])
    layers = ["Alice", "alice", "alice.", "CON", ".x"]
    for n, doc_id in enumerate(ids):
        project.add_span(doc_id, layers[n % len(layers)], 0, 4, "actor")
    out = tmp_path / "brat"
    export_corpus(project, ExportOptions(format="brat", output=out))
    for folder in [out, *(p for p in out.iterdir() if p.is_dir())]:
        entries = [p.name for p in folder.iterdir()]
        assert len({e.lower() for e in entries}) == len(entries), entries
        for entry in entries:
            assert not entry.startswith("."), entry
            assert not entry.endswith((".", " ")), entry
            assert not _reserved(entry), entry
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [out], ImportOptions(format="brat"))
        assert sorted(fresh.document_ids()) == sorted(ids)
        assert sorted(fresh.annotators()) == sorted(layers)
        for n, doc_id in enumerate(ids):
            assert [s.key for s in fresh.spans(doc_id, layers[n % len(layers)])] == [(0, 4, "actor")]


def test_an_id_too_long_for_a_file_name_is_shortened_and_reported(project: Project, tmp_path: Path) -> None:
    long_id = "report-" + "x" * 400
    layer = "評" * 80
    project.add_documents([DocumentInput(long_id, "Hello world"), DocumentInput("short", "Hi")])
    project.add_span(long_id, layer, 0, 5, "actor")
    project.add_span("short", layer, 0, 2, "actor")
    out = tmp_path / "brat"
    report = export_corpus(project, ExportOptions(format="brat", output=out))
    assert report.left_out[LONG_ID] == 1
    assert report.left_out[LONG_LAYER] == 1
    (example,) = report.examples[LONG_ID]
    assert example.startswith("report-xxx")
    assert "~" in example
    (folder,) = (p for p in out.iterdir() if p.is_dir())
    assert len(folder.name.encode()) <= MAX_NAME_BYTES
    names = sorted(p.name for p in folder.iterdir())
    assert "short.txt" in names
    assert all(len(n.encode()) <= MAX_NAME_BYTES for n in names)
    assert any(example.endswith(n[-21:]) for n in names if n.endswith(".txt"))


# --------------------------------------------------------------------------------------------
# Item 5: devices, pipes and links
# --------------------------------------------------------------------------------------------


def small_project(project: Project) -> Project:
    project.add_documents([DocumentInput("d1", "Hello world"), DocumentInput("d2", "Second one")])
    project.add_span("d1", "alice", 0, 5, "actor")
    return project


def test_an_export_onto_a_link_to_dev_null_writes_through_it(project: Project, tmp_path: Path) -> None:
    """Before: the staging file was renamed over the target, replacing the device (here the
    link to it; run as root onto /dev/null itself, the machine's /dev/null)."""
    small_project(project)
    link = tmp_path / "null.jsonl"
    link.symlink_to(os.devnull)
    report = export_corpus(project, ExportOptions(output=link))
    assert report.records == 2
    assert link.is_symlink()
    assert os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert outputs(tmp_path) == ["null.jsonl"]


@pytest.mark.parametrize("fmt", ["jsonl", "conll"])
def test_an_export_onto_a_fifo_is_read_by_its_reader(project: Project, tmp_path: Path, fmt: str) -> None:
    small_project(project)
    expected = tmp_path / "expected.out"
    export_corpus(project, ExportOptions(format=fmt, output=expected))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        export_corpus(project, ExportOptions(format=fmt, output=fifo))
        received, _ = reader.communicate(timeout=120)
    finally:
        if reader.poll() is None:  # the export never opened the FIFO: the reader still waits
            reader.kill()
            reader.wait()
    assert received == expected.read_bytes()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert outputs(tmp_path) == ["expected.out", "pipe"]


def test_an_export_through_a_link_replaces_the_file_it_points_to(project: Project, tmp_path: Path) -> None:
    small_project(project)
    real = tmp_path / "real" / "corpus.jsonl"
    real.parent.mkdir()
    real.write_text("the previous export\n", encoding="utf-8")
    link = tmp_path / "corpus.jsonl"
    link.symlink_to(real)
    export_corpus(project, ExportOptions(output=link))
    assert link.is_symlink()
    assert [json.loads(line)["id"] for line in real.read_text(encoding="utf-8").splitlines()] == ["d1", "d2"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["corpus.jsonl"]


def test_a_report_onto_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        write_text_atomically(fifo, "# Report\n")
        received, _ = reader.communicate(timeout=120)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert received == b"# Report\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# --------------------------------------------------------------------------------------------
# Item 6: reports are written beside their target and moved into place
# --------------------------------------------------------------------------------------------


def test_a_failed_report_write_leaves_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.core.agreement import DocumentLayers, compute_agreement
    from annotator.core.report import ReportError, write_report

    agreement = compute_agreement([DocumentLayers("d", 10, [(0, 5, "X")], [(0, 4, "X")])], ("a", "b"))
    target = tmp_path / "report.html"
    target.write_text("the previous report", encoding="utf-8")

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("annotator.core.output_files.os.replace", full_disk)
    with pytest.raises(ReportError, match="No space left on device"):
        write_report(agreement, target)
    assert target.read_text(encoding="utf-8") == "the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
