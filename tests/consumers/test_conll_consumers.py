"""CoNLL exports read by spaCy (``spacy convert --converter ner``), conlleval and seqeval.

conlleval is the CoNLL shared tasks' Perl script; it is not on PyPI, so its column rule is checked
with ``conlleval`` (a Python port of the script, MIT), and by hand as the Perl script splits
with its default ``-d " "``: every non-blank line has as many fields as the first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import conlleval
import pytest
import spacy
from seqeval.metrics import f1_score
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2
from spacy.tokens import DocBin

from annotator.core.formats.conll import LABEL_SPACE, MISALIGNED, NO_TOKENS, OVERLAP
from annotator.core.formats.exporter import UNTOUCHED
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.tokenize import token_offsets
from annotator.core.store import DocumentInput, Project

from .conftest import export, touched_records

FIXTURES = Path(__file__).parent / "fixtures"


def sentences(path: Path) -> list[list[list[str]]]:
    """The file's sentences as lists of fields, ``-DOCSTART-`` lines skipped (as HF and flair do)."""
    result: list[list[list[str]]] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            if result[-1]:
                result.append([])
        elif not line.startswith("-DOCSTART-"):
            result[-1].append(line.split(" "))
    return [s for s in result if s]


def test_spacy_convert_reads_documents_tokens_and_entities(awkward: Project, tmp_path: Path) -> None:
    path = tmp_path / "alice.conll"
    report = export(awkward, path, "conll")
    out = tmp_path / "spacy"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(path), str(out), "--converter", "ner"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    docs = list(DocBin().from_disk(out / "alice.spacy").get_docs(spacy.blank("xx").vocab))
    records = touched_records(awkward)
    assert len(docs) == len(records) == report.records  # one Doc per document and layer
    labels = set(awkward.labels().names)
    written = 0
    for doc, (doc_id, _name, text, spans) in zip(docs, records, strict=True):
        tokens = list(token_offsets(text))
        assert [t.text for t in doc] == [text[s:e] for s, e in tokens], doc_id
        for ent in doc.ents:
            assert ent.label_ in labels  # before: the annotator "alice" became a label "ice"
            start, end = tokens[ent.start][0], tokens[ent.end - 1][1]
            assert (start, end, ent.label_) in {(s, e, lab) for s, e, lab, _n in spans}, (doc_id, ent)
        written += len(doc.ents)
    # Every span is on its characters in spaCy or counted in the report, never lost silently.
    left_out = sum(report.left_out[reason] for reason in (OVERLAP, MISALIGNED, LABEL_SPACE))
    assert written + left_out == sum(len(r[3]) for r in records)
    assert report.left_out[UNTOUCHED] == 2  # bob's marks (to do) and "untouched" (no layer)


def test_spacy_convert_takes_ids_that_crashed_it(tmp_path: Path, project: Project) -> None:
    """Before: an id like '..' on the -DOCSTART- line made ``spacy convert`` fail (E177)."""
    project.add_documents([DocumentInput("..", "Kim said no."), DocumentInput("a b\tc", "Lee agreed.")])
    project.add_span("..", "alice", 0, 3, "actor")
    project.add_span("a b\tc", "alice", 0, 3, "actor")
    path = tmp_path / "odd.conll"
    export(project, path, "conll")
    out = tmp_path / "spacy"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(path), str(out), "--converter", "ner"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    docs = list(DocBin().from_disk(out / "odd.spacy").get_docs(spacy.blank("xx").vocab))
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [[("Kim", "actor")], [("Lee", "actor")]]
    with Project.open(tmp_path / "back.db") as back:  # and the ids come back on import
        import_corpus(back, [path])
        assert back.document_ids() == ["..", "a b\tc"]
        assert back.layers("..") == ["alice"]


def test_conlleval_reads_every_line_with_the_same_columns(awkward: Project, tmp_path: Path) -> None:
    path = tmp_path / "alice.conll"
    report = export(awkward, path, "conll")
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = {len(line.split(" ")) for line in lines if line}
    assert fields == {4}  # the Perl script's rule, with its default delimiter (one space)
    # A system's output is the gold file with its guess appended; score the gold against itself.
    scored = [f"{line} {line.split(' ')[-1]}" if line else line for line in lines]
    # The port splits like Python (a blank line has one empty field with delimiter=" ", none in
    # Perl); the file has single spaces only, so whitespace splitting reads the same fields.
    result = conlleval.evaluate(scored)
    expected = sum(len(spans) for *_rest, spans in touched_records(awkward)) - sum(
        report.left_out[reason] for reason in (OVERLAP, MISALIGNED, LABEL_SPACE)
    )
    assert result["overall"]["chunks"]["stats"]["gold"] == expected
    assert result["overall"]["chunks"]["evals"]["f1"] == 1.0


def test_seqeval_reads_strict_iob2_entities(awkward: Project, tmp_path: Path) -> None:
    path = tmp_path / "alice.conll"
    export(awkward, path, "conll")
    found = sentences(path)
    tags = [[fields[-1] for fields in sentence] for sentence in found]
    assert f1_score(tags, tags, mode="strict", scheme=IOB2) == 1.0  # strict IOB2: well-formed
    entities = [
        (label, " ".join(f[0] for f in s[a : b + 1]))
        for s, t in zip(found, tags, strict=True)
        for label, a, b in get_entities(t)
    ]
    assert ("claim", "北 朝 鮮 の 兵 士") in entities  # the longer of two nested spans
    assert ("claim", "yes . Line two") in entities  # across \r\n, in one sentence
    assert ("actor", "السفير") in entities
    assert ("claim", "クルスク") not in entities
    assert ("actor", "ク ル ス ク") in entities


