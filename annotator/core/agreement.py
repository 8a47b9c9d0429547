"""Inter-annotator agreement between two annotators' span layers.

Annotator A is the key and B the response: precision is measured against B's spans, recall
against A's. Every figure is computed from span boundaries (sweeps over sorted intervals and
run-length counts), never from per-character Python objects, so whole corpora stay fast.

Offsets are Unicode code points, end-exclusive. A span is ``(start, end, label)``; within one
layer spans may nest and overlap. A figure that is undefined (a division by zero: no spans, or
one category everywhere so that chance agreement is already perfect) is ``None``, never NaN,
0 or 1.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from annotator.core.errors import SpanError
from annotator.core.pairing import SpanTuple, pair_by_overlap, pair_same_position, split_exact

Interval = tuple[int, int]

#: The character class of text covered by no span (``O`` is a reserved label name).
OUTSIDE = "O"
#: The confusion-matrix row/column of a span that has no counterpart in the other layer.
NO_SPAN = "∅"

__all__ = [
    "NO_SPAN",
    "OUTSIDE",
    "Agreement",
    "Confusion",
    "DocumentLayers",
    "Figures",
    "LabelFigures",
    "PRF",
    "SpanTuple",
    "compute_agreement",
]


# --------------------------------------------------------------------------------------------
# Input and result types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLayers:
    """One document's two layers, as compute_agreement needs them (no text, just its length).

    ``a`` and ``b`` hold ``(start, end, label)`` tuples (``Span.key`` gives one); every span
    must satisfy ``0 <= start < end <= length``.
    """

    doc_id: str
    length: int
    a: Sequence[SpanTuple]
    b: Sequence[SpanTuple]


@dataclass(frozen=True)
class PRF:
    """Span counts behind a precision/recall/F1 figure, so pooled figures add up exactly."""

    tp: int
    a: int
    b: int

    @property
    def precision(self) -> float | None:
        return self.tp / self.b if self.b else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.a if self.a else None

    @property
    def f1(self) -> float | None:
        total = self.a + self.b
        return 2 * self.tp / total if total else None

    def to_json(self) -> dict[str, int | float | None]:
        return {
            "tp": self.tp,
            "a": self.a,
            "b": self.b,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Figures:
    """The overall figures of a set of documents (the whole corpus, or one document)."""

    exact: PRF
    lenient: PRF
    char_kappa: float | None
    char_alpha: float | None
    alpha_u: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "exact": self.exact.to_json(),
            "lenient": self.lenient.to_json(),
            "char_kappa": self.char_kappa,
            "char_alpha": self.char_alpha,
            "alpha_u": self.alpha_u,
        }


@dataclass(frozen=True)
class LabelFigures:
    """The figures of one label, pooled over all documents."""

    exact: PRF
    lenient: PRF
    kappa: float | None
    alpha_u: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "exact": self.exact.to_json(),
            "lenient": self.lenient.to_json(),
            "kappa": self.kappa,
            "alpha_u": self.alpha_u,
        }


@dataclass(frozen=True)
class Confusion:
    """Label confusion over spans paired by position; rows are A's labels, columns B's.

    ``labels`` lists every label (sorted) followed by :data:`NO_SPAN`; the matrix is dense.
    JSON form: ``{"labels": [...], "matrix": {label_a: {label_b: count}}}`` where the row
    ``NO_SPAN`` counts B spans that A lacks and the column ``NO_SPAN`` A spans that B lacks.
    """

    labels: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]

    def count(self, label_a: str, label_b: str) -> int:
        return self.counts.get((label_a, label_b), 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "matrix": {row: {col: self.count(row, col) for col in self.labels} for row in self.labels},
        }


@dataclass(frozen=True)
class Agreement:
    """Everything compute_agreement measured; ``to_json()`` is the stable exchange form."""

    annotators: tuple[str, str]
    documents: int
    overall: Figures
    labels: Mapping[str, LabelFigures]
    confusion: Confusion
    per_document: Mapping[str, Figures]

    def to_json(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "documents": self.documents,
            "overall": self.overall.to_json(),
            "labels": {name: figs.to_json() for name, figs in self.labels.items()},
            "confusion": self.confusion.to_json(),
            "per_document": {doc_id: figs.to_json() for doc_id, figs in self.per_document.items()},
        }


# --------------------------------------------------------------------------------------------
# Chance-corrected coefficients from contingency counts
# --------------------------------------------------------------------------------------------


def _kappa_and_alpha(
    pairs: Mapping[tuple[str, str], int],
) -> tuple[float | None, float | None]:
    """Cohen's kappa and nominal Krippendorff's alpha of two coders who coded every unit.

    Both are computed in exact integer arithmetic; only the final ratio becomes a float.
    """
    n = 0
    diagonal = 0
    rows: Counter[str] = Counter()
    cols: Counter[str] = Counter()
    for (la, lb), count in pairs.items():
        if not count:
            continue
        n += count
        rows[la] += count
        cols[lb] += count
        if la == lb:
            diagonal += count
    if n == 0:
        return None, None
    # kappa = (p_o - p_e) / (1 - p_e), multiplied through by n^2.
    chance = sum(rows[c] * cols[c] for c in rows)
    kappa_den = n * n - chance
    kappa = (n * diagonal - chance) / kappa_den if kappa_den else None
    # alpha = 1 - (N - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k with N = 2n pairable values.
    big_n = 2 * n
    marginals = rows + cols
    expected = big_n * big_n - sum(v * v for v in marginals.values())
    alpha = (expected - (big_n - 1) * 2 * (n - diagonal)) / expected if expected else None
    return kappa, alpha


def _binary_kappa(both: int, only_a: int, only_b: int, n: int) -> float | None:
    """Cohen's kappa of 'covered by the label or not' from its 2x2 table."""
    if n <= 0:
        return None
    neither = n - both - only_a - only_b
    yes_a, yes_b = both + only_a, both + only_b
    chance = yes_a * yes_b + (n - yes_a) * (n - yes_b)
    den = n * n - chance
    if not den:
        return None
    return (n * (both + neither) - chance) / den


