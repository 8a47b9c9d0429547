"""The core and the CLI never import Qt: enforced here, not by memory."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Everything outside annotator/gui: the core, the CLI, and the package's top-level modules.
HEADLESS = [*sorted((ROOT / "annotator" / "core").rglob("*.py")), *sorted((ROOT / "annotator").glob("*.py"))]


QT = {"PySide6", "PyQt5", "PyQt6", "shiboken6"}


def imported_modules(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_import_in_core_or_cli_source() -> None:
    """No Qt anywhere; the GUI package only lazily (``annotator`` with no command opens it)."""
    offenders = {}
    for path in HEADLESS:
        bad = sorted(m for m in imported_modules(path) if m.split(".")[0] in QT)
        bad += sorted(m for m in imported_modules(path, top_level_only=True) if m.startswith("annotator.gui"))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_importing_every_core_module_and_running_the_cli_loads_no_qt(tmp_path: Path) -> None:
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in HEADLESS
    ]
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "from annotator.cli import cli\n"
        "from click.testing import CliRunner\n"
        f"r = CliRunner().invoke(cli, ['--db', {str(tmp_path / 'p.db')!r}, 'stats', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'annotator.gui'))]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
