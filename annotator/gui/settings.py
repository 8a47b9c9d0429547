"""What the window remembers between runs, in one INI file whose path tests can choose."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from annotator import APP_NAME, ORG_NAME

MAX_RECENT = 8


def os_user_name() -> str:
    """The operating-system user name: the default annotator name."""
    try:
        return getpass.getuser() or "annotator"
    except (OSError, KeyError, ImportError):
        return "annotator"


def _project_key(project_path: Path | None) -> str:
    """A stable settings group for one project file."""
    raw = str(project_path.resolve()) if project_path is not None else ":memory:"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


class Settings:
    """A small typed wrapper over ``QSettings`` (IniFormat) with an injectable file path."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self.qsettings = QSettings(QSettings.IniFormat, QSettings.UserScope, ORG_NAME, APP_NAME)
        else:
            self.qsettings = QSettings(str(path), QSettings.IniFormat)

    @property
    def path(self) -> Path:
        return Path(self.qsettings.fileName())

    def sync(self) -> None:
        self.qsettings.sync()

    def _get(self, key: str, default=None):
        return self.qsettings.value(key, default)

    def _bool(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    # -- identity ---------------------------------------------------------------------------

    @property
    def annotator(self) -> str | None:
        value = self._get("annotator/name")
        return str(value) if value else None

    @annotator.setter
    def annotator(self, name: str) -> None:
        self.qsettings.setValue("annotator/name", name)

    # -- projects ---------------------------------------------------------------------------

    @property
    def recent_projects(self) -> list[Path]:
        value = self._get("projects/recent", [])
        if isinstance(value, str):
            value = [value]
        return [Path(v) for v in (value or []) if v]

    def add_recent_project(self, path: Path) -> None:
        path = path.resolve()
        recent = [p for p in self.recent_projects if p != path]
        self.qsettings.setValue("projects/recent", [str(p) for p in [path, *recent][:MAX_RECENT]])

    @property
    def last_project(self) -> Path | None:
        value = self._get("projects/last")
        return Path(value) if value else None

    @last_project.setter
    def last_project(self, path: Path) -> None:
        self.qsettings.setValue("projects/last", str(path.resolve()))

    def last_document(self, project_path: Path | None) -> str | None:
        value = self._get(f"project-{_project_key(project_path)}/last_document")
        return str(value) if value else None

    def set_last_document(self, project_path: Path | None, doc_id: str) -> None:
        self.qsettings.setValue(f"project-{_project_key(project_path)}/last_document", doc_id)

    @staticmethod
    def _position_key(project_path: Path | None, doc_id: str) -> str:
        return (
            f"project-{_project_key(project_path)}/position-"
            + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:16]
        )

    def position(self, project_path: Path | None, doc_id: str) -> tuple[int, int]:
        """(cursor position, scroll value) last seen in a document; (0, 0) if never opened."""
        value = self._get(self._position_key(project_path, doc_id))
        try:
            cursor, scroll = (int(v) for v in str(value).split(","))
        except (TypeError, ValueError):
            return 0, 0
        return cursor, scroll

    def set_position(self, project_path: Path | None, doc_id: str, cursor: int, scroll: int) -> None:
        self.qsettings.setValue(self._position_key(project_path, doc_id), f"{cursor},{scroll}")

    # -- view -------------------------------------------------------------------------------

    def bytes_value(self, key: str) -> QByteArray | None:
        value = self._get(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes_value(self, key: str, value: QByteArray) -> None:
        self.qsettings.setValue(f"window/{key}", value)

    @property
    def zoom(self) -> int:
        """Text size change in points relative to the default reading size."""
        try:
            return int(self._get("view/zoom", 0))
        except (TypeError, ValueError):
            return 0

    @zoom.setter
    def zoom(self, steps: int) -> None:
        self.qsettings.setValue("view/zoom", int(steps))

    @property
    def snapping(self) -> bool:
        return self._bool("view/snap_to_words", True)

    @snapping.setter
    def snapping(self, on: bool) -> None:
        self.qsettings.setValue("view/snap_to_words", bool(on))

    @property
    def label_names(self) -> bool:
        """Show each span's label name above it (View → Show label names)."""
        return self._bool("view/label_names", False)

    @label_names.setter
    def label_names(self, on: bool) -> None:
        self.qsettings.setValue("view/label_names", bool(on))

    @property
    def status_filter(self) -> str:
        return str(self._get("view/status_filter", "all"))

    @status_filter.setter
    def status_filter(self, value: str) -> None:
        self.qsettings.setValue("view/status_filter", value)

    # -- per project ------------------------------------------------------------------------

    @staticmethod
    def project_key(project_path: Path | None, name: str) -> str:
        """The key of a setting that belongs to one project file (e.g. its suggestion sources)."""
        return f"project-{_project_key(project_path)}/{name}"

    def text_value(self, key: str, default: str = "") -> str:
        value = self._get(key, default)
        return default if value is None else str(value)

    def set_text_value(self, key: str, value: str) -> None:
        self.qsettings.setValue(key, value)
