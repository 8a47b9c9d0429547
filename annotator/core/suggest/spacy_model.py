"""Proposals from a spaCy pipeline: your own (a folder or an installed package) with a label
mapping, or one ``annotator train`` made from the corpus (:mod:`annotator.core.suggest.training`).

A pipeline predicts its own labels (``PERSON``, ``ORG``...); a mapping turns those into the
project's labels. Labels it does not map are ignored and listed; a mapping onto a label the
project does not have is refused, naming it. Everything that can be wrong with a pipeline (a
missing folder, a folder that is not a pipeline, a pipeline for other labels or for another
spaCy version) is one clear message, and nothing else changes.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError, LabelError
from annotator.core.suggest.proposals import BY_PLACE, Proposal
from annotator.core.suggest.spacy_support import require_spacy

#: spaCy's OntoNotes labels (en_core_web_*) onto the default label set.
DEFAULT_MAPPING: dict[str, str] = {
    "PERSON": "actor",
    "ORG": "actor",
    "GPE": "actor",
    "NORP": "actor",
    "CARDINAL": "number",
    "QUANTITY": "number",
    "PERCENT": "number",
    "MONEY": "number",
}

#: The spans key a span categorizer writes to (spaCy's default).
SPANS_KEY = "sc"


class PipelineError(AnnotatorError):
    """A spaCy pipeline cannot be used (missing, not a pipeline, other labels, other version)."""


def parse_mapping(text: str) -> dict[str, str]:
    """``PERSON=actor,ORG=actor`` → ``{"PERSON": "actor", "ORG": "actor"}``."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        theirs, sep, ours = part.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise LabelError(f"label mapping {part.strip()!r} is not THEIRS=ours (e.g. PERSON=actor)")
        mapping[theirs.strip()] = ours.strip()
    if not mapping:
        raise LabelError("the label mapping is empty (give THEIRS=ours,..., e.g. PERSON=actor,ORG=actor)")
    return mapping


def check_mapping(mapping: Mapping[str, str], labels: Sequence[str]) -> None:
    """Refuse a mapping onto a label the project does not have, naming it."""
    unknown = sorted({ours for ours in mapping.values() if ours not in labels})
    if unknown:
        raise LabelError(
            f"the label mapping maps onto {', '.join(map(repr, unknown))}, which "
            f"{'is not a label' if len(unknown) == 1 else 'are not labels'} of this project "
            f"(labels: {', '.join(labels)})"
        )


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith(".") or Path(name).exists()


def _check_folder(path: Path) -> dict[str, Any]:
    """The pipeline's meta.json after checking the folder is a pipeline for this spaCy."""
    spacy = require_spacy("a spaCy pipeline")
    if not path.exists():
        raise PipelineError(f"{path}: no such folder")
    if not path.is_dir():
        raise PipelineError(
            f"{path}: not a folder (a spaCy pipeline is a folder with config.cfg and meta.json)"
        )
    missing = [name for name in ("config.cfg", "meta.json") if not (path / name).is_file()]
    if missing:
        raise PipelineError(f"{path}: not a spaCy pipeline (no {' or '.join(missing)} in it)")
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PipelineError(f"{path}: not a spaCy pipeline (meta.json is unreadable: {exc})") from None
    if not isinstance(meta, dict):
        raise PipelineError(f"{path}: not a spaCy pipeline (meta.json is not a JSON object)")
    wanted = meta.get("spacy_version")
    installed = spacy.about.__version__
    if isinstance(wanted, str) and wanted:
        from spacy.util import is_compatible_version

        if is_compatible_version(installed, wanted) is False:
            raise PipelineError(
                f"{path}: made for spaCy {wanted}, but spaCy {installed} is installed: install a matching "
                f"spaCy (pip install 'spacy{wanted}') or retrain the pipeline with this one"
            )
    return meta


