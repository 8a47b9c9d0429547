"""spaCy's binary training format (``.spacy``, a serialised ``DocBin``): what ``spacy train`` reads.

One ``Doc`` per document and layer, tokenised by ``spacy.blank(LANG)``. Every span that starts
and ends on token boundaries goes into the span group ``doc.spans[KEY]`` (span categorisation
keeps overlaps); of overlapping spans the earlier, longer one also goes into ``doc.ents`` (the
CoNLL/Prodigy policy), the others are reported as not in ``doc.ents``. A span whose ends are not
token boundaries cannot be a spaCy span: it is left out and reported. The document id, title,
annotator, status and meta ride in ``doc.user_data["annotator"]`` (stored by the DocBin), span
notes in nothing (left out and reported).

spaCy is optional (``pip install 'annotator[spacy]'``); without it this format says how to get it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.formats.input_files import read_bytes
from annotator.core.formats.records import (
    CorpusRecord,
    SpanTuple,
    TransferReport,
    check_meta,
    describe,
    shown,
)
from annotator.core.suggest.spacy_support import SpacyMissing

#: The span group every span goes into (spaCy's ``spancat`` reads ``sc`` by default).
DEFAULT_SPAN_KEY = "sc"
DEFAULT_LANG = "en"
#: Where a Doc carries Annotator's document and layer fields.
USER_DATA_KEY = "annotator"
INSTALL_HINT = (
    "pip install 'annotator[spacy]' (in a source checkout: .venv/bin/pip install -e '.[spacy]'; "
    "spaCy alone: pip install 'spacy>=3.7,<4')"
)
MISALIGNED = "spans whose ends are not spaCy token boundaries (a spaCy span cannot hold them)"
NOT_ENTS = (
    "overlapping spans, kept in doc.spans but not in doc.ents (an entity list cannot overlap; "
    "the earlier, longer span is the entity)"
)
NOTES = "span notes (a spaCy span has none)"


def require_spacy(what: str) -> Any:
    """The ``spacy`` module, or an error saying exactly how to install it."""
    import importlib
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # spaCy's dependencies warn about their own deprecations
            return importlib.import_module("spacy")
    except ImportError as exc:
        raise SpacyMissing(f"{what} needs spaCy, which is not installed ({exc}): {INSTALL_HINT}") from None


def entity_spans(spans: list[SpanTuple]) -> tuple[list[SpanTuple], list[SpanTuple]]:
    """(spans for ``doc.ents``, spans that overlap one of them): by start, longest first, label."""
    kept: list[SpanTuple] = []
    dropped: list[SpanTuple] = []
    reach = -1
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1], s[2])):
        if span[0] < reach:
            dropped.append(span)
        else:
            kept.append(span)
            reach = span[1]
    return kept, dropped


class DocBinWriter:
    """Collects one ``Doc`` per record and writes the ``DocBin`` to ``path`` when closed."""

    def __init__(
        self, path: Path, report: TransferReport, lang: str = DEFAULT_LANG, span_key: str = DEFAULT_SPAN_KEY
    ) -> None:
        spacy = require_spacy("the .spacy export")
        from spacy.tokens import DocBin

        try:
            self.nlp = spacy.blank(lang)
        except Exception as exc:  # spaCy raises ImportError/KeyError-like errors for unknown codes
            raise AnnotatorError(
                f"spaCy has no language {lang!r} ({exc}); --spacy-lang takes a code such as en, de, zh, xx"
            ) from None
        self.path = path
        self.report = report
        self.span_key = span_key
        self.docbin = DocBin(store_user_data=True)

    def write(self, record: CorpusRecord) -> None:
        doc = self.nlp.make_doc(record.text)
        spans = []
        aligned: list[SpanTuple] = []
        for span in record.spans:
            start, end, label, note = span
            found = doc.char_span(start, end, label=label, alignment_mode="strict")
            if found is None:
                self.report.leave_out(MISALIGNED, describe(record, span))
                continue
            if note is not None:
                self.report.leave_out(NOTES, describe(record, span))
            spans.append(found)
            aligned.append(span)
        doc.spans[self.span_key] = spans
        ents, overlapping = entity_spans(aligned)
        for span in overlapping:
            self.report.warn(NOT_ENTS, describe(record, span))
        doc.ents = [doc.char_span(s[0], s[1], label=s[2]) for s in ents]
        doc.user_data[USER_DATA_KEY] = {
            "id": record.id,
            "title": record.title,
            "annotator": record.annotator,
            "status": record.status,
            "meta": record.meta,
        }
        self.docbin.add(doc)

    def close(self) -> None:
        self.docbin.to_disk(self.path)


def read_docbin(path: Path, report: TransferReport, span_key: str | None = None) -> Iterator[CorpusRecord]:
    """Records of a ``.spacy`` file: spans from every span group and ``doc.ents`` (once each);
    ids, titles, annotators, status and meta from an Annotator export's user data, otherwise
    ``<file stem>-<n>`` and the file's stem as the layer."""
    require_spacy("reading a .spacy file")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    data = read_bytes(path)
    try:
        docbin = DocBin(store_user_data=True).from_bytes(data)
    except Exception as exc:  # msgpack/zlib errors of a damaged or foreign file
        raise InputError(path, f"not a spaCy DocBin file ({type(exc).__name__}: {exc})") from None
    for number, doc in enumerate(docbin.get_docs(Vocab()), start=1):
        fields = doc.user_data.get(USER_DATA_KEY)
        fields = fields if isinstance(fields, dict) else {}
        found: dict[tuple[int, int, str], None] = {}
        groups = [span_key] if span_key is not None else list(doc.spans)
        for key in groups:
            for span in doc.spans.get(key, []):
                found[(span.start_char, span.end_char, span.label_)] = None
        for span in doc.ents:
            found[(span.start_char, span.end_char, span.label_)] = None
        spans: list[SpanTuple] = [(s, e, label, None) for s, e, label in sorted(found)]
        doc_id = fields.get("id")
        annotator = fields.get("annotator", path.stem)
        title = fields.get("title")
        status = fields.get("status")
        meta = fields.get("meta")
        if not isinstance(doc_id, str) or not doc_id:
            doc_id = f"{path.stem}-{number}"
        if annotator is not None and not isinstance(annotator, str):
            raise InputError(path, f"document {number}: annotator {shown(annotator)} is not a string")
        if status not in (None, "todo", "in_progress", "done"):
            raise InputError(path, f"document {number}: unknown status {shown(status)}")
        meta = meta if isinstance(meta, dict) else {}
        check_meta(path, number, meta)
        record = CorpusRecord(
            doc_id,
            title if isinstance(title, str) else None,
            doc.text,
            annotator,
            status if isinstance(status, str) else None,
            spans,
            meta,
            line=number,
            path=path,
        )
        yield record
