"""Importing documents: .txt, JSONL, folders; every bad input leaves the project unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError, DocumentError, InputError
from annotator.core.formats.plain import import_documents, seed_documents
from annotator.core.importing import open_project
from annotator.core.store import Project


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_txt_keeps_bytes_exact_and_id_from_name(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "article-1.txt"
    path.write_bytes("Line one\r\nZoë 😀\r\n".encode())
    result = import_documents(project, [path])
    assert result.added == ["article-1"]
    assert project.document("article-1").text == "Line one\r\nZoë 😀\r\n"


def test_bom_is_dropped(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfhello")
    import_documents(project, [path])
    assert project.document("bom").text == "hello"


def test_jsonl_fields_defaults_and_blank_lines(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        json.dumps({"text": "first"})
        + "\n\n"
        + json.dumps({"id": 7, "title": "Seven", "text": "second", "meta": {"src": "x"}})
        + "\n",
        encoding="utf-8",
    )
    result = import_documents(project, [path])
    assert result.added == ["batch-1", "7"]
    assert project.document("7").title == "Seven"
    assert project.document("7").meta == {"src": "x"}


def test_folder_is_recursive_sorted_and_ignores_other_files(project: Project, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    write_jsonl(tmp_path / "b" / "m.jsonl", [{"id": "m", "text": "m"}])
    import_documents(project, [tmp_path])
    assert project.document_ids() == ["a", "m", "z"]


def test_reimport_same_is_noop(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("same", encoding="utf-8")
    import_documents(project, [path])
    again = import_documents(project, [path])
    assert again.added == []
    assert again.unchanged == ["doc"]


def project_rows(project: Project) -> list[tuple[object, ...]]:
    return [tuple(r) for r in project.db.execute("SELECT id, title, text, sha256 FROM documents ORDER BY id")]


BAD_INPUTS = {
    "invalid-utf8.txt": (b"ok line\nbad \xff byte\n", r"invalid-utf8.txt:2: invalid UTF-8"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", r"binary.txt:3: binary file"),
    "malformed.jsonl": (b'{"text": "fine"}\n{"text": "broken"\n', r"malformed.jsonl:2: malformed JSON"),
    "missing-text.jsonl": (b'{"text": "fine"}\n{"id": "x"}\n', r"missing-text.jsonl:2: missing field 'text'"),
    "not-object.jsonl": (b'{"text": "fine"}\n[1, 2]\n', r"not-object.jsonl:2: expected a JSON object"),
    "text-not-string.jsonl": (b'{"text": 5}\n', r"text-not-string.jsonl:1: field 'text' must be a string"),
    "bad-meta.jsonl": (
        b'{"text": "a", "meta": [1]}\n',
        r"bad-meta.jsonl:1: field 'meta' must be a JSON object",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_names_file_and_line_and_keeps_nothing(project: Project, tmp_path: Path, name: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text("a good document that comes first", encoding="utf-8")
    content, message = BAD_INPUTS[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    before = project_rows(project)
    with pytest.raises(InputError, match=message):
        import_documents(project, [good, bad])
    assert project_rows(project) == before == []


def test_same_id_different_text_refused_naming_id(project: Project, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "one.jsonl", [{"id": "doc", "text": "v1"}])
    import_documents(project, [tmp_path / "one.jsonl"])
    write_jsonl(tmp_path / "two.jsonl", [{"id": "new", "text": "n"}, {"id": "doc", "text": "v2"}])
    with pytest.raises(
        DocumentError, match=r"two.jsonl:2: document 'doc' already exists with different text"
    ):
        import_documents(project, [tmp_path / "two.jsonl"])
    assert project.document_ids() == ["doc"]


def test_unsupported_and_missing_paths(project: Project, tmp_path: Path) -> None:
    other = tmp_path / "doc.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unsupported file type '.pdf'"):
        import_documents(project, [other])
    with pytest.raises(InputError, match="no such file"):
        import_documents(project, [tmp_path / "missing.txt"])


def test_seeds_hold_the_sample_article() -> None:
    docs = seed_documents()
    assert [d.id for d in docs] == ["nk-troops-kursk"]
    text = docs[0].text
    assert "Robert Wood" in text
    assert "4,500 personnel" in text
    assert "“lies”" in text
    shared = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_9d6cd1610f2d5882.txt"
    if shared.exists():
        assert text == shared.read_text(encoding="utf-8")


def test_default_project_is_created_once_with_seeds(user_data_dir: Path) -> None:
    with open_project() as project:
        assert project.document_ids() == ["nk-troops-kursk"]
        assert project.path == user_data_dir / "default.annotator.db"
        project.add_span("nk-troops-kursk", "me", 0, 3, "actor")
    with open_project() as project:  # second start: not re-seeded, work kept
        assert project.document_ids() == ["nk-troops-kursk"]
        assert project.span_count() == 1


def test_env_var_overrides_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.db"))
    with open_project() as project:
        assert project.path == tmp_path / "env.db"


def test_open_project_on_foreign_file_is_an_annotator_error(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_text("not a db" * 20)
    with pytest.raises(AnnotatorError):
        open_project(path)
