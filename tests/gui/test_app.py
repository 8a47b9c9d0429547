"""The application as a user starts it: ``annotator --self-test`` and a window that shows and quits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from annotator.core.store import Project


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ANNOTATOR_SETTINGS": str(tmp_path / "settings.ini"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("ANNOTATOR_DB", None)
    env.update(extra)
    return env


def test_self_test_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--self-test"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    assert "FAIL" not in result.stdout
    assert "propagateSizeHints" not in result.stderr


def test_the_app_opens_the_project_and_shows_the_window(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db)],
        capture_output=True,
        text=True,
        env=_env(tmp_path, ANNOTATOR_QUIT_WHEN_SHOWN="1", ANNOTATOR_NAME="dora"),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shown ")
    with Project.open(db) as project:
        assert project.document_count() == 0  # an explicit --db is not seeded
    settings = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert str(db.resolve()) in settings


def test_the_default_project_starts_with_the_sample_article(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from annotator.gui.app import main; main([])"],
        capture_output=True,
        text=True,
        env=_env(tmp_path, ANNOTATOR_QUIT_WHEN_SHOWN="1", ANNOTATOR_NAME="dora"),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "last_document=nk-troops-kursk" in (tmp_path / "settings.ini").read_text(encoding="utf-8")


def test_app_icon_offers_the_pixel_aligned_small_sizes(qapp) -> None:
    from PySide6.QtCore import QSize

    from annotator.gui.app import app_icon

    icon = app_icon()
    assert icon is not None
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (24, 24), (32, 32), (256, 256)} <= sizes
    assert icon.actualSize(QSize(16, 16)) == QSize(16, 16)
