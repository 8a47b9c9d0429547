"""Starting the window: the QApplication, the project, the annotator's name, the main window."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator import APP_ID, APP_NAME, ORG_NAME, __version__
from annotator.core.errors import AnnotatorError, ProjectError
from annotator.core.paths import resources_dir
from annotator.core.store import Project
from annotator.gui import messages
from annotator.gui.settings import Settings, os_user_name
from annotator.gui.widgets import AnnotatorDialog, annotator_problem

if TYPE_CHECKING:
    from annotator.gui.mainwindow import MainWindow

#: Environment variables the window reads (documented in docs/gui.md).
SETTINGS_ENV = "ANNOTATOR_SETTINGS"  # path of the settings INI file
NAME_ENV = "ANNOTATOR_NAME"  # annotator name; skips the first-start question
QUIT_ENV = "ANNOTATOR_QUIT_WHEN_SHOWN"  # print "shown <epoch seconds>" and quit (benchmarks)


def application() -> QApplication:
    """The QApplication, created once with Annotator's identity and icon."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    return app


def app_icon() -> QIcon | None:
    """The app icon: the hand-tuned pixel-aligned PNGs at small sizes, the SVG above them."""
    icons = resources_dir().joinpath("icons")
    icon = QIcon()
    hicolor = icons.joinpath("hicolor")
    if hicolor.is_dir():
        for folder in sorted(hicolor.iterdir(), key=lambda entry: entry.name):
            png = folder.joinpath("apps", "annotator.png")
            if png.is_file():
                icon.addFile(str(png))
    svg = icons.joinpath("annotator.svg")
    if svg.is_file():
        icon.addFile(str(svg))
    return None if icon.isNull() else icon


def known_annotator(settings: Settings) -> str | None:
    """The annotator's name from the environment or the settings; None on a first start."""
    return os.environ.get(NAME_ENV, "").strip() or settings.annotator


def annotator_source(settings: Settings) -> str:
    """Where :func:`known_annotator` found the name, in words for a message."""
    if os.environ.get(NAME_ENV, "").strip():
        return f"the environment variable {NAME_ENV}"
    return f"the settings file {settings.path}"


def choose_annotator(settings: Settings, parent=None) -> str:
    """The annotator's name: from the environment or the settings when it is a name the window
    can annotate under, else asked (once on a first start; with the reason when the known name
    cannot be used). Cancelling keeps the OS user name."""
    known = known_annotator(settings)
    problem = annotator_problem(known) if known else None
    if known and problem is None:
        return known
    reason = (
        f"The annotator name “{known}” from {annotator_source(settings)} cannot be used: {problem}"
        if known
        else ""
    )
    name = (
        AnnotatorDialog.ask(parent, os_user_name(), first_start=not known, problem=reason) or os_user_name()
    )
    settings.annotator = name
    settings.sync()
    return name


def open_start_project(db: Path | None, settings: Settings) -> Project:
    """``db`` if given; else the project open last time; else the (seeded) default project.

    When the last project cannot be opened, a message says why before the default one opens.
    """
    from annotator.core.importing import open_project

    last = settings.last_project
    if db is None and last is not None:
        try:
            if not last.exists():
                raise ProjectError(f"{last}: no longer exists (moved or deleted?)")
            return open_project(last)
        except AnnotatorError as exc:
            if not os.environ.get(QUIT_ENV):
                messages.warn(
                    None,
                    f"{APP_NAME} cannot open the last project",
                    f"The project you had open last time cannot be opened:\n{exc}\n\n"
                    f"{APP_NAME} did not change that file and opens your default project instead. "
                    "File → Open recent or File → Open project… bring it back once it is fixed.",
                )
    return open_project(db)


class StartProblemDialog(QMessageBox):
    """The project to start with cannot be opened: why, and the ways on (the file is untouched)."""

    def __init__(self, error: AnnotatorError, offer_default: bool, parent=None) -> None:
        super().__init__(QMessageBox.Warning, f"{APP_NAME} cannot open the project", str(error))
        if parent is not None:
            self.setParent(parent, self.windowFlags())
        self.setObjectName("startProblemDialog")
        self.setTextFormat(Qt.PlainText)  # the message quotes a file name, never markup
        self.setInformativeText(
            "Annotator did not change that file. Open another project, start a new one"
            + (", open the default project" if offer_default else "")
            + ", or quit."
        )
        self.open_button = self.addButton("Open Another Project…", QMessageBox.AcceptRole)
        self.new_button = self.addButton("New Project…", QMessageBox.AcceptRole)
        self.default_button = (
            self.addButton("Open the Default Project", QMessageBox.AcceptRole) if offer_default else None
        )
        self.quit_button = self.addButton("Quit", QMessageBox.RejectRole)
        self.setDefaultButton(self.open_button)
        self.setEscapeButton(self.quit_button)