def test_a_round_trip_is_byte_identical(awkward: Project, tmp_path: Path) -> None:
    first = tmp_path / "first.conll"
    export(awkward, first, "conll")
    with Project.open(tmp_path / "fresh.db") as fresh:
        import_corpus(fresh, [first])
        second = tmp_path / "second.conll"
        export(fresh, second, "conll")
    assert second.read_bytes() == first.read_bytes()


def test_a_document_without_tokens_is_reported(project: Project, tmp_path: Path) -> None:
    project.add_documents([DocumentInput("blank", " \n "), DocumentInput("d", "Kim")])
    project.set_status("blank", "alice", "done")
    project.add_span("d", "alice", 0, 3, "actor")
    report = export(project, tmp_path / "x.conll", "conll")
    assert report.left_out[NO_TOKENS] == 1
    assert report.examples[NO_TOKENS] == ["blank/alice"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # Annotator's earlier layout: tab-separated, id and annotator on the -DOCSTART- line.
        (
            "-DOCSTART-\tdoc-1\tbob\n\nKim\tB-actor\nsaid\tO\n\n",
            ("doc-1", "bob", "Kim said", [("Kim", "actor")]),
        ),
        # IOB1: an I- tag after O starts a span; two columns separated by a space.
        ("Kim I-actor\nLee I-actor\nsaid O\n", ("old-1", "old", "Kim Lee said", [("Kim Lee", "actor")])),
        # CoNLL-2003: four columns; the chunk column is not Annotator's document field.
        (
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-actor\nsaid VBD B-VP O\n",
            ("old-1", "old", "EU said", [("EU", "actor")]),
        ),
    ],
)
def test_import_keeps_reading_every_variant(
    project: Project, tmp_path: Path, content: str, expected: tuple[str, str, str, list[tuple[str, str]]]
) -> None:
    path = tmp_path / "old.conll"
    path.write_text(content, encoding="utf-8")
    import_corpus(project, [path])
    doc_id, layer, text, spans = expected
    assert project.document_ids() == [doc_id]
    assert project.document_text(doc_id) == text
    assert [(text[s.start : s.end], s.label) for s in project.spans(doc_id, layer)] == spans


def test_doccanos_conll_sample_imports_with_the_spans_seqeval_reads(project: Project) -> None:
    path = FIXTURES / "doccano" / "sequence_labeling.conll"
    import_corpus(project, [path], ImportOptions(add_labels=True))
    found = sentences(path)
    expected = []
    for sentence in found:
        tokens = [fields[0].split("\t")[0] for fields in sentence]
        tags = [fields[0].split("\t")[-1] for fields in sentence]
        expected += [(" ".join(tokens[a : b + 1]), label) for label, a, b in get_entities(tags)]
    (doc_id,) = project.document_ids()
    text = project.document_text(doc_id)
    assert [(text[s.start : s.end], s.label) for s in project.spans(doc_id, path.stem)] == expected


def test_awkward_ids_and_annotators_come_back(project: Project, tmp_path: Path) -> None:
    ids = ["a b", "x|annotator=y", "%41", "é/ü", "line\u2028sep", "tab\there", "=", "doc=x", "👩\u200d🔬"]
    project.add_documents(DocumentInput(doc_id, f"Kim {n}") for n, doc_id in enumerate(ids))
    for doc_id in ids:
        project.add_span(doc_id, "b|ob=%20 ü", 0, 3, "actor")
    path = tmp_path / "ids.conll"
    export(project, path, "conll")
    assert {len(line.split(" ")) for line in path.read_text(encoding="utf-8").split("\n") if line} == {4}
    with Project.open(tmp_path / "back.db") as back:
        import_corpus(back, [path])
        assert back.document_ids() == ids
        assert back.annotators() == ["b|ob=%20 ü"]


def test_a_conll_2003_file_imports_with_the_entities_seqeval_reads(project: Project) -> None:
    """CoNLL-2003's own layout: four columns, IOB1 tags (I- opens an entity), a -DOCSTART- line."""
    path = FIXTURES / "conll2003" / "example.conll"
    import_corpus(project, [path], ImportOptions(add_labels=True))
    rows = [line.split(" ") for line in path.read_text(encoding="utf-8").splitlines()]
    tokens = [row[0] for row in rows if len(row) == 4 and row[0] != "-DOCSTART-"]
    tags = [row[3] for row in rows if len(row) == 4 and row[0] != "-DOCSTART-"]
    expected = [(" ".join(tokens[a : b + 1]), label) for label, a, b in get_entities(tags)]
    assert expected == [("U.N.", "ORG"), ("Ekeus", "PER"), ("Baghdad", "LOC")]
    (doc_id,) = project.document_ids()
    text = project.document_text(doc_id)
    (layer,) = project.annotators()
    assert [(text[s.start : s.end], s.label) for s in project.spans(doc_id, layer)] == expected
