"""Fixtures for the annotation window: a seeded project in tmp_path, settings in a temp file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.store import DocumentInput, Project


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def settings(settings_path: Path):
    from annotator.gui.settings import Settings

    return Settings(settings_path)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Error dialogs the window would have shown (recorded instead of blocking)."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "annotator.gui.messages.error", lambda _parent, title, message: shown.append((title, message))
    )
    return shown


@pytest.fixture
def make_window(qtbot, settings, errors) -> Iterator[Callable[..., object]]:
    """Open a MainWindow on a project (shown, active) as the app would."""
    from annotator.gui.mainwindow import MainWindow

    windows = []

    def make(project: Project, annotator: str = "alice", settings_=None):
        window = MainWindow(project, settings_ or settings, annotator)
        qtbot.addWidget(window)
        window.resize(1200, 800)
        window.show()
        window.open_initial_document()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()


@pytest.fixture
def window(make_window, seeded: Project):
    return make_window(seeded)


def project_with(path: Path, *texts: str) -> Project:
    project = Project.open(path)
    project.add_documents(
        [DocumentInput(f"doc{i}", text, title=f"Document {i}") for i, text in enumerate(texts, 1)]
    )
    return project


# The offscreen platform plugin says this whenever a top-level window is shown; it is about the
# test platform, not about Annotator.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/gui is a window test (some start the app in a child process)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
