"""``annotator suggest``: a source's proposals written into a layer of their own, so agreement
and the review window compare a source with gold using the machinery that exists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.core.errors import AnnotatorError, DocumentError
from annotator.core.formats.records import Progress
from annotator.core.model import GOLD_LAYER, Status, validate_annotator_name
from annotator.core.store import Project
from annotator.core.suggest.sources import ProposalSource


@dataclass
class LayerWritten:
    layer: str
    documents: int = 0
    proposals: int = 0
    per_label: dict[str, int] = field(default_factory=dict)


def write_layer(
    project: Project,
    source: ProposalSource,
    layer: str,
    doc_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> LayerWritten:
    """Replace ``layer`` on the documents (default: all) with the source's proposals, all or none.

    Refuses the gold layer and any layer holding spans made by hand (no source): a suggestion
    layer never overwrites an annotator's work.
    """
    layer = validate_annotator_name(layer)
    if layer == GOLD_LAYER:
        raise AnnotatorError(f"{GOLD_LAYER!r} is the adjudicated layer: write proposals into another layer")
    handmade = sum(1 for _, _, spans in project.iter_layer_spans(layer) for s in spans if s.source is None)
    if handmade:
        raise AnnotatorError(
            f"layer {layer!r} holds {handmade} span(s) made by hand; proposals go into a layer of their own "
            "(the default suggest-SOURCE, or --layer NAME)"
        )
    if doc_ids is None:
        doc_ids = project.document_ids()
    else:
        missing = [doc_id for doc_id in doc_ids if not project.has_document(doc_id)]
        if missing:
            raise DocumentError(f"no document with id {', '.join(map(repr, missing))} in the project")
    result = LayerWritten(layer)
    labels: Counter[str] = Counter()
    with project.transaction():
        for done, doc_id in enumerate(doc_ids, start=1):
            text = project.document_text(doc_id)
            proposals = source.propose(doc_id, text)
            unique = {p.key: p for p in proposals}
            project.delete_spans([s.id for s in project.spans(doc_id, layer)])
            project.import_layer(
                doc_id,
                layer,
                [(*key, None) for key in sorted(unique)],
                Status.DONE,
                {key: p.source for key, p in unique.items()},
            )
            result.documents += 1
            result.proposals += len(unique)
            labels.update(key[2] for key in unique)
            if progress is not None:
                progress(done, len(doc_ids))
    names = project.labels().names
    result.per_label = {name: labels[name] for name in names if labels[name]}
    return result


__all__ = ["LayerWritten", "write_layer"]
