"""Errors a user can act on, as opposed to bugs.

Every exception derived from :class:`AnnotatorError` carries a message meant for the user; the
CLI prints it as one line and the GUI shows it in a dialog. Anything else is a bug.
"""

from __future__ import annotations

from pathlib import Path


class AnnotatorError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""


class ProjectError(AnnotatorError):
    """The project file cannot be opened or written."""


class ProjectBusyError(ProjectError):
    """Another program held the project's write lock for longer than we wait; nothing was saved."""

    #: True when the user stopped waiting (the window's Cancel), not the time limit.
    cancelled = False


class ProjectWriteError(ProjectError):
    """The change could not be written (disk full, read-only file, I/O error); nothing was saved."""


class DamagedRowError(ProjectError):
    """A row of the project file breaks the rules that every row the program writes keeps (a span
    outside its text, ``meta`` that is not JSON...): the file was changed by something else.
    Readers raise it naming the row; nothing is written."""


class SpanError(AnnotatorError):
    """A span breaks one of the rules a span must follow."""


class LabelError(AnnotatorError):
    """A label operation is not allowed (unknown, duplicate or invalid label)."""


class DocumentError(AnnotatorError):
    """A document operation is not allowed (e.g. the same id with different text)."""


class InputError(AnnotatorError):
    """Bad input in a file being imported; names the file and, where known, the line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")
