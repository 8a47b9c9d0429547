"""Opening a project: the given file, or the default one (created with the sample article).

Reading documents and corpora lives in :mod:`annotator.core.formats` (plain documents in
:mod:`annotator.core.formats.plain`, every corpus format through
:mod:`annotator.core.formats.importer`).
"""

from __future__ import annotations

from pathlib import Path

from annotator.core.formats.plain import seed_documents
from annotator.core.paths import default_project_path
from annotator.core.store import Project, busy_timeout_ms

__all__ = ["busy_timeout_ms", "open_project"]


def open_project(path: str | Path | None = None, *, readonly: bool = False, reading: bool = False) -> Project:
    """Open ``path``, or the default project, creating it with the sample article on first use.

    ``readonly`` opens an existing project for reading only (see :meth:`Project.open`);
    ``reading`` does that too, but creates a missing project (the default one on first use)
    first. The wait for other programs' writes comes from ``ANNOTATOR_BUSY_TIMEOUT``.
    """
    wait = busy_timeout_ms()
    target = Path(path).expanduser() if path is not None else default_project_path()
    seed = seed_documents if path is None else None
    if reading:
        return Project.open_for_reading(target, seed=seed, busy_timeout_ms=wait)
    return Project.open(target, readonly=readonly, seed=seed, busy_timeout_ms=wait)
