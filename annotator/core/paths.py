"""Where Annotator finds its shipped files and keeps the default project.

``resources/`` and ``seeds/`` sit at the top of the source tree. Installed from a wheel they are
the packages ``annotator.resources`` and ``annotator.seeds``; in a PyInstaller bundle they are
folders beside the executable's data; in a source checkout they are beside ``annotator/``.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import platformdirs

from annotator import APP_NAME

_SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent


def _shipped(folder: str) -> Traversable:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and (Path(bundle) / folder).is_dir():
        return Path(bundle) / folder
    if (_SOURCE_ROOT / folder).is_dir() and (_SOURCE_ROOT / "annotator").is_dir():
        return _SOURCE_ROOT / folder
    return resources.files(f"annotator.{folder}")


def resources_dir() -> Traversable:
    """The shipped ``resources/`` folder (icons, palettes, JSON Schemas)."""
    return _shipped("resources")


def seeds_dir() -> Traversable:
    """The shipped ``seeds/`` folder: the documents a new default project starts with."""
    return _shipped("seeds")


def resource_text(name: str) -> str:
    """Text of a file in ``resources/``."""
    return resources_dir().joinpath(name).read_text(encoding="utf-8")


def data_dir() -> Path:
    """The user's data folder for Annotator (created on demand by callers)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_project_path() -> Path:
    """The project used when neither ``--db`` nor ``ANNOTATOR_DB`` names one."""
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "default.annotator.db"
