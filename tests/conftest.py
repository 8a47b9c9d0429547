"""Shared fixtures: offscreen Qt, projects in tmp_path, and no test ever touches real user data."""

from __future__ import annotations

import os
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
    from annotator.core.importing import seed_documents

    project.add_documents(seed_documents())
    return project


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses Qt fixtures as ``gui`` so ``-m 'not gui'`` runs the core alone.

    ``stress`` tests (the long reliability variants) run only when the ``-m`` expression names
    them: ``python3 dev.py test -m stress``.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures or "qtmodeltester" in fixtures:
            item.add_marker(pytest.mark.gui)
    if "stress" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("stress") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("stress")])
        items[:] = kept
