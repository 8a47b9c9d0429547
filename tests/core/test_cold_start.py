"""Issue 16, item 7: starting Annotator does not import numpy or pandas (sqlite-utils would,
whenever they are installed: 0.1-0.3 s of every cold start), and they still work afterwards."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.child_env import ROOT, child_env

pytest.importorskip("numpy")  # the test extra installs it (as the spaCy extra does)

_CHECK = """
import sys
import annotator.cli, annotator.core.store, annotator.gui.app, annotator.gui.mainwindow
print(sorted(name for name in ("numpy", "pandas") if name in sys.modules))
import numpy, sqlite_utils
from annotator.core.store import Project
with Project.in_memory() as project:
    project.add_span  # the store works as usual
print(numpy.arange(3).sum())
"""


def test_start_up_imports_neither_numpy_nor_pandas() -> None:
    env = {**child_env(), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", _CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "3"]
