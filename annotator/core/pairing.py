"""Pairing two layers' spans one-to-one: the disagreements a reviewer decides, and what agrees.

Identical spans pair first (as a multiset); of the rest, spans with the same start and end pair
next, then overlapping spans, largest overlap first. Adjudication decides the resulting
:class:`Disagreement` objects and agreement's confusion matrix counts the same pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

#: A span as agreement and pairing see it: ``(start, end, label)``, code points, end-exclusive.
SpanTuple = tuple[int, int, str]

__all__ = [
    "Disagreement",
    "DisagreementKind",
    "SpanTuple",
    "agreed_spans",
    "disagreements",
    "overlapping_pairs",
    "pair_by_overlap",
    "pair_same_position",
    "split_exact",
]


def overlapping_pairs(xs: Sequence[SpanTuple], ys: Sequence[SpanTuple]) -> list[tuple[int, int]]:
    """Index pairs (i, j) of every xs[i] and ys[j] that share at least one character."""
    events = sorted([(sp[0], 0, i) for i, sp in enumerate(xs)] + [(sp[0], 1, j) for j, sp in enumerate(ys)])
    layers = (xs, ys)
    active: tuple[list[int], list[int]] = ([], [])
    pairs: list[tuple[int, int]] = []
    for start, side, index in events:
        other = 1 - side
        other_spans = layers[other]
        live = [k for k in active[other] if other_spans[k][1] > start]
        active[other][:] = live
        if side == 0:
            pairs.extend((index, k) for k in live)
        else:
            pairs.extend((k, index) for k in live)
        active[side].append(index)
    return pairs


def pair_by_overlap(
    xs: Sequence[SpanTuple],
    ys: Sequence[SpanTuple],
    used_x: bytearray,
    used_y: bytearray,
    same_label: bool | None,
) -> list[tuple[int, int]]:
    """Pair unused overlapping spans one-to-one, largest overlap first (then same label,
    then position); ``same_label`` restricts to pairs with equal (True) or unequal (False)
    labels."""
    candidates = []
    for i, j in overlapping_pairs(xs, ys):
        if used_x[i] or used_y[j]:
            continue
        x, y = xs[i], ys[j]
        equal = x[2] == y[2]
        if same_label is not None and equal != same_label:
            continue
        overlap = min(x[1], y[1]) - max(x[0], y[0])
        candidates.append((-overlap, not equal, x, y, i, j))
    candidates.sort()
    pairs = []
    for *_rest, i, j in candidates:
        if used_x[i] or used_y[j]:
            continue
        used_x[i] = used_y[j] = 1
        pairs.append((i, j))
    return pairs


def split_exact(
    xs: Iterable[SpanTuple], ys: Iterable[SpanTuple]
) -> tuple[Counter[SpanTuple], list[SpanTuple], list[SpanTuple]]:
    """Identical spans of both layers (as a multiset), and what each layer has left."""
    count_x = Counter(xs)
    count_y = Counter(ys)
    common = count_x & count_y
    if not common:
        return common, sorted(count_x.elements()), sorted(count_y.elements())
    return common, sorted((count_x - common).elements()), sorted((count_y - common).elements())


def pair_same_position(
    xs: Sequence[SpanTuple], ys: Sequence[SpanTuple], used_x: bytearray, used_y: bytearray
) -> list[tuple[int, int]]:
    """Pair spans with the same start and end (and, after split_exact, different labels),
    in label order."""
    by_pos_y: dict[tuple[int, int], list[int]] = {}
    for j, (s, e, _label) in enumerate(ys):
        by_pos_y.setdefault((s, e), []).append(j)
    pairs: list[tuple[int, int]] = []
    for i, (s, e, _label) in enumerate(xs):
        bucket = by_pos_y.get((s, e))
        if bucket:
            j = bucket.pop(0)  # xs and ys are sorted, so labels pair in order
            pairs.append((i, j))
            used_x[i] = used_y[j] = 1
    return pairs


class DisagreementKind(str, Enum):
    """How two layers differ at one place."""

    ONLY_A = "only_a"
    ONLY_B = "only_b"
    LABEL = "label_differs"
    BOUNDARY = "boundary_differs"


_KIND_ORDER = {
    DisagreementKind.LABEL: 0,
    DisagreementKind.BOUNDARY: 1,
    DisagreementKind.ONLY_A: 2,
    DisagreementKind.ONLY_B: 3,
}


@dataclass(frozen=True)
class Disagreement:
    """One place the reviewer has to look at; start/end cover both spans (for jumping)."""

    kind: DisagreementKind
    a: SpanTuple | None
    b: SpanTuple | None
    start: int
    end: int


def _as_tuples(spans: Iterable[SpanTuple]) -> list[SpanTuple]:
    return [(int(s), int(e), str(label)) for s, e, label in spans]


def disagreements(a_spans: Iterable[SpanTuple], b_spans: Iterable[SpanTuple]) -> list[Disagreement]:
    """Where one document's two layers differ, paired one-to-one for side-by-side review.

    Identical spans agree and are left out. Of the rest, in this order: spans with the same
    start and end but different labels are LABEL; overlapping spans with the same label are
    BOUNDARY (largest overlap first); overlapping spans that differ in both label and extent
    are also LABEL, since the label is the bigger question (so a LABEL pair may have different
    boundaries too: compare ``a`` and ``b``); whatever is left is ONLY_A or ONLY_B. Sorted by
    position.
    """
    _common, xs, ys = split_exact(_as_tuples(a_spans), _as_tuples(b_spans))
    used_x = bytearray(len(xs))
    used_y = bytearray(len(ys))
    relabelled = pair_same_position(xs, ys, used_x, used_y)
    boundary = pair_by_overlap(xs, ys, used_x, used_y, True)
    relabelled_moved = pair_by_overlap(xs, ys, used_x, used_y, False)
    found: list[Disagreement] = []

    def pair(kind: DisagreementKind, i: int, j: int) -> Disagreement:
        x, y = xs[i], ys[j]
        return Disagreement(kind, x, y, min(x[0], y[0]), max(x[1], y[1]))

    found.extend(pair(DisagreementKind.LABEL, i, j) for i, j in relabelled)
    found.extend(pair(DisagreementKind.BOUNDARY, i, j) for i, j in boundary)
    found.extend(pair(DisagreementKind.LABEL, i, j) for i, j in relabelled_moved)
    found.extend(
        Disagreement(DisagreementKind.ONLY_A, x, None, x[0], x[1]) for i, x in enumerate(xs) if not used_x[i]
    )
    found.extend(
        Disagreement(DisagreementKind.ONLY_B, None, y, y[0], y[1]) for j, y in enumerate(ys) if not used_y[j]
    )
    found.sort(
        key=lambda d: (
            d.start,
            d.end,
            _KIND_ORDER[d.kind],
            d.a or (-1, -1, ""),
            d.b or (-1, -1, ""),
        )
    )
    return found


def agreed_spans(a_spans: Iterable[SpanTuple], b_spans: Iterable[SpanTuple]) -> list[SpanTuple]:
    """Spans both layers contain (multiset intersection), sorted: what 'accept all agreed'
    copies into the gold layer."""
    common = Counter(_as_tuples(a_spans)) & Counter(_as_tuples(b_spans))
    return sorted(common.elements())