def recover_start(error: AnnotatorError, offer_default: bool) -> Project | None:
    """Ask what to open instead of a project that could not be opened; None means quit."""
    from annotator.core.importing import open_project
    from annotator.gui.mainwindow import ProjectFileDialog

    while True:
        dialog = StartProblemDialog(error, offer_default)
        dialog.exec()
        clicked = dialog.clickedButton()
        dialog.deleteLater()
        try:
            if clicked is dialog.open_button:
                path = ProjectFileDialog.ask_open(None)
                if path is not None:
                    return open_project(path)
            elif clicked is dialog.new_button:
                path = ProjectFileDialog.ask_new(None)
                if path is not None and path.exists():
                    raise ProjectError(f"{path} already exists; choose “Open Another Project…” for it")
                if path is not None:
                    return open_project(path)
            elif dialog.default_button is not None and clicked is dialog.default_button:
                return open_project(None)
            else:
                return None
        except AnnotatorError as exc:
            error = exc


def _close_on_signals(window) -> None:
    """SIGTERM / Ctrl+C close the window properly (its layout and position are saved)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_args: window.close())
    # Python runs signal handlers only when it gets control: give it some, four times a second.
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def start(db: Path | None, settings: Settings) -> MainWindow | None:
    """Open the project and show the window on it (asking what to open, and who is annotating,
    where need be); None when the user chose to quit."""
    try:
        project = open_start_project(db, settings)
    except AnnotatorError as exc:
        if os.environ.get(QUIT_ENV):
            sys.stderr.write(f"annotator: error: {exc}\n")
            return None
        recovered = recover_start(exc, offer_default=db is not None)
        if recovered is None:
            return None
        project = recovered
    from annotator.gui.mainwindow import MainWindow

    known = known_annotator(settings)
    usable = known is not None and annotator_problem(known) is None
    annotator = known if usable else os_user_name()
    while True:
        try:
            window = MainWindow(project, settings, annotator)
            break
        except AnnotatorError as exc:  # a damaged row in the labels or the document list
            project.close()
            if os.environ.get(QUIT_ENV):
                sys.stderr.write(f"annotator: error: {exc}\n")
                return None
            recovered = recover_start(exc, offer_default=db is not None)
            if recovered is None:
                return None
            project = recovered
    if project.path is not None:
        settings.add_recent_project(project.path)
        settings.last_project = project.path
    window.show()
    window.activateWindow()
    window.open_initial_document()
    if not usable and not os.environ.get(QUIT_ENV):
        # Asked over the window that already shows the article: once on a first start, and
        # whenever the name from the environment or the settings cannot be used.
        def ask() -> None:
            name = choose_annotator(settings, window)
            if name != window.session.annotator:
                window.set_annotator(name)
            # Shortcuts (the label keys) need the window active again, with or without a
            # window manager to hand the focus back.
            window.activateWindow()
            window.text_view.setFocus()

        QTimer.singleShot(0, ask)
    return window


def run(db: Path | None) -> int:
    """Open the annotation window on ``db`` (or the default project); returns the exit code."""
    started = time.perf_counter()
    app = application()
    settings = Settings(os.environ.get(SETTINGS_ENV) or None)
    sys.excepthook = messages.unexpected
    window = start(db, settings)
    if window is None:
        return 1
    _close_on_signals(window)
    if os.environ.get(QUIT_ENV):

        def report() -> None:
            sys.stdout.write(f"shown {time.time():.6f} {time.perf_counter() - started:.6f}\n")
            sys.stdout.flush()
            window.close()
            app.quit()

        QTimer.singleShot(0, report)
    code = app.exec()
    window.project.close()
    return int(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``annotator-gui``."""
    parser = argparse.ArgumentParser(prog="annotator-gui", description=f"{APP_NAME} annotation window")
    parser.add_argument(
        "--db",
        type=Path,
        default=os.environ.get("ANNOTATOR_DB") or None,
        help="project file (created if missing)",
    )
    args = parser.parse_args(argv)
    sys.exit(run(args.db))


if __name__ == "__main__":
    main()