def load_pipeline(name: str | Path) -> Any:
    """A spaCy ``Language`` from a folder or an installed package, or :class:`PipelineError`."""
    spacy = require_spacy("a spaCy pipeline")
    text = str(name)
    is_path = isinstance(name, Path) or _looks_like_path(text)
    if is_path:
        _check_folder(Path(text))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # version and config warnings: checked above, or moot
        try:
            return spacy.load(Path(text) if is_path else text)
        except OSError as exc:
            if not is_path and "E050" in str(exc):
                raise PipelineError(
                    f"no spaCy pipeline named {text!r} is installed (install it, e.g. "
                    f"'python -m spacy download {text}' where that is possible, or give the folder of "
                    "a pipeline)"
                ) from None
            raise PipelineError(
                f"{text}: cannot load the spaCy pipeline: {' '.join(str(exc).split())}"
            ) from None
        except Exception as exc:  # a damaged or foreign pipeline fails in many ways inside spaCy
            raise PipelineError(
                f"{text}: cannot load the spaCy pipeline: {' '.join(str(exc).split())}"
            ) from None


def predicted_labels(nlp: Any) -> dict[str, str]:
    """Labels the pipeline predicts → the component that predicts them (ner or spancat)."""
    found: dict[str, str] = {}
    for component_name, component in nlp.pipeline:
        factory = nlp.get_pipe_meta(component_name).factory
        if factory in ("ner", "beam_ner", "entity_ruler", "spancat", "spancat_singlelabel", "span_ruler"):
            for label in getattr(component, "labels", ()):
                found.setdefault(str(label), component_name)
    return found


@dataclass
class PipelineSource:
    """Proposals of a loaded pipeline, with its labels mapped onto the project's."""

    nlp: Any
    name: str
    source: str
    mapping: dict[str, str]
    #: The pipeline's labels left unmapped (ignored).
    ignored: list[str] = field(default_factory=list)
    #: Project labels whose proposals are withheld (a trained model scored too low on them).
    withheld: list[str] = field(default_factory=list)
    spans_key: str = SPANS_KEY

    @classmethod
    def open(
        cls,
        name: str | Path,
        labels: Sequence[str],
        mapping: Mapping[str, str] | None = None,
        *,
        source: str | None = None,
    ) -> PipelineSource:
        """Load a pipeline and check its mapping (default :data:`DEFAULT_MAPPING`, where it fits)."""
        nlp = load_pipeline(name)
        theirs = predicted_labels(nlp)
        if not theirs:
            raise PipelineError(
                f"{name}: the pipeline has no component that finds spans (ner or spancat); "
                f"its components: {', '.join(nlp.pipe_names) or 'none'}"
            )
        if mapping is None:
            mapping = {k: v for k, v in DEFAULT_MAPPING.items() if v in labels}
            if not any(label in mapping for label in theirs):
                mapping = {k: k for k in theirs if k in labels}
        check_mapping(mapping, labels)
        used = {k: v for k, v in mapping.items() if k in theirs}
        if not used:
            raise PipelineError(
                f"{name}: the pipeline predicts {', '.join(sorted(theirs))}, none of which the label mapping "
                f"maps onto this project's labels; give a mapping, e.g. --map {sorted(theirs)[0]}={labels[0]}"
            )
        ignored = sorted(set(theirs) - set(used))
        shown_name = str(name)
        return cls(
            nlp, shown_name, source or f"spacy:{Path(shown_name).name or shown_name}", dict(used), ignored
        )

    def proposals(self, document_id: str, text: str) -> list[Proposal]:
        """The pipeline's spans in ``text`` with mapped labels (scores where it gives them)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = self.nlp(text)
        found: dict[tuple[int, int, str], Proposal] = {}
        spans: list[tuple[Any, float | None]] = [(ent, None) for ent in doc.ents]
        if self.spans_key in doc.spans:
            group = doc.spans[self.spans_key]
            scores = group.attrs.get("scores")
            for i, span in enumerate(group):
                score = float(scores[i]) if scores is not None and len(scores) > i else None
                spans.append((span, score))
        for span, score in spans:
            label = self.mapping.get(span.label_)
            if label is None or label in self.withheld:
                continue
            detail = f"{self.name}: {span.label_}" + (f" ({score:.2f})" if score is not None else "")
            proposal = Proposal(
                document_id, span.start_char, span.end_char, label, self.source, score, detail
            )
            found.setdefault(proposal.key, proposal)
        return sorted(found.values(), key=BY_PLACE)


__all__ = [
    "DEFAULT_MAPPING",
    "PipelineError",
    "PipelineSource",
    "check_mapping",
    "load_pipeline",
    "parse_mapping",
    "predicted_labels",
]
