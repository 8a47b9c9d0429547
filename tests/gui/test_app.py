"""The application as a user starts it: ``annotator --self-test`` and a window that shows and quits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from annotator.core.store import DocumentInput, Project


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


# -- who annotates, and what opens at start (issue 11) ----------------------------------------


def test_change_annotator_refuses_the_gold_layer(window, qtbot) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.gui.widgets import AnnotatorDialog

    answers = ["gold", "carol"]
    problems: list[str] = []

    def type_name() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AnnotatorDialog):
            QTimer.singleShot(10, type_name)
            return
        dialog.name.clear()
        qtbot.keyClicks(dialog.name, answers.pop(0))
        qtbot.keyClick(dialog.name, Qt.Key_Return)
        if dialog.isVisible():  # refused: it says why and stays open
            problems.append(dialog.error.text())
            if answers:
                QTimer.singleShot(0, type_name)
            else:
                dialog.reject()

    QTimer.singleShot(0, type_name)
    window.annotator_action.trigger()
    assert window.session.annotator == "carol"
    assert len(problems) == 1
    assert "gold" in problems[0]
    assert "review" in problems[0]


def test_an_unusable_annotator_name_is_explained_at_start_and_asked_for(
    qtbot, settings, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtCore import Qt

    from annotator.gui import app

    monkeypatch.setenv(app.NAME_ENV, "a/b")
    asked: list[str] = []

    def ask(cls, parent, current, first_start=False, problem=""):
        asked.append(problem)
        return "alice"

    monkeypatch.setattr(app.AnnotatorDialog, "ask", classmethod(ask))
    db = tmp_path / "p.db"
    with Project.open(db) as project:
        project.add_documents([DocumentInput("d", "Robert Wood spoke.", "D")])
    window = app.start(db, settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.session.annotator == "alice")
    assert len(asked) == 1
    assert "a/b" in asked[0]
    assert app.NAME_ENV in asked[0]
    qtbot.waitUntil(window.isActiveWindow)
    window.text_view.select_range(0, 6)
    qtbot.keyClick(window.text_view, Qt.Key_1)  # the label key works under the name given
    assert [s.annotator for s in window.project.spans("d", "alice")] == ["alice"]
    assert "All changes saved" in window.status_saved.text()
    window.close()
    window.project.close()


def test_a_last_project_that_cannot_be_opened_is_explained(
    qapp, settings, tmp_path: Path, monkeypatch
) -> None:
    from annotator.gui import app, messages

    last = tmp_path / "last.db"
    last.write_bytes(b"not an SQLite database at all " * 100)
    before = last.read_bytes()
    settings.last_project = last
    said: list[str] = []
    monkeypatch.setattr(messages, "warn", lambda _parent, title, text, *_a: said.append(text))
    project = app.open_start_project(None, settings)
    try:
        assert project.path != last
        assert project.document_count() >= 1  # the default project, with the sample article
    finally:
        project.close()
    assert len(said) == 1
    assert str(last) in said[0]
    assert "default project" in said[0]
    assert last.read_bytes() == before