# --------------------------------------------------------------------------------------------
# Interval primitives (lists of (start, end) sorted by start, then end)
# --------------------------------------------------------------------------------------------


def _sorted_intersection_count(xs: list[Interval], ys: list[Interval]) -> int:
    """Size of the multiset intersection of two sorted interval lists (exact matches)."""
    i = j = count = 0
    nx, ny = len(xs), len(ys)
    while i < nx and j < ny:
        x, y = xs[i], ys[j]
        if x == y:
            count += 1
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return count


def _max_overlap_matching(xs: list[Interval], ys: list[Interval]) -> int:
    """Size of a maximum one-to-one matching between intervals of xs and ys that overlap.

    Earliest-end-first is exact on interval-overlap graphs: let x be the remaining interval
    with the smallest end; every remaining interval y overlapping it has ``y.end >= x.end`` and
    ``y.start < x.end``. Pairing x with such a y of smallest end is safe: in any maximum
    matching, if x is paired with y' and that y with x'', then x'' also overlaps y' (because
    ``x''.end >= x.end > y'.start`` and ``x''.start < y.end <= y'.end``), so the two pairs
    can be swapped without losing one. (Tested against augmenting-path matching.)
    """
    if not xs or not ys:
        return 0
    ordered = sorted(
        [(e, s, 0, i) for i, (s, e) in enumerate(xs)] + [(e, s, 1, i) for i, (s, e) in enumerate(ys)]
    )
    # Per side, (start, end, index) sorted by start, pushed into a min-end heap once started.
    by_start = (
        [(s, e, i) for i, (s, e) in enumerate(xs)],  # xs is sorted by start already
        [(s, e, i) for i, (s, e) in enumerate(ys)],
    )
    pointer = [0, 0]
    heaps: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    done = (bytearray(len(xs)), bytearray(len(ys)))
    matched = 0
    for end, _start, side, index in ordered:
        if done[side][index]:
            continue
        done[side][index] = 1
        other = 1 - side
        started = by_start[other]
        heap = heaps[other]
        p = pointer[other]
        while p < len(started) and started[p][0] < end:
            _s, e, i = started[p]
            heapq.heappush(heap, (e, i))
            p += 1
        pointer[other] = p
        other_done = done[other]
        while heap and other_done[heap[0][1]]:
            heapq.heappop(heap)
        if heap:
            _e, i = heapq.heappop(heap)
            other_done[i] = 1
            matched += 1
    return matched


