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

from annotator.core.model import GOLD_LAYER, content_hash
from annotator.core.store.connection import now
from annotator.core.store.documents import AddResult, DocumentInput, DocumentList
from annotator.core.store.files import (
    BUSY_TIMEOUT_ENV,
    DEFAULT_BUSY_TIMEOUT_MS,
    backup_path,
    busy_timeout_ms,
    inspect_file,
    read_only_uri,
)
from annotator.core.store.project import LayerRow, Project
from annotator.core.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from annotator.core.store.spans import NewSpan, Rejection

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
