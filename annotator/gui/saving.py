"""Every write of the GUI waits behind one cancellable "Waiting to save" path, and says how it went.

A write that finds another program holding the project's write lock (an import from the command
line, Annotator open on it twice) is tried again behind a dialog with a Cancel button, for at
most :attr:`SaveWaiter.wait_s` seconds; a busy try changed nothing, so trying again is safe.
Annotating, review decisions, the label editor and import all write through here.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog, QWidget

from annotator.core.errors import AnnotatorError, ProjectBusyError, ProjectError
from annotator.gui import colors, messages

R = TypeVar("R")

#: Called with (operation, the busy error): waits and returns the operation's result, or raises.
WaitForLock = Callable[[Callable[[], object], ProjectBusyError], object]

#: How long one try waits inside SQLite for another program's write (the project's busy timeout).
BUSY_SLICE_MS = 300


def attempt(operation: Callable[[], R], wait: WaitForLock | None) -> R:
    """Run one project write; when another program holds the lock, wait behind ``wait``."""
    try:
        return operation()
    except ProjectBusyError as busy:
        if wait is None:
            raise
        return wait(operation, busy)  # type: ignore[return-value]


class SaveWaiter:
    """The "Waiting to save" dialog of one window, shared by every write made from it."""

    #: Writes waiting right now, in any window: the watchers of other programs' changes pause.
    waiting = 0

    def __init__(self, window: QWidget, wait_s: float = 120.0) -> None:
        # Weak: the window keeps its waiter, and a cycle would keep a closed window's wrapper.
        self._window = weakref.ref(window)
        #: At most this long in all (the dialog has a Cancel button meanwhile).
        self.wait_s = wait_s

    @property
    def window(self) -> QWidget:
        return self._window()

    def write(self, operation: Callable[[], R]) -> R:
        """Run ``operation`` (one project write), waiting for another program's write if need be."""
        return attempt(operation, self.wait)

    def wait(self, operation: Callable[[], R], busy: ProjectBusyError) -> R:
        """Another program is writing: retry ``operation`` behind a cancellable progress dialog.

        Each try waits up to BUSY_SLICE_MS inside SQLite; between tries the dialog repaints and
        takes the Cancel click. Raises the busy error (``cancelled`` set when the user stopped).
        """
        dialog = QProgressDialog(
            "Another program is saving to this project (an import from the command line, or "
            "Annotator open on it twice).\nYour change will be saved as soon as it has finished…",
            "Cancel",
            0,
            0,
            self.window,
        )
        dialog.setObjectName("waitingForLockDialog")
        dialog.setWindowTitle("Waiting to save")
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        focus = QApplication.focusWidget()
        dialog.show()
        deadline = time.monotonic() + self.wait_s
        SaveWaiter.waiting += 1
        try:
            while True:
                QApplication.processEvents(QEventLoop.AllEvents, 50)
                if dialog.wasCanceled():
                    cancelled = ProjectBusyError(str(busy))
                    cancelled.cancelled = True
                    raise cancelled
                try:
                    return operation()
                except ProjectBusyError:
                    if time.monotonic() >= deadline:
                        raise
        finally:
            SaveWaiter.waiting -= 1
            dialog.close()
            dialog.deleteLater()
            self._give_back_focus(focus)

    def _give_back_focus(self, focus: QWidget | None) -> None:
        """Back to where the user was typing, with or without a window manager to do it.

        QWidget.activateWindow() does nothing here: QWindow.isActive() still counts the hidden
        dialog (our transient child) as focus, and without a window manager nobody moves the
        focus back, so the label keys (window shortcuts) would go nowhere.
        """
        window = self.window.window()
        handle = window.windowHandle()
        if handle is not None:
            handle.requestActivate()
        window.activateWindow()
        # Let the activation arrive before the next key does.
        QApplication.processEvents(QEventLoop.ExcludeUserInputEvents)
        if focus is not None:
            focus.setFocus()


def explain_failure(parent: QWidget | None, error: AnnotatorError, project_path: object) -> bool:
    """Say why a write was not saved; True if it was a failed write (not a refused edit)."""
    if isinstance(error, ProjectBusyError):
        ended = "You stopped waiting" if error.cancelled else "The wait for it ran out"
        messages.error(
            parent,
            "The change was not saved — the project is busy",
            "Another program was saving to this project (an import from the command line, or "
            f"Annotator open on it twice). {ended}.\n\nYour last change was not saved; the "
            "window shows only what is saved, and nothing earlier is affected. Try again in a "
            f"moment.\n\nProject file: {project_path}",
        )
        return True
    if isinstance(error, ProjectError):
        messages.error(
            parent,
            "The change was not saved",
            f"{error}\n\nThe project file was not changed, and the window shows only what is "
            "saved in it. Check that the disk is not full and the file is writable, then try again.",
        )
        return True
    return False


class SaveIndicator(QLabel):
    """The status bar's word on the last write: "✓ All changes saved" or "⚠ Last change NOT saved"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveIndicator")
        self.setTextFormat(Qt.PlainText)
        self.setContentsMargins(8, 0, 8, 0)
        self.ok = True
        self.show_state(True)

    def show_state(self, ok: bool) -> None:
        self.ok = ok
        if ok:
            self.setText("✓ All changes saved")
            self.setStyleSheet("color: palette(window-text);")
            self.setToolTip("Every change is written to the project file as you make it")
        else:
            self.setText("⚠ Last change NOT saved")
            self.setStyleSheet(f"color: {colors.ERROR}; font-weight: bold;")
            self.setToolTip("The last write to the project file failed")
