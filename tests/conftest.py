"""Shared fixtures: offscreen Qt, projects in tmp_path, and no test ever touches real user data."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Offscreen by default, before anything can import Qt (as MusicBrainz Picard's conftest does).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from annotator.core.store import Project  # noqa: E402


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the data folder and ANNOTATOR_DB away from the developer's real files."""
    data = tmp_path_factory.mktemp("userdata")
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    monkeypatch.setattr("annotator.core.paths.data_dir", lambda: data)
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "xdg-config"))
    return data


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    with Project.open(project_path) as opened:
        yield opened


@pytest.fixture
def seeded(project: Project) -> Project:
    """A project holding the sample article."""
    from annotator.core.formats.plain import seed_documents

    project.add_documents(seed_documents())
    return project


NO_QT = Path(__file__).parent / "no_qt"


def _gui_deselected(config: pytest.Config) -> bool:
    return "not gui" in (config.getoption("markexpr") or "")


def pytest_configure(config: pytest.Config) -> None:
    """Under ``-m "not gui"``, child Pythons cannot import Qt (tests/no_qt/sitecustomize.py).

    Test modules may still import PySide6 when they are collected; starting Qt in this process is
    caught after each test by ``no_qt_started``.
    """
    if _gui_deselected(config):
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NO_QT), os.environ.get("PYTHONPATH")]))


@pytest.fixture(autouse=True)
def no_qt_started(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test without the ``gui`` marker must not start Qt (checked in ``-m "not gui"`` runs)."""
    yield
    if not _gui_deselected(request.config) or "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is not None:
        pytest.fail(f"{request.node.nodeid} started Qt but is not marked gui", pytrace=False)


#: Markers whose tests run only when the ``-m`` expression names them: the long reliability runs,
#: the desktop bundle build, the real doccano and the real Label Studio server (each a virtual environment
#: of its own).
ON_REQUEST = ("stress", "bundle", "doccano", "labelstudio")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses Qt fixtures as ``gui`` so ``-m 'not gui'`` runs the core alone.

    ``stress`` and ``bundle`` tests run only when the ``-m`` expression names them:
    ``python3 dev.py test -m stress``, ``python3 dev.py test -m bundle``.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures or "qtmodeltester" in fixtures:
            item.add_marker(pytest.mark.gui)
    asked = config.getoption("markexpr") or ""
    left_out = [m for m in ON_REQUEST if m not in asked]
    kept = [item for item in items if not any(item.get_closest_marker(m) for m in left_out)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