def _cover_and_keep(spans: list[Interval]) -> tuple[int, list[Interval], list[Interval]]:
    """Covered length and union of a label's spans (sorted), plus the units unitizing alpha keeps.

    DKPro's alpha_U cannot take overlapping units of one category from one rater, so INCEpTION
    (``KrippendorffAlphaUnitizingAgreementMeasure``) visits a rater's spans in UIMA order -
    start ascending, end descending: earliest, longest first - and skips a span while any span
    visited before it overlaps it, whether that one was kept or itself skipped. Here the spans
    come sorted by start, then end: of spans starting together only the last (longest) can be
    kept, and ``reach``, the furthest end of every span visited so far, is what an earlier span
    overlaps.
    """
    union: list[Interval] = []
    kept: list[Interval] = []
    covered = 0
    reach = -1
    cur_start = cur_end = -1
    last = len(spans) - 1
    for i, (s, e) in enumerate(spans):
        if i == last or spans[i + 1][0] != s:  # the longest of the spans starting at s
            if s >= reach:
                kept.append((s, e))
            if e > reach:
                reach = e
        if s > cur_end:
            if cur_end > cur_start:
                union.append((cur_start, cur_end))
                covered += cur_end - cur_start
            cur_start, cur_end = s, e
        elif e > cur_end:
            cur_end = e
    if cur_end > cur_start:
        union.append((cur_start, cur_end))
        covered += cur_end - cur_start
    return covered, union, kept


def _intersection_length(xs: list[Interval], ys: list[Interval]) -> int:
    """Total length of the intersection of two sorted lists of disjoint intervals."""
    i = j = total = 0
    nx, ny = len(xs), len(ys)
    while i < nx and j < ny:
        xs_, xe = xs[i]
        ys_, ye = ys[j]
        lo = xs_ if xs_ > ys_ else ys_
        hi = xe if xe < ye else ye
        if hi > lo:
            total += hi - lo
        if xe < ye:
            i += 1
        else:
            j += 1
    return total


def _observed_unitizing(xs: list[Interval], ys: list[Interval]) -> int:
    """Krippendorff's observed unitizing disagreement sum for one category (times L^2).

    Over all pairs of overlapping segments: two units contribute ``(Δstart)^2 + (Δend)^2``, a
    unit lying wholly inside the other rater's gap contributes ``length^2``, gaps nothing.
    xs and ys are each sorted and non-overlapping.
    """
    if xs == ys:
        return 0
    total = 0
    ny = len(ys)
    hit_y = bytearray(ny)
    j0 = 0
    for s, e in xs:
        while j0 < ny and ys[j0][1] <= s:
            j0 += 1
        j = j0
        hit = False
        while j < ny:
            ys_, ye = ys[j]
            if ys_ >= e:
                break
            ds, de = s - ys_, e - ye
            total += ds * ds + de * de
            hit_y[j] = 1
            hit = True
            j += 1
        if not hit:
            total += (e - s) * (e - s)
    for j in range(ny):
        if not hit_y[j]:
            ys_, ye = ys[j]
            total += (ye - ys_) * (ye - ys_)
    return total


def _gap_term(lengths: list[int], gaps: list[int]) -> int:
    """Sum over units u of l_u^2 * sum over gaps g >= l_u of (g - l_u + 1)."""
    if not lengths or not gaps:
        return 0
    gaps_desc = sorted(gaps, reverse=True)
    ng = len(gaps_desc)
    total = count = gap_sum = i = 0
    for length in sorted(lengths, reverse=True):
        while i < ng and gaps_desc[i] >= length:
            gap_sum += gaps_desc[i]
            count += 1
            i += 1
        if count:
            total += length * length * (gap_sum - (length - 1) * count)
    return total


