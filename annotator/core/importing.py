"""Opening a project: the given file, or the default one (created with the sample article).

Reading documents and corpora lives in :mod:`annotator.core.formats` (plain documents in
:mod:`annotator.core.formats.plain`, every corpus format through
:mod:`annotator.core.formats.importer`).
"""

from __future__ import annotations

import os
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.core.formats.plain import seed_documents
from annotator.core.paths import default_project_path
from annotator.core.store import DEFAULT_BUSY_TIMEOUT_MS, Project

#: Seconds a write waits for another program's write before it gives up (default 5).
BUSY_TIMEOUT_ENV = "ANNOTATOR_BUSY_TIMEOUT"


def busy_timeout_ms() -> int:
    """The wait for another program's write, from ``ANNOTATOR_BUSY_TIMEOUT`` (seconds) if set."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    try:
        seconds = float(value) if value else DEFAULT_BUSY_TIMEOUT_MS / 1000
    except ValueError:
        raise AnnotatorError(f"{BUSY_TIMEOUT_ENV}={value!r}: expected a number of seconds") from None
    return max(0, int(seconds * 1000))


def open_project(path: str | Path | None = None, *, readonly: bool = False) -> Project:
    """Open ``path``, or the default project, creating it with the sample article on first use.

    ``readonly`` opens an existing project for reading only (see :meth:`Project.open`).
    """
    wait = busy_timeout_ms()
    if path is not None:
        return Project.open(Path(path).expanduser(), readonly=readonly, busy_timeout_ms=wait)
    return Project.open(default_project_path(), readonly=readonly, seed=seed_documents, busy_timeout_ms=wait)
