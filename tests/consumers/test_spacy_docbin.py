"""spaCy DocBin (``.spacy``) read by spaCy itself (issue 12, item 7): ``DocBin().from_disk``
gives one Doc per document and layer with the text exactly, every span that spaCy's tokens can
hold in ``doc.spans["sc"]`` on its characters, the non-overlapping ones in ``doc.ents``; what it
cannot hold is reported; the file imports back."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.spacy_docbin import MISALIGNED, NOT_ENTS, NOTES, USER_DATA_KEY
from annotator.core.store import DocumentInput, Project

from .conftest import export, touched_records


def docs_of(path: Path) -> list:  # type: ignore[type-arg]
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_spacy_reads_every_span_on_its_characters(awkward: Project, tmp_path: Path) -> None:
    path = tmp_path / "train.spacy"
    report = export(awkward, path, "spacy")
    docs = docs_of(path)
    records = touched_records(awkward)
    assert len(docs) == len(records) == report.records
    nlp = spacy.blank("en")
    in_group = misaligned = noted = 0
    for doc, (doc_id, name, text, spans) in zip(docs, records, strict=True):
        assert doc.text == text  # \r\n, lone \r, U+2028, emoji, CJK, marks: exactly
        assert [t.text for t in doc] == [t.text for t in nlp.make_doc(text)]  # spaCy's own tokens
        assert doc.user_data[USER_DATA_KEY]["id"] == doc_id
        assert doc.user_data[USER_DATA_KEY]["annotator"] == name
        group = {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]}
        for span in doc.spans["sc"]:
            assert span.text == text[span.start_char : span.end_char]
        for start, end, label, _note in spans:
            if nlp.make_doc(text).char_span(start, end) is None:
                misaligned += 1
                assert (start, end, label) not in group
            else:
                assert (start, end, label) in group
                noted += _note is not None
        in_group += len(group)
        ents = sorted((e.start_char, e.end_char) for e in doc.ents)
        assert all(a[1] <= b[0] for a, b in zip(ents, ents[1:], strict=False))  # doc.ents never overlap
        assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} <= group
    assert misaligned == report.left_out[MISALIGNED] > 0  # "emal" inside Ǆemal, at least
    assert in_group + misaligned == sum(len(r[3]) for r in records)
    assert report.warnings[NOT_ENTS] > 0  # the nested and crossing spans
    assert report.left_out[NOTES] == noted > 0


def test_overlapping_spans_keep_the_longer_earlier_one_as_entity(project: Project, tmp_path: Path) -> None:
    text = "North Korean troops are in Kursk.\r\nWood 👩\u200d🔬 said so."
    project.add_documents([DocumentInput("d", text)])
    project.add_span("d", "alice", 0, 19, "claim")
    project.add_span("d", "alice", 6, 12, "actor")  # nested
    project.add_span("d", "alice", 35, 39, "actor")  # after \r\n
    project.add_span("d", "alice", 40, 43, "actor")  # the ZWJ emoji: one token
    path = tmp_path / "d.spacy"
    report = export(project, path, "spacy")
    (doc,) = docs_of(path)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("North Korean troops", "claim"),
        ("Wood", "actor"),
        ("👩\u200d🔬", "actor"),
    ]
    assert [s.text for s in doc.spans["sc"]] == ["North Korean troops", "Korean", "Wood", "👩\u200d🔬"]
    assert report.warnings[NOT_ENTS] == 1


def test_round_trip_through_the_importer(awkward: Project, tmp_path: Path) -> None:
    path = tmp_path / "c.spacy"
    export(awkward, path, "spacy")
    with Project.open(tmp_path / "back.db") as back:
        report = import_corpus(back, [path], ImportOptions(add_labels=True))  # detected by suffix
        assert report.documents == len({r[0] for r in touched_records(awkward)})
        nlp = spacy.blank("en")
        for doc_id, name, text, spans in touched_records(awkward):
            assert back.document_text(doc_id) == text
            assert back.document(doc_id).title == f"Title of {doc_id}"
            expected = [
                (s, e, label) for s, e, label, _n in spans if nlp.make_doc(text).char_span(s, e) is not None
            ]
            assert [(s.start, s.end, s.label) for s in back.spans(doc_id, name)] == sorted(expected)


def test_a_docbin_made_by_spacy_imports_with_its_spans(project: Project, tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    docbin = DocBin()
    doc = nlp("Kim Jong Un met 👩\u200d🔬 Wood in 北京.")
    doc.ents = [doc.char_span(0, 11, "PERSON")]
    doc.spans["sc"] = [doc.char_span(0, 11, "PERSON"), doc.char_span(4, 11, "NAME")]
    docbin.add(doc)
    docbin.add(nlp("Nothing here."))
    path = tmp_path / "foreign.spacy"
    docbin.to_disk(path)
    import_corpus(project, [path], ImportOptions(add_labels=True))
    assert project.document_ids() == ["foreign-1", "foreign-2"]
    assert [(s.start, s.end, s.label) for s in project.spans("foreign-1", "foreign")] == [
        (0, 11, "PERSON"),
        (4, 11, "NAME"),
    ]


def test_a_file_that_is_no_docbin_is_refused_naming_it(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"not msgpack at all \x00\xff")
    with pytest.raises(InputError, match="bad.spacy.*not a spaCy DocBin"):
        import_corpus(project, [path])
    assert project.document_ids() == []


def test_without_spacy_the_export_says_how_to_get_it(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.add_documents([DocumentInput("d", "Kim")])
    project.add_span("d", "alice", 0, 3, "actor")
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(AnnotatorError, match=r"pip install 'annotator\[spacy\]'"):
        export(project, tmp_path / "d.spacy", "spacy")
    assert not (tmp_path / "d.spacy").exists()


def test_another_language_tokenizes_and_an_unknown_one_is_refused(project: Project, tmp_path: Path) -> None:
    project.add_documents([DocumentInput("d", "北朝鮮の兵士")])
    project.add_span("d", "alice", 0, 3, "actor")
    path = tmp_path / "zh.spacy"
    export(project, path, "spacy", spacy_lang="xx")
    (doc,) = docs_of(path)
    assert doc.text == "北朝鮮の兵士"
    with pytest.raises(AnnotatorError, match="no language 'qq'"):
        export(project, tmp_path / "qq.spacy", "spacy", spacy_lang="qq")
    assert [p.name for p in tmp_path.iterdir() if "spacy" in p.name] == ["zh.spacy"]  # nothing staged left


def test_the_command_line_writes_a_docbin_and_refuses_stdout(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "p.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("d", "Kim met Wood.\r\n北朝鮮")])
        project.add_span("d", "alice", 0, 3, "actor", note="who?")
    runner = CliRunner()
    refused = runner.invoke(cli, ["--db", str(db), "export", "--format", "spacy"])
    assert refused.exit_code != 0
    assert "binary file" in refused.output
    assert "give -o FILE" in refused.output
    out = tmp_path / "train.spacy"
    done = runner.invoke(cli, ["--db", str(db), "export", "--format", "spacy", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "1 left out: span notes" in done.output
    (doc,) = docs_of(out)
    assert [(e.text, e.label_) for e in doc.ents] == [("Kim", "actor")]
