"""Export → import → export round trips, reports of what a format cannot hold, bad input, splits."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.formats.exporter import (
    ExportOptions,
    assign_splits,
    export_corpus,
    parse_split,
)
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.jsonl import NativeWriter, iter_native
from annotator.core.formats.records import Cancelled, CorpusRecord, TransferReport
from annotator.core.model import GOLD_LAYER
from annotator.core.paths import resource_text
from annotator.core.store import DocumentInput, Project

TEXTS = {
    "emoji": "Kim 👩‍🔬 met 👍🏽 friends from 🇺🇸 today; e-mail: ok.",
    "cjk": "北朝鮮の兵士がクルスクにいる。 Wood said so.",
    "marks": "Cafe\u0301 de\u0301ja\u0300 vu — 4,500 troops, Zoë and Ǆ.",
    "crlf": "Line one says yes.\r\nLine two denies it.\r\n\r\nEnd 🎉.",
    "plain": "Nobody annotated this one.",
}
META = {"source": "wire", "text": "collides", "meta:odd": 1, "id": "c", "title": "t", "label": [1]}

EXTENSION = {"jsonl": ".jsonl", "doccano": ".jsonl", "prodigy": ".jsonl", "conll": ".conll", "brat": ""}


def at(doc: str, needle: str, nth: int = 0) -> tuple[int, int]:
    text = TEXTS[doc]
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def build(project: Project) -> Project:
    project.add_documents(
        DocumentInput(doc_id, text, f"Title of {doc_id}", meta=META if doc_id == "emoji" else {"n": i})
        for i, (doc_id, text) in enumerate(TEXTS.items())
    )
    spans = [
        ("emoji", "alice", "Kim", "actor", "who?"),
        ("emoji", "alice", "👩‍🔬", "actor", None),
        ("emoji", "alice", "Kim 👩‍🔬", "claim", None),  # nested around two spans
        ("emoji", "alice", "🇺🇸", "actor", None),
        ("emoji", "bob", "👍🏽 friends", "claim", "multi\nline note"),
        ("cjk", "alice", "北朝鮮", "actor", None),
        ("cjk", "alice", "兵士", "actor", None),
        ("cjk", "alice", "北朝鮮の兵士", "claim", None),
        ("cjk", "bob", "Wood", "actor", None),
        ("marks", "alice", "Cafe\u0301", "actor", None),
        ("marks", "alice", "4,500", "number", None),
        ("marks", "alice", "Zoë", "actor", None),
        ("crlf", "alice", "yes.\r\nLine two", "claim", None),  # crosses a line break
        ("crlf", "alice", "denies", "denial", None),
        ("crlf", "alice", "🎉", "number", None),
    ]
    for doc, annotator, needle, label, note in spans:
        start, end = at(doc, needle)
        project.add_span(doc, annotator, start, end, label, note)
    project.set_status("cjk", "alice", "done")
    project.set_status("marks", "bob", "todo")  # a layer with a status and no spans
    return project


@pytest.fixture
def corpus(project: Project) -> Project:
    return build(project)


def export(project: Project, out: Path, fmt: str, **options) -> tuple[Path, object]:  # type: ignore[no-untyped-def]
    target = out / f"export-{fmt}{EXTENSION[fmt]}"
    report = export_corpus(project, ExportOptions(format=fmt, output=target, **options))
    return target, report


def tree(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def conll_tags(path: Path) -> list[str]:
    return [line.split("\t")[-1] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat", "prodigy", "conll"])
def test_export_import_export_round_trip(corpus: Project, tmp_path: Path, fmt: str) -> None:
    first, _ = export(corpus, tmp_path / "a", fmt) if (tmp_path / "a").mkdir() is None else None
    with Project.open(tmp_path / "fresh.db") as fresh:
        report = import_corpus(fresh, [first])
        assert report.documents == len(TEXTS)
        (tmp_path / "b").mkdir()
        second, _ = export(fresh, tmp_path / "b", fmt)
    if fmt == "conll":
        # CoNLL keeps tokens and tags, not the original spacing: label-identical.
        assert conll_tags(second) == conll_tags(first)
        assert "B-claim" in conll_tags(first)
    else:
        assert tree(second) == tree(first)


def test_prodigy_round_trip_keeps_labels_and_exact_offsets(corpus: Project, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first, _ = export(corpus, tmp_path / "a", "prodigy")
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first])
        for doc_id in TEXTS:
            for name in ("alice", "bob"):
                assert [s.key for s in fresh.spans(doc_id, name)] == [
                    s.key for s in corpus.spans(doc_id, name)
                ]
                assert [s.note for s in fresh.spans(doc_id, name)] == [
                    s.note for s in corpus.spans(doc_id, name)
                ]


def test_native_round_trip_keeps_everything(corpus: Project, tmp_path: Path) -> None:
    first, _ = export(corpus, tmp_path, "jsonl")
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first])
        for doc_id in TEXTS:
            assert fresh.document(doc_id).text == corpus.document(doc_id).text
            assert fresh.document(doc_id).meta == corpus.document(doc_id).meta
            assert fresh.document(doc_id).title == corpus.document(doc_id).title
            assert fresh.layers(doc_id) == corpus.layers(doc_id)
            for name in fresh.layers(doc_id):
                assert fresh.status(doc_id, name) == corpus.status(doc_id, name)
                assert [(s.key, s.note) for s in fresh.spans(doc_id, name)] == [
                    (s.key, s.note) for s in corpus.spans(doc_id, name)
                ]


def test_every_native_line_validates_against_the_schema(corpus: Project, tmp_path: Path) -> None:
    schema = json.loads(resource_text("annotator-export.schema.json"))
    validator = jsonschema.Draft202012Validator(schema)
    path, _ = export(corpus, tmp_path, "jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8  # 5 documents: emoji, cjk, marks have 2 layers; plain has none
    for line in lines:
        record = json.loads(line)
        validator.validate(record)
        assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == sorted(
            (s["start"], s["end"], s["label"]) for s in record["spans"]
        )
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
    assert "\\u" not in path.read_text(encoding="utf-8")  # UTF-8, no ASCII escaping
    plain = [json.loads(line) for line in lines if json.loads(line)["id"] == "plain"]
    assert plain == [
        {
            "id": "plain",
            "title": "Title of plain",
            "text": TEXTS["plain"],
            "annotator": None,
            "status": None,
            "spans": [],
            "meta": {"n": 4},
        }
    ]


def test_brat_spans_match_their_text(corpus: Project, tmp_path: Path) -> None:
    folder, report = export(corpus, tmp_path, "brat")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.ann")) == [
        "alice/cjk.ann",
        "alice/crlf.ann",
        "alice/emoji.ann",
        "alice/marks.ann",
        "bob/cjk.ann",
        "bob/emoji.ann",
        "bob/marks.ann",
        "plain.ann",
    ]
    for ann in folder.rglob("*.ann"):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                _tid, middle, quoted = line.split("\t")
                fragments = [tuple(map(int, f.split())) for f in middle.split(" ", 1)[1].split(";")]
                assert " ".join(text[a:b] for a, b in fragments) == quoted
    assert (folder / "alice" / "crlf.txt").read_bytes() == TEXTS["crlf"].encode("utf-8")
    assert "T1\tclaim 14 18;20 28\tyes. Line two" in (folder / "alice" / "crlf.ann").read_text(
        encoding="utf-8"
    )
    assert "#1\tAnnotatorNotes T1\twho?" in (folder / "alice" / "emoji.ann").read_text(encoding="utf-8")
    assert report.left_out == {"notes containing a line break": 1}  # type: ignore[attr-defined]


def test_doccano_flattens_meta_without_overwriting(corpus: Project, tmp_path: Path) -> None:
    path, report = export(corpus, tmp_path, "doccano")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    emoji = next(r for r in records if r["id"] == "emoji" and r["annotator"] == "alice")
    assert emoji["text"] == TEXTS["emoji"]
    assert emoji["label"][0] == [*at("emoji", "Kim"), "actor"]
    assert emoji["meta:text"] == "collides"
    assert emoji["meta:id"] == "c"
    assert emoji["meta:meta:odd"] == 1
    assert emoji["meta:label"] == [1]
    assert emoji["source"] == "wire"
    assert emoji["title"] == "Title of emoji"
    assert report.left_out["span notes (doccano spans have no notes)"] == 2  # type: ignore[attr-defined]


def test_prodigy_reports_spans_off_token_boundaries(project: Project, tmp_path: Path) -> None:
    project.add_documents([DocumentInput("d", "North Korean troops")])
    project.add_span("d", "alice", 0, 12, "actor")  # aligned
    project.add_span("d", "alice", 6, 9, "claim")  # "Kor": inside a token
    path, report = export(project, tmp_path, "prodigy")
    task = json.loads(path.read_text(encoding="utf-8"))
    assert [t["text"] for t in task["tokens"]] == ["North", "Korean", "troops"]
    assert task["tokens"][0] == {"text": "North", "start": 0, "end": 5, "id": 0, "ws": True}
    assert task["spans"] == [
        {"start": 0, "end": 12, "token_start": 0, "token_end": 1, "label": "actor"},
        {"start": 6, "end": 9, "label": "claim"},
    ]
    assert task["answer"] == "accept"
    assert task["_annotator_id"] == "alice"
    assert isinstance(task["_input_hash"], int)
    assert isinstance(task["_task_hash"], int)
    (reason,) = report.left_out  # type: ignore[attr-defined]
    assert "token" in reason
    assert report.left_out[reason] == 1
    assert "[6, 9) claim 'Kor'" in report.examples[reason][0]  # type: ignore[attr-defined]


def test_conll_overlap_policy_and_report(project: Project, tmp_path: Path) -> None:
    project.add_documents([DocumentInput("d", "Robert Wood of the U.S. mission\nsaid no.")])
    project.add_span("d", "alice", 0, 11, "actor")  # Robert Wood
    project.add_span("d", "alice", 7, 11, "claim")  # Wood: nested, loses to the longer span
    project.add_span("d", "alice", 19, 31, "actor")  # U.S. mission
    project.add_span("d", "alice", 15, 23, "claim")  # "the U.S.": crosses, starts earlier and wins
    project.add_span("d", "alice", 2, 4, "number")  # "be": not on token boundaries
    path, report = export(project, tmp_path, "conll")
    assert path.read_text(encoding="utf-8") == (
        "-DOCSTART-\td\talice\n\n"
        "Robert\tB-actor\nWood\tI-actor\nof\tO\nthe\tB-claim\nU\tI-claim\n.\tI-claim\nS\tI-claim\n"
        ".\tI-claim\nmission\tO\n\nsaid\tO\nno\tO\n.\tO\n\n"
    )
    assert report.left_out == {  # type: ignore[attr-defined]
        "overlapping spans (BIO gives each token one tag; the earlier, longer span wins)": 2,
        "spans not on token boundaries (CoNLL tags whole tokens)": 1,
    }


def test_conll_reads_conll2003_style_files(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "eng.conll"
    path.write_text(
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
        "call NN I-NP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n",
        encoding="utf-8",
    )
    import_corpus(project, [path], ImportOptions(add_labels=True))
    (doc_id,) = project.document_ids()
    assert project.document(doc_id).text == "EU rejects German call\nPeter Blackburn"
    text = project.document(doc_id).text
    assert [(text[s.start : s.end], s.label) for s in project.spans(doc_id, "eng")] == [
        ("EU", "ORG"),
        ("German", "MISC"),
        ("Peter Blackburn", "PER"),
    ]


def test_export_options_filter_and_report(corpus: Project, tmp_path: Path) -> None:
    path, report = export(corpus, tmp_path, "jsonl", annotator="bob")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["annotator"], r["status"], len(r["spans"])) for r in records] == [
        ("emoji", "bob", "in_progress", 1),
        ("cjk", "bob", "in_progress", 1),
        ("marks", "bob", "todo", 0),
        ("crlf", "bob", "todo", 0),
        ("plain", "bob", "todo", 0),
    ]
    path.unlink()
    path, report = export(corpus, tmp_path, "jsonl", done_only=True)
    assert [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()] == ["cjk"]
    path.unlink()
    path, report = export(corpus, tmp_path, "jsonl", annotator="alice", labels=("actor",))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {s["label"] for r in records for s in r["spans"]} == {"actor"}
    assert report.left_out["spans with labels not chosen with --labels"] == 6  # type: ignore[attr-defined]


def test_gold_exports_the_adjudicated_layer(corpus: Project, tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="no gold layer"):
        export(corpus, tmp_path, "jsonl", gold=True)
    corpus.add_span("cjk", GOLD_LAYER, *at("cjk", "北朝鮮"), "actor")
    path, _ = export(corpus, tmp_path, "jsonl", gold=True)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {r["annotator"] for r in records} == {"gold"}
    assert sum(len(r["spans"]) for r in records) == 1
    with pytest.raises(AnnotatorError, match="give one of them"):
        export(corpus, tmp_path, "jsonl", gold=True, annotator="alice")


def test_split_is_deterministic_disjoint_and_complete(project: Project, tmp_path: Path) -> None:
    project.add_documents(DocumentInput(f"doc-{i:03}", f"text {i}") for i in range(101))
    split = parse_split("train=0.8,dev=0.1,test=0.1")
    ids = project.document_ids()
    first = assign_splits(ids, split, seed=7)
    assert first == assign_splits(ids, split, seed=7)
    assert first != assign_splits(ids, split, seed=8)
    sizes = {name: sum(1 for v in first.values() if v == name) for name, _ in split}
    assert sizes == {"train": 81, "dev": 10, "test": 10}
    out = tmp_path / "splits"
    report = export_corpus(project, ExportOptions(format="jsonl", output=out, split=split, seed=7))
    assert sorted(p.name for p in out.iterdir()) == ["dev.jsonl", "test.jsonl", "train.jsonl"]
    seen: dict[str, str] = {}
    for name in ("train", "dev", "test"):
        for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            doc_id = json.loads(line)["id"]
            assert doc_id not in seen
            seen[doc_id] = name
    assert seen == first
    assert report.documents == 101
    again = tmp_path / "again"
    export_corpus(project, ExportOptions(format="jsonl", output=again, split=split, seed=7))
    assert tree(again) == tree(out)
    brat = tmp_path / "brat-splits"
    export_corpus(project, ExportOptions(format="brat", output=brat, split=split, seed=7))
    assert sorted(p.name for p in brat.iterdir()) == ["dev", "test", "train"]
    assert len(list((brat / "train").glob("*.txt"))) == 81


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("train=0.8,dev=0.1", "add up to 0.9"),
        ("train=0.8,train=0.2", "named twice"),
        ("train=abc,dev=1", "not a number"),
        ("train/x=1", "NAME=FRACTION"),
    ],
)
def test_bad_split_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(AnnotatorError, match=message):
        parse_split(spec)


def snapshot(project: Project) -> tuple[object, ...]:
    return (
        project.document_ids(),
        project.span_count(),
        project.labels().names,
        project.annotators(),
        [project.layers(d) for d in project.document_ids()],
    )


BAD_JSONL = {
    "outside": (
        '{"id": "a", "text": "abc", "annotator": "x", "spans": [{"start": 1, "end": 9, "label": "actor"}]}',
        "outside its text",
    ),
    "text differs": (
        '{"id": "a", "text": "abcdef", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "actor", "text": "abd"}]}',  # noqa: E501
        "differs from the document's 'abc'",
    ),
    "unknown label": (
        '{"id": "a", "text": "abcdef", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "weird"}]}',  # noqa: E501
        "unknown label 'weird'",
    ),
    "same id, other text": (
        '{"id": "seeded", "text": "other", "spans": []}',
        "already exists with different text",
    ),
    "bad status": ('{"id": "a", "text": "abc", "status": "finished", "spans": []}', "unknown status"),
    "malformed": ('{"id": "a", "text": ', "malformed JSON"),
    "lone surrogate in text": ('{"id": "a", "text": "a\\ud800b", "spans": []}', "half of a surrogate pair"),
    "lone surrogate in a note": (
        '{"id": "a", "text": "abc", "annotator": "x", '
        '"spans": [{"start": 0, "end": 1, "label": "actor", "note": "\\uDC00"}]}',
        "half of a surrogate pair",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_JSONL))
def test_bad_native_input_names_file_and_line_and_keeps_nothing(
    project: Project, tmp_path: Path, case: str
) -> None:
    project.add_documents([DocumentInput("seeded", "seeded text")])
    before = snapshot(project)
    good = '{"id": "good", "text": "Kim said", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "actor"}]}'  # noqa: E501
    bad, message = BAD_JSONL[case]
    path = tmp_path / "corpus.jsonl"
    path.write_text(f"{good}\n\n{bad}\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match=message) as info:
        import_corpus(project, [path])
    assert f"{path}:3" in str(info.value)
    assert snapshot(project) == before


def test_unknown_labels_are_added_on_request(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(
        '{"id": "a", "text": "abcdef", "annotator": "x", "spans": [{"start": 0, "end": 3, "label": "weird"}]}\n',  # noqa: E501
        encoding="utf-8",
    )
    report = import_corpus(project, [path], ImportOptions(add_labels=True))
    assert "weird" in project.labels().names
    assert report.spans == 1
    assert report.notes == ["added label 'weird'"]


def test_same_id_with_different_text_inside_one_file(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"id": "a", "text": "one", "label": []}\n{"id": "a", "text": "two", "label": []}\n', encoding="utf-8"
    )
    with pytest.raises(AnnotatorError, match=r"d\.jsonl:2: document 'a' already exists with different text"):
        import_corpus(project, [path])
    assert project.document_ids() == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("T1\tactor 0 3 Kim", "cannot parse text-bound annotation"),
        ("T1\tactor zero 3\tKim", "cannot parse offsets"),
        ("T1\tactor 0 30\tKim", "outside its text"),
        ("T1\tactor 0 3\tKin", "differs from the document's 'Kim'"),
        ("X1 what", "cannot parse line"),
        ("T1\tactor 0 3;4 8\tKim said", "discontinuous"),
        ("T1\tbogus 0 3\tKim", "unknown label 'bogus'"),
    ],
)
def test_bad_brat_lines_name_file_and_line(project: Project, tmp_path: Path, line: str, message: str) -> None:
    folder = tmp_path / "brat" / "alice"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("Kim said no", encoding="utf-8")
    (folder / "a.ann").write_text(f"T9\tactor 4 8\tsaid\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        import_corpus(project, [tmp_path / "brat"])
    assert f"{folder / 'a.ann'}:2" in str(info.value)
    assert project.document_ids() == []
    assert project.span_count() == 0


def test_brat_relations_are_skipped_and_reported(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Kim said no", encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tactor 0 3\tKim\nT2\tclaim 4 11\tsaid no\nR1\tSays Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T2\tdenial?\n",  # noqa: E501
        encoding="utf-8",
    )
    report = import_corpus(project, [folder], ImportOptions(annotator="carol"))
    assert [(s.label, s.note) for s in project.spans("a", "carol")] == [("actor", None), ("claim", "denial?")]
    assert sum(report.left_out.values()) == 1
    assert "relations" in next(iter(report.left_out))


def test_bad_conll_tag_names_file_and_line(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "x.conll"
    path.write_text("-DOCSTART-\td\talice\n\nKim\tB-actor\nsaid\tX-claim\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.conll:4: unknown tag 'X-claim'"):
        import_corpus(project, [path])
    assert project.document_ids() == []


def test_layer_name_comes_from_option_then_record_then_file_stem(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "dana.jsonl"
    path.write_text(
        '{"id": "a", "text": "Kim", "label": [[0, 3, "actor"]]}\n'
        '{"id": "b", "text": "Kim", "annotator": "eve", "label": [[0, 3, "actor"]]}\n',
        encoding="utf-8",
    )
    import_corpus(project, [path])
    assert project.layers("a") == ["dana"]
    assert project.layers("b") == ["eve"]
    with Project.in_memory() as other:
        import_corpus(other, [path], ImportOptions(annotator="frank"))
        assert other.layers("a") == ["frank"]
        assert other.layers("b") == ["frank"]


def test_iter_native_reads_without_a_project(corpus: Project, tmp_path: Path) -> None:
    path, _ = export(corpus, tmp_path, "jsonl")
    records = list(iter_native(path))
    assert [(r.id, r.annotator) for r in records][:3] == [
        ("emoji", "alice"),
        ("emoji", "bob"),
        ("cjk", "alice"),
    ]
    first = records[0]
    assert first.line == 1
    assert first.text == TEXTS["emoji"]
    assert first.status == "in_progress"
    assert first.spans[0] == (*at("emoji", "Kim"), "actor", "who?")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "a", "text": "ab", "spans": [{"start": 0, "end": 3, "label": "x"}]}\n', encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"bad\.jsonl:1"):
        list(iter_native(bad))


def test_cancelled_export_leaves_no_output(corpus: Project, tmp_path: Path) -> None:
    def cancel(done: int, total: int) -> None:
        if done == 2:
            raise Cancelled

    for fmt, target in (("jsonl", tmp_path / "out.jsonl"), ("brat", tmp_path / "out")):
        with pytest.raises(Cancelled):
            export_corpus(corpus, ExportOptions(format=fmt, output=target), progress=cancel)
        assert not target.exists()
        assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_cancelled_import_keeps_nothing(corpus: Project, tmp_path: Path) -> None:
    path, _ = export(corpus, tmp_path, "jsonl")

    def cancel(done: int, total: int) -> None:
        raise Cancelled

    with Project.open(tmp_path / "fresh.db") as fresh:
        fresh.add_documents([DocumentInput("kept", "kept")])
        before = snapshot(fresh)
        with pytest.raises(Cancelled):
            import_corpus(fresh, [path], progress=cancel)
        assert snapshot(fresh) == before


def test_export_refuses_a_non_empty_folder_and_missing_output(corpus: Project, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(AnnotatorError, match="not an empty folder"):
        export_corpus(corpus, ExportOptions(format="brat", output=tmp_path / "full"))
    with pytest.raises(AnnotatorError, match="needs an output folder"):
        export_corpus(corpus, ExportOptions(format="brat"))
    with pytest.raises(AnnotatorError, match="no annotator named 'zed'"):
        export_corpus(corpus, ExportOptions(annotator="zed", output=tmp_path / "z.jsonl"))
    with pytest.raises(AnnotatorError, match="unknown label"):
        export_corpus(corpus, ExportOptions(labels=("nope",), output=tmp_path / "z.jsonl"))
    assert not (tmp_path / "z.jsonl").exists()


def test_importing_twice_reuses_documents_and_spans(corpus: Project, tmp_path: Path) -> None:
    path, _ = export(corpus, tmp_path, "doccano")
    before = corpus.span_count()
    report = import_corpus(corpus, [path])
    assert report.reused == len(TEXTS)
    assert report.spans == 0
    assert corpus.span_count() == before
    assert report.left_out["spans the layer already had (kept once)"] == before  # type: ignore[attr-defined]


def native_line(record: CorpusRecord) -> str:
    """The reference for the native writer: ``json.dumps`` of the documented object."""
    text = record.text
    sources = record.sources or {}
    spans: list[dict[str, object]] = []
    for s, e, lab, note in record.spans:
        span: dict[str, object] = {"start": s, "end": e, "label": lab, "text": text[s:e]}
        if note is not None:
            span["note"] = note
        if (s, e, lab) in sources:
            span["source"] = sources[(s, e, lab)]
        spans.append(span)
    obj = {
        "id": record.id,
        "title": record.title,
        "text": text,
        "annotator": record.annotator,
        "status": record.status,
        "spans": spans,
        "meta": record.meta,
    }
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(min_size=1, max_size=40),
    title=st.none() | st.text(max_size=10),
    note=st.none() | st.text(max_size=10),
    source=st.none() | st.text(min_size=1, max_size=10),
    label=st.text(min_size=1, max_size=8),
    meta=st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5) | st.none(), max_size=3),
)
def test_native_writer_is_byte_identical_to_json_dumps(
    text: str, title: str | None, note: str | None, source: str | None, label: str, meta: dict[str, object]
) -> None:
    spans = [(0, len(text), label, note), (0, 1, label, None)]
    sources = {(0, 1, label): source} if source is not None else None
    record = CorpusRecord('id\u2028"x', title, text, "ann", "done", spans, meta, sources=sources)
    out = io.StringIO()
    NativeWriter(out, TransferReport()).write(record)
    assert out.getvalue() == native_line(record) + "\n"
    assert json.loads(out.getvalue())["spans"][0]["text"] == text


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "prodigy", "conll", "brat"])
def test_awkward_ids_and_labels_survive_or_are_reported(project: Project, tmp_path: Path, fmt: str) -> None:
    project.add_label("key person")
    odd = 'a/b c\t"ä'
    project.add_documents([DocumentInput(odd, "\nKim met Lee.\n", "odd"), DocumentInput(".", "Dot.", "dot")])
    project.add_span(odd, "alice", 1, 4, "key person")
    project.add_span(odd, "alice", 9, 12, "actor")
    project.add_span(odd, "alice", 0, 4, "claim")  # starts with a line break
    project.add_span(".", "alice", 0, 3, "actor")
    first = tmp_path / f"first{EXTENSION[fmt]}"
    report = export_corpus(project, ExportOptions(format=fmt, output=first))
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first], ImportOptions(add_labels=True))
        assert sorted(fresh.document_ids()) == sorted([odd, "."])
        kept = {s.key for s in fresh.spans(odd, "alice")}
        fresh_text = fresh.document_text(odd)
        quoted = {(fresh_text[s.start : s.end], s.label) for s in fresh.spans(odd, "alice")}
        assert ("Lee", "actor") in quoted
        if fmt == "brat":
            assert report.left_out == {  # type: ignore[attr-defined]
                "spans whose label contains a space (brat types cannot)": 1,
                "spans starting or ending with a line break": 1,
            }
        elif fmt == "conll":
            assert quoted == {("Kim", "key person"), ("Lee", "actor")}
            assert fresh_text == "Kim met Lee ."
        else:
            assert kept == {s.key for s in project.spans(odd, "alice")}
        second = tmp_path / f"second{EXTENSION[fmt]}"
        export_corpus(fresh, ExportOptions(format=fmt, output=second))
    if fmt in ("jsonl", "doccano", "brat"):
        assert tree(second) == tree(first)


# --------------------------------------------------------------------------------------------
# Folder imports follow links, once (issue 15, item 12)
# --------------------------------------------------------------------------------------------


def test_a_folder_import_follows_linked_folders_once_and_reports_loops(
    project: Project, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "b.txt").write_text("Linked in", encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text("Here", encoding="utf-8")
    (corpus / "linked").symlink_to(data)  # a folder linked into the corpus: read
    (corpus / "loop").symlink_to(corpus)  # a link to the folder itself: would loop
    (corpus / "sub" / "up").symlink_to(corpus)  # a link to an ancestor: would loop
    (corpus / "sub" / "again").symlink_to(data)  # a second way to a folder read already
    (corpus / "sub" / "gone.txt").symlink_to(tmp_path / "missing.txt")  # leads nowhere
    report = import_corpus(project, [corpus])
    assert project.document_ids() == ["a", "b"]
    assert project.document("b").text == "Linked in"
    notes = "\n".join(report.notes)
    assert f"{corpus / 'loop'}: not followed: a link to {corpus}, which contains it (a loop)" in notes
    assert f"{corpus / 'sub' / 'up'}: not followed: a link to {corpus}" in notes
    assert f"{corpus / 'sub' / 'again'}: not read twice: a link to {corpus / 'linked'}" in notes
    assert f"{corpus / 'sub' / 'gone.txt'}: skipped: a link that leads nowhere" in notes
    assert len(report.notes) == 4


def test_the_cli_prints_what_a_folder_walk_did_not_follow(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annotator.cli import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Here", encoding="utf-8")
    (corpus / "loop").symlink_to(corpus)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "p.db"), "import", str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 1 document(s)\n"
    assert (
        result.stderr
        == f"note: {corpus / 'loop'}: not followed: a link to {corpus}, which contains it (a loop)\n"
    )


def test_a_brat_layer_folder_may_be_a_link(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "work"
    elsewhere.mkdir(parents=True)
    (elsewhere / "d1.txt").write_text("Hello world", encoding="utf-8")
    (elsewhere / "d1.ann").write_text("T1\tactor 0 5\tHello\n", encoding="utf-8")
    brat = tmp_path / "brat"
    brat.mkdir()
    (brat / "alice").symlink_to(elsewhere)
    report = import_corpus(project, [brat])
    assert report.notes == []
    assert [s.key for s in project.spans("d1", "alice")] == [(0, 5, "actor")]
