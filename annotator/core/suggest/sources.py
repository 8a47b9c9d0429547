"""The suggestion sources: one table every consumer reads (CLI choices, layers, docs, window).

Each entry says what a source needs (a file, a folder, a pipeline name), whether it needs spaCy,
and the layer ``annotator suggest`` writes its proposals into. :func:`open_source` builds a
ready :class:`ProposalSource` from an entry and its argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD_LAYER
from annotator.core.store import Project
from annotator.core.suggest.memory import SOURCE as MEMORY_SOURCE
from annotator.core.suggest.memory import Memory, MemoryMatcher
from annotator.core.suggest.proposals import Proposal
from annotator.core.suggest.words import TextWords


@dataclass(frozen=True)
class SourceKind:
    """One kind of suggestion source."""

    name: str
    title: str
    #: What the source is given: None, "FILE", "DIR" or "NAME".
    argument: str | None
    needs_spacy: bool
    #: Computing its proposals takes long enough that a window runs it in a worker.
    slow: bool
    description: str

    @property
    def layer(self) -> str:
        """The layer ``annotator suggest`` writes into (a safe file-name component)."""
        return f"suggest-{self.name}"


SOURCE_KINDS: tuple[SourceKind, ...] = (
    SourceKind(
        "memory",
        "Memory",
        None,
        False,
        False,
        "strings you labelled, proposed wherever they occur again (majority label, split shown)",
    ),
    SourceKind(
        "patterns",
        "Patterns",
        "FILE",
        False,
        False,
        "a JSONL patterns file (spaCy SpanRuler / Prodigy --patterns format); "
        "the shipped defaults without FILE",
    ),
    SourceKind(
        "model",
        "Trained model",
        "DIR",
        True,
        True,
        "a model 'annotator train' made from the corpus (labels below its threshold are withheld)",
    ),
    SourceKind(
        "spacy",
        "spaCy pipeline",
        "NAME",
        True,
        True,
        "any spaCy pipeline (installed package or folder), its labels mapped onto the project's",
    ),
)


def source_kind(name: str) -> SourceKind:
    for kind in SOURCE_KINDS:
        if kind.name == name:
            return kind
    raise AnnotatorError(
        f"unknown suggestion source {name!r} (sources: {', '.join(k.name for k in SOURCE_KINDS)})"
    )


class ProposalSource(Protocol):
    """A ready source: ``name`` is what accepted spans record as their source."""

    kind: SourceKind
    name: str
    notes: list[str]

    def propose(self, document_id: str, text: str) -> list[Proposal]: ...


@dataclass
class MemorySource:
    """The memory as a source: learns from one annotator's spans (and gold, if chosen)."""

    memory: Memory
    layers: tuple[str, ...]
    kind: SourceKind = field(default_factory=lambda: source_kind("memory"))
    name: str = MEMORY_SOURCE
    notes: list[str] = field(default_factory=list)
    _matchers: dict[str, MemoryMatcher] = field(default_factory=dict)
    #: How many documents' matchers are kept (their word offsets are the costly part).
    keep: int = 8
    #: Documents whose matchers are always kept (a window shows their proposals).
    pinned: set[str] = field(default_factory=set)

    @classmethod
    def learn_from(
        cls, project: Project, annotator: str, *, include_gold: bool = False, case_sensitive: bool = True
    ) -> MemorySource:
        """Everything ``annotator`` (and gold) labelled anywhere in the project."""
        memory = Memory(case_sensitive=case_sensitive, label_order=project.labels().names)
        layers = (annotator, GOLD_LAYER) if include_gold and annotator != GOLD_LAYER else (annotator,)
        for layer in layers:
            for doc_id, _, spans in project.iter_layer_spans(layer):
                text = project.document_text(doc_id)
                memory.learn_all((text[s.start : s.end], s.label) for s in spans)
        return cls(memory, layers)

    def matcher(self, document_id: str, text: str, *, keep: bool = True) -> MemoryMatcher:
        """The document's matcher; kept (and updated by :meth:`learn`) unless ``keep`` is False.

        The :attr:`keep` most recently used ones are kept, and every ``pinned`` one (the
        documents a window shows).
        """
        matcher = self._matchers.pop(document_id, None)
        if matcher is None or matcher.text != text:
            matcher = MemoryMatcher(self.memory, document_id, text)
        if not keep:
            return matcher
        self._matchers[document_id] = matcher  # most recently used last
        unpinned = [doc for doc in self._matchers if doc not in self.pinned]
        for doc in unpinned[: max(0, len(unpinned) - self.keep)]:
            del self._matchers[doc]
        return matcher

    def propose(self, document_id: str, text: str) -> list[Proposal]:
        return self.matcher(document_id, text).proposals()

    def learn(
        self, changes: Sequence[tuple[str, str, int]]
    ) -> dict[str, tuple[list[Proposal], list[Proposal]]]:
        """Apply (string, label, +1 learn / -1 forget) changes; (gone, new) proposals per open document."""
        keys = [self.memory.learn(string, label, times) for string, label, times in changes]
        changed = [key for key in keys if key is not None]
        if not changed:
            return {}
        return {doc_id: matcher.update(changed) for doc_id, matcher in self._matchers.items()}


