"""The window fixtures of tests/gui, for the reliability tests that drive the real window."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.conftest import (  # noqa: F401 - fixtures, found by name
    OFFSCREEN_NOISE,
    errors,
    make_window,
    settings,
    settings_path,
    window,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