class _UnitizingCategory:
    """Additive statistics of one category for Krippendorff's unitizing alpha."""

    __slots__ = ("observed", "units", "cube_sum", "square_sum", "lengths", "gaps")

    def __init__(self) -> None:
        self.observed = 0  # sum of pairwise distances (D_O * L^2)
        self.units = 0  # N_c
        self.cube_sum = 0  # sum of l(l-1)(2l-1)/3
        self.square_sum = 0  # sum of l(l-1)
        self.lengths: list[int] = []
        self.gaps: list[int] = []

    def add_units(self, units: list[Interval]) -> None:
        self.units += len(units)
        for s, e in units:
            n = e - s
            self.lengths.append(n)
            self.cube_sum += n * (n - 1) * (2 * n - 1) // 3
            self.square_sum += n * (n - 1)

    def disagreements(self, length: int) -> tuple[Fraction, Fraction] | None:
        """(D_O, D_E) for a continuum of the given length, as in DKPro's alpha_U; None if 0."""
        if length <= 0:
            return None
        expected_sum = (self.units - 1) * self.cube_sum + _gap_term(self.lengths, self.gaps)
        denominator = 2 * length * (2 * length - 1) - self.square_sum
        d_e = Fraction(2 * expected_sum, length * denominator)
        d_o = Fraction(self.observed, length * length)
        return d_o, d_e


def _unit_gaps(units: list[Interval], begin: int, end: int, out: list[int]) -> None:
    """Append the gaps that units leave in [begin, end) to out."""
    pos = begin
    for s, e in units:
        if s > pos:
            out.append(s - pos)
        pos = e
    if end > pos:
        out.append(end - pos)


def _alpha_from(parts: Iterable[tuple[Fraction, Fraction]]) -> float | None:
    """1 - D_O/D_E with D_O and D_E averaged over categories; None where D_E is 0."""
    d_o = Fraction(0)
    d_e = Fraction(0)
    for o, e in parts:
        d_o += o
        d_e += e
    if d_e == 0:
        return None
    return float(1 - d_o / d_e)


# --------------------------------------------------------------------------------------------
# Character layers
# --------------------------------------------------------------------------------------------


def _winner_segments(spans: Sequence[SpanTuple]) -> list[SpanTuple]:
    """Disjoint labelled segments: at each character the span that starts first wins, then
    the longer one, then the label sorting first.

    In that order, a span wins exactly the part of it past the furthest end reached by the
    spans before it (any character before that end is covered by an earlier span).
    """
    ordered = sorted(spans, key=lambda sp: (sp[0], -sp[1], sp[2]))
    segments: list[SpanTuple] = []
    reach = 0
    for s, e, label in ordered:
        if e > reach:
            start = s if s > reach else reach
            if segments and segments[-1][1] == start and segments[-1][2] == label:
                segments[-1] = (segments[-1][0], e, label)
            else:
                segments.append((start, e, label))
            reach = e
    return segments


def _char_pairs(
    xs: list[SpanTuple], ys: list[SpanTuple], length: int, out: dict[tuple[str, str], int]
) -> None:
    """Add to out the number of characters carrying each (label in A, label in B) pair."""
    i = j = 0
    nx, ny = len(xs), len(ys)
    pos = 0
    while pos < length:
        if i < nx and xs[i][0] <= pos:
            la = xs[i][2]
            na = xs[i][1]
        else:
            la = OUTSIDE
            na = xs[i][0] if i < nx else length
        if j < ny and ys[j][0] <= pos:
            lb = ys[j][2]
            nb = ys[j][1]
        else:
            lb = OUTSIDE
            nb = ys[j][0] if j < ny else length
        nxt = na if na < nb else nb
        key = (la, lb)
        out[key] = out.get(key, 0) + (nxt - pos)
        pos = nxt
        if i < nx and xs[i][1] == pos:
            i += 1
        if j < ny and ys[j][1] == pos:
            j += 1


# --------------------------------------------------------------------------------------------
# Confusion matrix: spans paired by position (see annotator.core.pairing)
# --------------------------------------------------------------------------------------------