@dataclass
class PatternSource:
    kind: SourceKind
    name: str
    matcher: object
    notes: list[str] = field(default_factory=list)

    def propose(self, document_id: str, text: str) -> list[Proposal]:
        from annotator.core.suggest.patterns import PatternMatcher

        assert isinstance(self.matcher, PatternMatcher)
        return self.matcher.proposals(document_id, text, TextWords(text))


@dataclass
class PipelineProposalSource:
    kind: SourceKind
    name: str
    pipeline: object
    notes: list[str] = field(default_factory=list)
    #: For a trained model: its description with the evaluation.
    description: str = ""

    def propose(self, document_id: str, text: str) -> list[Proposal]:
        from annotator.core.suggest.spacy_model import PipelineSource

        assert isinstance(self.pipeline, PipelineSource)
        return self.pipeline.proposals(document_id, text)


def open_source(
    kind: str,
    project: Project,
    *,
    annotator: str | None = None,
    argument: str | Path | None = None,
    include_gold: bool = False,
    case_sensitive: bool = True,
    mapping: Mapping[str, str] | None = None,
    threshold: float | None = None,
    lang: str = "en",
) -> ProposalSource:
    """A ready source of ``kind`` for ``project``; what it cannot use is in its ``notes``."""
    entry = source_kind(kind)
    labels = project.labels().names
    if entry.needs_spacy:
        from annotator.core.suggest.spacy_support import require_spacy

        require_spacy(f"the {entry.name} source")
    if entry.name == "memory":
        if annotator is None:
            raise AnnotatorError("the memory learns from an annotator's spans: name the annotator")
        return MemorySource.learn_from(
            project, annotator, include_gold=include_gold, case_sensitive=case_sensitive
        )
    if entry.name == "patterns":
        from annotator.core.suggest.patterns import PatternMatcher, default_patterns_path, load_patterns

        if argument is None:
            pattern_set = load_patterns(default_patterns_path(), labels, skip_unknown_labels=True)
            name = "patterns:default"
        else:
            pattern_set = load_patterns(argument, labels)
            name = f"patterns:{Path(argument).stem}"
        matcher = PatternMatcher(pattern_set, source=name, lang=lang)
        return PatternSource(entry, name, matcher, list(matcher.notes))
    if argument is None:
        raise AnnotatorError(f"the {entry.name} source needs a {entry.argument} ({entry.description})")
    if entry.name == "model":
        from annotator.core.suggest.training import open_model

        model = open_model(argument, labels, threshold=threshold)
        notes = []
        if model.source.withheld:
            notes.append(
                f"{model.source.source}: labels scoring below the threshold are withheld: "
                + ", ".join(model.source.withheld)
            )
        return PipelineProposalSource(entry, model.source.source, model.source, notes, model.describe())
    from annotator.core.suggest.spacy_model import PipelineSource

    pipeline = PipelineSource.open(argument, labels, mapping)
    notes = []
    if pipeline.ignored:
        notes.append(f"{pipeline.name}: labels not mapped, ignored: {', '.join(pipeline.ignored)}")
    return PipelineProposalSource(entry, pipeline.source, pipeline, notes)


__all__ = [
    "SOURCE_KINDS",
    "MemorySource",
    "PatternSource",
    "PipelineProposalSource",
    "ProposalSource",
    "SourceKind",
    "open_source",
    "source_kind",
]
