"""The window and damaged project files: a clear message, the file untouched, the app usable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.core.errors import ProjectError
from annotator.core.store import Project
from annotator.gui.mainwindow import ProjectFileDialog
from tests.reliability.test_damaged_projects import DAMAGED, make_project, snapshot
from tests.reliability.test_write_failures import select_range


def answer_start_dialogs(choices: list[str], seen: list[str]) -> None:
    """Click ``choices`` (button attribute names) on the start dialogs as they appear."""
    from annotator.gui.app import StartProblemDialog

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, StartProblemDialog):
            QTimer.singleShot(10, click)
            return
        seen.append(dialog.text())
        assert dialog.textFormat() == Qt.PlainText
        getattr(dialog, choices.pop(0)).click()
        if choices:
            QTimer.singleShot(10, click)

    QTimer.singleShot(0, click)


@pytest.mark.parametrize("case", ["truncated to half", "SQLite file of another application", "zero-length"])
def test_start_on_a_damaged_project_offers_another_one(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    from annotator.gui.app import recover_start

    folder = tmp_path / "projects"
    folder.mkdir()
    damaged = DAMAGED[case][0](folder)
    before = snapshot(folder)
    good = make_project(tmp_path / "good.db", documents=2)
    monkeypatch.setattr(ProjectFileDialog, "ask_open", classmethod(lambda _cls, _parent: good))
    with pytest.raises(ProjectError) as caught:
        Project.open(damaged)
    seen: list[str] = []
    answer_start_dialogs(["open_button"], seen)
    project = recover_start(caught.value, offer_default=True)
    assert project is not None
    assert project.path == good
    assert project.document_count() == 3
    project.close()
    assert seen == [str(caught.value)]
    assert snapshot(folder) == before


def test_start_dialog_comes_back_until_something_opens_or_the_user_quits(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.gui.app import recover_start

    folder = tmp_path / "projects"
    folder.mkdir()
    first = DAMAGED["random bytes"][0](folder)
    second = DAMAGED["schema of a newer version"][0](folder)
    before = snapshot(folder)
    monkeypatch.setattr(ProjectFileDialog, "ask_open", classmethod(lambda _cls, _parent: second))
    with pytest.raises(ProjectError) as caught:
        Project.open(first)
    seen: list[str] = []
    answer_start_dialogs(["open_button", "quit_button"], seen)
    assert recover_start(caught.value, offer_default=False) is None
    assert len(seen) == 2
    assert "not an SQLite database" in seen[0]
    assert "written by a newer Annotator" in seen[1]
    assert snapshot(folder) == before


@pytest.mark.parametrize("case", list(DAMAGED))
def test_opening_a_damaged_project_keeps_the_window_on_its_project(
    window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errors, case: str
) -> None:
    folder = tmp_path / "projects"
    folder.mkdir()
    damaged = DAMAGED[case][0](folder)
    before = snapshot(folder)
    monkeypatch.setattr(ProjectFileDialog, "ask_open", classmethod(lambda _cls, _parent: damaged))
    current = window.project
    window.open_project_dialog()
    assert len(errors) == 1
    assert errors[0][0] == "Cannot open the project"
    assert str(damaged) in errors[0][1]
    assert window.project is current
    assert snapshot(folder) == before
    # Still usable: a span goes into the project that was open all along.
    text = window.session.text
    start = text.index("Robert Wood")
    select_range(window, start, start + 11)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert [(s.start, s.end) for s in current.spans(window.session.doc_id, "alice")] == [(start, start + 11)]


# -- rows damaged by another program (the file itself passes the open checks) -----------------


@pytest.mark.parametrize("case", ["title NULL", "unknown status", "text stored as a BLOB"])
def test_opening_a_project_with_a_damaged_row_keeps_the_window_on_its_project(
    window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errors, case: str
) -> None:
    from tests.reliability.test_damaged_rows import CASES

    build, named = CASES[case]
    damaged = build(tmp_path / "damaged.db")
    monkeypatch.setattr(ProjectFileDialog, "ask_open", classmethod(lambda _cls, _parent: damaged))
    current = window.project
    shown = window.doc_model.rowCount()
    window.open_project_dialog()
    assert [title for title, _message in errors] == ["Cannot open the project"]
    assert "damaged row in the project file" in errors[0][1]
    assert all(part in errors[0][1] for part in named)
    assert window.project is current
    assert window.doc_model.rowCount() == shown
    text = window.session.text
    start = text.index("Robert Wood")
    select_range(window, start, start + 11)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert [(s.start, s.end) for s in current.spans(window.session.doc_id, "alice")] == [(start, start + 11)]


@pytest.mark.parametrize(
    "case", ["span past the end of its text", "span with a negative start", "meta that is not JSON"]
)
def test_a_document_with_a_damaged_row_is_explained_not_shown(
    make_window, qtbot, tmp_path: Path, errors, case: str
) -> None:
    from tests.reliability.test_damaged_rows import CASES

    build, named = CASES[case]
    project = Project.open(build(tmp_path / "damaged.db"))
    window = make_window(project)
    window.open_document("good")
    assert window.session.doc_id == "good"
    window.open_document("d1")
    assert [title for title, _message in errors] == ["Cannot open the document"]
    assert all(part in errors[0][1] for part in named)
    assert window.session.doc_id == "good"
    assert window.text_view.toPlainText() == "A good document."
    window.close()
    project.close()


def test_starting_on_a_project_with_a_damaged_row_says_which_and_offers_another(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from annotator.gui import app
    from tests.reliability.test_damaged_rows import CASES

    build, named = CASES["unknown status"]
    damaged = build(tmp_path / "damaged.db")
    before = snapshot(tmp_path)
    monkeypatch.setenv(app.SETTINGS_ENV, str(tmp_path / "settings.ini"))
    monkeypatch.setenv(app.NAME_ENV, "alice")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own
    seen: list[str] = []
    answer_start_dialogs(["quit_button"], seen)
    assert app.run(damaged) == 1
    assert len(seen) == 1
    assert all(part in seen[0] for part in named)
    # The same without a screen to ask on (ANNOTATOR_QUIT_WHEN_SHOWN): one line on stderr.
    monkeypatch.setenv(app.QUIT_ENV, "1")
    assert app.run(damaged) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"annotator: error: {damaged}: damaged row in the project file")
    assert snapshot(tmp_path) == {**before, "settings.ini": snapshot(tmp_path).get("settings.ini", b"")}
