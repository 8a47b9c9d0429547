"""Every message box of both windows, in one place that tests replace so that nothing blocks.

Callers use the module (``messages.error(parent, title, text)``), never a copy of a function,
so a test's ``monkeypatch.setattr("annotator.gui.messages.error", record)`` sees every call.
Texts are plain text: they quote file names, label and annotator names and errors, which may
look like HTML.
"""

from __future__ import annotations

import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator import APP_NAME


def _box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    details: str = "",
    buttons: QMessageBox.StandardButton = QMessageBox.Ok,
) -> int:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.PlainText)
    if details:
        box.setDetailedText(details)
    try:
        return int(box.exec() or 0)
    finally:
        box.deleteLater()


def error(parent: QWidget | None, title: str, text: str) -> None:
    """Something the user asked for did not happen (a write failed, a file cannot be opened)."""
    _box(parent, QMessageBox.Critical, title, text)


def warn(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """A problem the user can act on, or a result with something left out."""
    _box(parent, QMessageBox.Warning, title, text, details)


def inform(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """What happened (an import's summary, why review cannot start yet)."""
    _box(parent, QMessageBox.Information, title, text, details)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Yes or no."""
    answer = _box(parent, QMessageBox.Question, title, text, buttons=QMessageBox.Yes | QMessageBox.No)
    return answer == QMessageBox.Yes.value


def unexpected(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """An unexpected error (a bug): printed, shown with its details, and the window goes on."""
    traceback.print_exception(kind, value, tb)
    if kind is KeyboardInterrupt or QApplication.instance() is None:
        return
    _box(
        None,
        QMessageBox.Critical,
        f"{APP_NAME}: unexpected error",
        "Something went wrong inside Annotator (a bug). Every change the window showed as saved "
        "is in the project file.\n\nPlease report this, with the details below.",
        "".join(traceback.format_exception(kind, value, tb)),
    )
