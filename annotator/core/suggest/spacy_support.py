"""spaCy is optional: one place imports it and says exactly how to install it when it is missing."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType
from typing import Any

from annotator.core.errors import AnnotatorError

#: What to type to get spaCy (the optional extra pins a version range that is tested).
INSTALL_HINT = (
    "pip install 'annotator[suggest]' (in a source checkout: .venv/bin/pip install -e '.[suggest]'; "
    "spaCy alone: pip install 'spacy>=3.7,<4')"
)


class SpacyMissing(AnnotatorError):
    """A source needs spaCy and it is not installed."""


def spacy_available() -> bool:
    try:
        importlib.import_module("spacy")
    except ImportError:
        return False
    return True


def require_spacy(what: str) -> ModuleType:
    """The ``spacy`` module, or :class:`SpacyMissing` saying what needs it and how to install it."""
    try:
        with warnings.catch_warnings():
            # spaCy's dependencies warn about their own deprecations on import; not ours to show.
            warnings.simplefilter("ignore")
            return importlib.import_module("spacy")
    except ImportError as exc:
        raise SpacyMissing(f"{what} needs spaCy, which is not installed ({exc}): {INSTALL_HINT}") from None


def spacy_version() -> str:
    spacy = require_spacy("this")
    return str(spacy.about.__version__)


def blank(lang: str = "en") -> Any:
    """A blank spaCy pipeline (tokenizer only) for ``lang``."""
    spacy = require_spacy("token patterns")
    try:
        return spacy.blank(lang)
    except (ImportError, KeyError, ValueError) as exc:
        raise AnnotatorError(f"spaCy has no language {lang!r} ({exc})") from None


__all__ = ["INSTALL_HINT", "SpacyMissing", "blank", "require_spacy", "spacy_available", "spacy_version"]
