"""The project file: one SQLite database per project, written through sqlite-utils.

The only package that talks SQL (an import-linter contract keeps ``sqlite3`` and
``sqlite_utils`` inside it). Its parts:

- :mod:`~annotator.core.store.schema`: the schema and its migrations, applied in one transaction;
- :mod:`~annotator.core.store.files`: project-file safety - look before opening, readers that
  let other programs write, writers, backups, failures explained;
- :mod:`~annotator.core.store.rows`: stored rows into domain objects, damaged rows named;
- :mod:`~annotator.core.store.connection`: transactions and read snapshots;
- :mod:`~annotator.core.store.documents`: documents, labels, annotators, status, the lazy
  document list;
- :mod:`~annotator.core.store.facts`: the document list's counts and text facts, kept by triggers;
- :mod:`~annotator.core.store.spans`: spans and reviewers' decisions;
- :mod:`~annotator.core.store.project`: :class:`Project` - opening, creating and upgrading
  files, figures, bulk transfer (each module's class builds on the one before).

A file is opened only after a read-only look has shown that it is an Annotator project of a
schema this code understands (or a new, empty file). A foreign, damaged or newer file is refused
and left byte-for-byte unchanged.
"""

from __future__ import annotations

import sys


def _import_sqlite_utils_without_numpy() -> None:
    """Import sqlite-utils without letting it import numpy and pandas.

    sqlite-utils imports both whenever they are installed (to map their scalar types to
    column types, which Annotator never passes it: its SQL is its own), and the spaCy extra
    brings numpy: 0.1-0.3 s of every cold start. They are hidden for that one import only;
    anything that needs them later (spaCy, suggestions) imports them as usual.
    """
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes "import name" fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


_import_sqlite_utils_without_numpy()

from annotator.core.model import GOLD_LAYER, content_hash  # noqa: E402
from annotator.core.store.connection import now  # noqa: E402
from annotator.core.store.documents import AddResult, DocumentInput, DocumentList  # noqa: E402
from annotator.core.store.files import (  # noqa: E402
    BUSY_TIMEOUT_ENV,
    DEFAULT_BUSY_TIMEOUT_MS,
    backup_path,
    busy_timeout_ms,
    inspect_file,
    read_only_uri,
)
from annotator.core.store.project import LayerRow, Project  # noqa: E402
from annotator.core.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION  # noqa: E402
from annotator.core.store.spans import NewSpan, Rejection  # noqa: E402

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_ENV",
    "DEFAULT_BUSY_TIMEOUT_MS",
    "GOLD_LAYER",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AddResult",
    "DocumentInput",
    "DocumentList",
    "LayerRow",
    "NewSpan",
    "Rejection",
    "Project",
    "backup_path",
    "busy_timeout_ms",
    "content_hash",
    "inspect_file",
    "now",
    "read_only_uri",
]
