"""The architecture as contracts: SQL only in the store, the core's layers (issue 15, item 16)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")
ROOT = Path(__file__).resolve().parents[2]


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_sql_is_only_in_the_store_and_the_core_is_layered() -> None:
    found = contracts()
    sql = next(c for name, c in found.items() if name.startswith("SQL only in the store"))
    assert sql["type"] == "protected"
    assert sql["protected_modules"] == ["sqlite3", "sqlite_utils"]
    assert sql["allowed_importers"] == ["annotator.core.store"]
    layers = next(c for name, c in found.items() if name.startswith("The core's layers"))
    assert layers["type"] == "layers"
    assert layers["containers"] == ["annotator.core"]
    result = subprocess.run(
        [sys.executable, "-m", "importlinter.cli"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_no_code_outside_the_store_reaches_for_its_connection() -> None:
    """``project.db`` is the store's own: others ask :class:`Project` for an operation."""
    reaching = re.compile(r"\.db\.(execute|conn|atomic|query|executescript)\b|\.db\[")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "annotator").rglob("*.py"))
        if "store" not in path.relative_to(ROOT / "annotator").parts[:2]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reaching.search(line)
    ]
    assert offenders == []
