"""The real doccano 1.8.4 imports our export (``python3 dev.py test -m doccano``).

doccano cannot share the test environment (it pins Django 4, pandas 1 and more), so it gets a
virtual environment of its own: ``ANNOTATOR_DOCCANO_PYTHON`` names its Python, else one is made in
``.venv-doccano`` beside the project on first use (``pip install doccano==1.8.4``: about 3 minutes
and 700 MB, with ``marshmallow<3.24`` and ``numpy<2``, which doccano 1.8.4's own pins let drift
into versions it cannot import). ``doccano_import.py`` then runs doccano's import pipeline in it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from annotator.core.store import Project

from .conftest import export, touched_records
from .own_venv import own_python
from .test_doccano_consumers import doccano_keeps

pytestmark = pytest.mark.doccano

SCRIPT = Path(__file__).parent / "doccano_import.py"
REQUIREMENTS = ["doccano==1.8.4", "marshmallow<3.24", "numpy<2"]


@pytest.fixture(scope="session")
def doccano_python() -> Path:
    return own_python(".venv-doccano", "ANNOTATOR_DOCCANO_PYTHON", REQUIREMENTS)


def doccano_import(python: Path, home: Path, file: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), str(SCRIPT), str(home), str(file)],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")},
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().split("\n")[-1])
    return result


def test_doccano_imports_our_export_as_written(
    awkward: Project, tmp_path: Path, doccano_python: Path
) -> None:
    path = tmp_path / "corpus.jsonl"
    export(awkward, path, "doccano")
    result = doccano_import(doccano_python, tmp_path / "doccano", path)
    assert "crash" not in result, result
    assert result["errors"] == []
    records = touched_records(awkward)
    assert len(result["examples"]) == len(records)
    for example, (doc_id, name, text, spans) in zip(result["examples"], records, strict=True):
        assert example["text"] == text  # emoji, marks, \r\n, U+2028 exactly (chardet sees ASCII)
        assert example["meta"] == {
            "id": doc_id,
            "title": f"Title of {doc_id}",
            "annotator": name,
            "meta": awkward.document(doc_id).meta,
        }
        kept = doccano_keeps([[s, e, lab] for s, e, lab, _n in spans])
        assert sorted(example["spans"]) == sorted(kept)  # what the report warned about is what it drops


def test_the_former_export_crashed_doccano(tmp_path: Path, doccano_python: Path) -> None:
    """The regression: different meta keys per record (flattened), as the export wrote them."""
    old = tmp_path / "old.jsonl"
    old.write_text(
        '{"id": "a", "text": "Hello Kim", "label": [[6, 9, "actor"]], "title": null, "annotator": "alice", '
        '"source": "wire"}\n'
        '{"id": "b", "text": "Other", "label": [], "title": "T", "annotator": "alice", "n": 2}\n',
        encoding="utf-8",
    )
    result = doccano_import(doccano_python, tmp_path / "doccano", old)
    assert "JSON_VALID" in result.get("crash", ""), result
