"""Loaded by every child Python of a ``-m "not gui"`` test run (tests/conftest.py puts this folder
first on PYTHONPATH): importing Qt fails loudly, so a test that starts Qt in a subprocess without
the ``gui`` marker fails instead of quietly starting Qt in a run that promised not to."""

from __future__ import annotations

import importlib.abc
import sys

FORBIDDEN = ("PySide6", "shiboken6")


class ForbidQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.split(".")[0] in FORBIDDEN:
            raise ImportError(
                f"{name}: this test run deselected the gui marker (-m 'not gui'), so it must not "
                "start Qt; mark the test that got here with @pytest.mark.gui"
            )
        return None


def install() -> None:
    if not any(isinstance(finder, ForbidQt) for finder in sys.meta_path):
        sys.meta_path.insert(0, ForbidQt())


install()