def _confusion_counts(
    xs: Iterable[SpanTuple], ys: Iterable[SpanTuple], out: dict[tuple[str, str], int]
) -> None:
    """Add one document's span label confusion to out (see :class:`Confusion`)."""
    common, rest_x, rest_y = split_exact(xs, ys)
    for (_s, _e, label), count in common.items():
        key = (label, label)
        out[key] = out.get(key, 0) + count
    used_x = bytearray(len(rest_x))
    used_y = bytearray(len(rest_y))
    relabelled = pair_same_position(rest_x, rest_y, used_x, used_y)
    overlapping = pair_by_overlap(rest_x, rest_y, used_x, used_y, None)
    for i, j in (*relabelled, *overlapping):
        key = (rest_x[i][2], rest_y[j][2])
        out[key] = out.get(key, 0) + 1
    for i, x in enumerate(rest_x):
        if not used_x[i]:
            key = (x[2], NO_SPAN)
            out[key] = out.get(key, 0) + 1
    for j, y in enumerate(rest_y):
        if not used_y[j]:
            key = (NO_SPAN, y[2])
            out[key] = out.get(key, 0) + 1


# --------------------------------------------------------------------------------------------
# The corpus computation
# --------------------------------------------------------------------------------------------


class _LabelTotals:
    """Pooled per-label counts."""

    __slots__ = ("tp", "a", "b", "lenient", "covered_a", "covered_b", "covered_both", "units")

    def __init__(self) -> None:
        self.tp = self.a = self.b = self.lenient = 0
        self.covered_a = self.covered_b = self.covered_both = 0
        self.units = _UnitizingCategory()


def _group_by_label(spans: Sequence[SpanTuple], doc_id: str, length: int) -> dict[str, list[Interval]]:
    """Each label's intervals, sorted; checks every span lies inside the document."""
    groups: dict[str, list[Interval]] = {}
    for span in spans:
        s, e, label = span
        if not 0 <= s < e <= length:
            raise SpanError(
                f"document {doc_id!r}: span {tuple(span)!r} is not inside [0, {length}) or is empty"
            )
        group = groups.get(label)
        if group is None:
            groups[label] = [(s, e)]
        else:
            group.append((s, e))
    for group in groups.values():
        group.sort()
    return groups


