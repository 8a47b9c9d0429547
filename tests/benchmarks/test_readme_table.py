"""The README's benchmark tables are the committed benchmark JSON, rendered (issue 16, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks import readme_table


def test_readme_table_matches_the_committed_json() -> None:
    figures = readme_table.load()
    assert {"scale", "coldstart"} <= figures.keys()
    readme = readme_table.README.read_text(encoding="utf-8")
    assert readme_table.rewritten(readme, figures) == readme, (
        "README.md's benchmark table is out of date: run python tests/benchmarks/readme_table.py"
    )
    assert readme_table.PLOT.is_file()


def test_the_table_follows_the_json(tmp_path: Path) -> None:
    """A changed figure changes the rendered table (the README cannot keep an old claim)."""
    figures = readme_table.load()
    changed = json.loads(json.dumps(figures))
    changed["scale"]["agree_2000_docs_s"] = 123.0
    assert "123.00 s" in readme_table.render(changed)
    assert "123.00 s" not in readme_table.render(figures)
