"""The environment for a child Python that runs this checkout's code."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(**extra: str) -> dict[str, str]:
    """``os.environ`` with the checkout first on PYTHONPATH, the rest of PYTHONPATH kept.

    Kept, not replaced: under ``-m "not gui"`` it carries tests/no_qt, whose sitecustomize makes
    a child that imports Qt fail (see tests/conftest.py).
    """
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}