def compute_agreement(docs: Iterable[DocumentLayers], annotators: tuple[str, str]) -> Agreement:
    """Measure how far annotator A (the key) and B (the response) agree over docs.

    Figures are pooled over all documents; unitizing alpha lays the documents end to end in
    the order given. Raises SpanError for a span outside its document or an empty one, and
    ValueError for a repeated document id.
    """
    name_a, name_b = annotators
    totals: dict[str, _LabelTotals] = {}
    char_pairs: dict[tuple[str, str], int] = {}
    confusion: dict[tuple[str, str], int] = {}
    per_document: dict[str, Figures] = {}
    # Unitizing alpha over the concatenated documents: per (layer, label) where its last
    # kept unit ended, so gaps that run across document boundaries are measured whole.
    last_end: tuple[dict[str, int], dict[str, int]] = ({}, {})
    offset = 0
    documents = 0

    for doc in docs:
        doc_id, length = doc.doc_id, doc.length
        if doc_id in per_document:
            raise ValueError(f"document id {doc_id!r} appears more than once")
        if length < 0:
            raise ValueError(f"document {doc_id!r} has a negative length {length}")
        groups_a = _group_by_label(doc.a, doc_id, length)
        groups_b = _group_by_label(doc.b, doc_id, length)

        doc_tp = doc_lenient = 0
        doc_unitizing: list[tuple[Fraction, Fraction]] = []
        for label in groups_a.keys() | groups_b.keys():
            xs = groups_a.get(label, [])
            ys = groups_b.get(label, [])
            t = totals.get(label)
            if t is None:
                t = totals[label] = _LabelTotals()
            tp = _sorted_intersection_count(xs, ys) if xs and ys else 0
            if tp == len(xs) == len(ys):
                lenient = tp
            else:
                lenient = _max_overlap_matching(xs, ys)
            t.tp += tp
            t.lenient += lenient
            t.a += len(xs)
            t.b += len(ys)
            doc_tp += tp
            doc_lenient += lenient

            covered_a, union_a, kept_a = _cover_and_keep(xs)
            covered_b, union_b, kept_b = _cover_and_keep(ys)
            t.covered_a += covered_a
            t.covered_b += covered_b
            t.covered_both += _intersection_length(union_a, union_b)

            # Unitizing alpha, this document alone ...
            doc_cat = _UnitizingCategory()
            doc_cat.observed = _observed_unitizing(kept_a, kept_b)
            doc_cat.add_units(kept_a)
            doc_cat.add_units(kept_b)
            _unit_gaps(kept_a, 0, length, doc_cat.gaps)
            _unit_gaps(kept_b, 0, length, doc_cat.gaps)
            parts = doc_cat.disagreements(length)
            if parts is not None:
                doc_unitizing.append(parts)
            # ... and pooled: the same units at their corpus-wide offsets.
            cat = t.units
            cat.observed += doc_cat.observed
            cat.units += doc_cat.units
            cat.cube_sum += doc_cat.cube_sum
            cat.square_sum += doc_cat.square_sum
            cat.lengths.extend(doc_cat.lengths)
            for layer, kept in ((0, kept_a), (1, kept_b)):
                if not kept:
                    continue
                ends = last_end[layer]
                first_gap = offset + kept[0][0] - ends.get(label, 0)
                if first_gap > 0:
                    cat.gaps.append(first_gap)
                prev = kept[0][1]
                for s, e in kept[1:]:
                    if s > prev:
                        cat.gaps.append(s - prev)
                    prev = e
                ends[label] = offset + prev

        spans_a = [(s, e, label) for label, group in groups_a.items() for s, e in group]
        spans_b = [(s, e, label) for label, group in groups_b.items() for s, e in group]
        doc_pairs: dict[tuple[str, str], int] = {}
        _char_pairs(_winner_segments(spans_a), _winner_segments(spans_b), length, doc_pairs)
        for key, count in doc_pairs.items():
            char_pairs[key] = char_pairs.get(key, 0) + count
        _confusion_counts(spans_a, spans_b, confusion)

        kappa, alpha = _kappa_and_alpha(doc_pairs)
        per_document[doc_id] = Figures(
            exact=PRF(doc_tp, len(doc.a), len(doc.b)),
            lenient=PRF(doc_lenient, len(doc.a), len(doc.b)),
            char_kappa=kappa,
            char_alpha=alpha,
            alpha_u=_alpha_from(doc_unitizing) if doc_unitizing else None,
        )
        offset += length
        documents += 1

    total_length = offset
    labels: dict[str, LabelFigures] = {}
    unitizing_parts: list[tuple[Fraction, Fraction]] = []
    for label in sorted(totals):
        t = totals[label]
        cat = t.units
        for layer in (0, 1):
            end = last_end[layer].get(label, 0)
            if total_length > end:
                cat.gaps.append(total_length - end)
        parts = cat.disagreements(total_length)
        label_alpha_u = None
        if parts is not None:
            unitizing_parts.append(parts)
            label_alpha_u = _alpha_from([parts])
        labels[label] = LabelFigures(
            exact=PRF(t.tp, t.a, t.b),
            lenient=PRF(t.lenient, t.a, t.b),
            kappa=_binary_kappa(
                t.covered_both,
                t.covered_a - t.covered_both,
                t.covered_b - t.covered_both,
                total_length,
            ),
            alpha_u=label_alpha_u,
        )

    kappa, alpha = _kappa_and_alpha(char_pairs)
    exact_total = PRF(
        sum(t.tp for t in totals.values()),
        sum(t.a for t in totals.values()),
        sum(t.b for t in totals.values()),
    )
    overall = Figures(
        exact=exact_total,
        lenient=PRF(sum(t.lenient for t in totals.values()), exact_total.a, exact_total.b),
        char_kappa=kappa,
        char_alpha=alpha,
        alpha_u=_alpha_from(unitizing_parts) if unitizing_parts else None,
    )
    matrix_labels = (*sorted(totals), NO_SPAN)
    return Agreement(
        annotators=(name_a, name_b),
        documents=documents,
        overall=overall,
        labels=labels,
        confusion=Confusion(matrix_labels, confusion),
        per_document=per_document,
    )
