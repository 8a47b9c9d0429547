"""A virtual environment of its own for a consumer that cannot share the test environment."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def own_python(folder_name: str, variable: str, requirements: list[str]) -> Path:
    """The Python named by the environment ``variable``, else the one of ``ROOT/folder_name``,
    made and given ``requirements`` on first use (and again when they change)."""
    given = os.environ.get(variable)
    if given:
        return Path(given)
    folder = ROOT / folder_name
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = folder / ".installed"
    if not stamp.exists() or stamp.read_text() != " ".join(requirements):
        if not python.exists():
            venv.EnvBuilder(with_pip=True).create(folder)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *requirements], check=True)
        stamp.write_text(" ".join(requirements))
    return python
