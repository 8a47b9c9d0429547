"""Agreement figures against reference implementations, published values and hand cases."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.agreement import (
    NO_SPAN,
    OUTSIDE,
    Agreement,
    DocumentLayers,
    SpanTuple,
    _max_overlap_matching,
    _observed_unitizing,
    _winner_segments,
    compute_agreement,
)
from annotator.core.errors import SpanError
from annotator.core.pairing import Disagreement, DisagreementKind, agreed_spans, disagreements
from annotator.core.report import format_table

PAIR = ("alice", "bob")


def agree(*docs: DocumentLayers) -> Agreement:
    return compute_agreement(list(docs), PAIR)


def doc(length: int, a: list[SpanTuple], b: list[SpanTuple], doc_id: str = "d") -> DocumentLayers:
    return DocumentLayers(doc_id, length, a, b)


# --------------------------------------------------------------------------------------------
# Naive references: one Python object per character, obviously right and slow
# --------------------------------------------------------------------------------------------


def char_labels(spans: list[SpanTuple], length: int) -> list[str]:
    labels = []
    for x in range(length):
        covering = [sp for sp in spans if sp[0] <= x < sp[1]]
        if covering:
            labels.append(min(covering, key=lambda sp: (sp[0], -(sp[1] - sp[0]), sp[2]))[2])
        else:
            labels.append(OUTSIDE)
    return labels


def covered(spans: list[SpanTuple], label: str, length: int) -> list[int]:
    return [int(any(s <= x < e and lab == label for s, e, lab in spans)) for x in range(length)]


def augmenting_path_matching(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> int:
    """Kuhn's algorithm on the explicit overlap graph."""
    adjacent = [[j for j, y in enumerate(ys) if x[0] < y[1] and y[0] < x[1]] for x in xs]
    owner = [-1] * len(ys)

    def augment(i: int, seen: set[int]) -> bool:
        for j in adjacent[i]:
            if j not in seen:
                seen.add(j)
                if owner[j] == -1 or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(xs)))


def naive_lenient_tp(docs: list[DocumentLayers], label: str | None = None) -> int:
    total = 0
    for d in docs:
        labels = {sp[2] for sp in (*d.a, *d.b)} if label is None else {label}
        for lab in labels:
            xs = [(s, e) for s, e, x in d.a if x == lab]
            ys = [(s, e) for s, e, y in d.b if y == lab]
            total += augmenting_path_matching(xs, ys)
    return total


LABELS = ("X", "Y", "Z")


def random_span(rng: random.Random, length: int) -> SpanTuple:
    start = rng.randrange(length)
    end = rng.randint(start + 1, min(length, start + 12))
    return (start, end, rng.choice(LABELS))


def random_docs(rng: random.Random, count: int) -> list[DocumentLayers]:
    """Small documents with nesting, overlaps, duplicates and near misses."""
    docs = []
    for n in range(count):
        length = rng.randint(1, 60)
        a = [random_span(rng, length) for _ in range(rng.randint(0, 8))]
        b = []
        for s, e, label in a:
            roll = rng.random()
            if roll < 0.4:
                b.append((s, e, label))
            elif roll < 0.6:
                s2 = min(length - 1, max(0, s + rng.randint(-2, 2)))
                b.append((s2, min(length, max(s2 + 1, e + rng.randint(-2, 2))), label))
            elif roll < 0.75:
                b.append((s, e, rng.choice(LABELS)))
        b += [random_span(rng, length) for _ in range(rng.randint(0, 3))]
        if a and rng.random() < 0.2:
            a.append(a[0])  # a duplicate in one layer
        rng.shuffle(b)
        docs.append(DocumentLayers(f"doc-{n}", length, a, b))
    return docs


# --------------------------------------------------------------------------------------------
# Character-level kappa and alpha against scikit-learn and krippendorff
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_char_kappa_matches_sklearn(seed: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    docs = random_docs(random.Random(seed), 25)
    result = agree(*docs)
    a_chars: list[str] = []
    b_chars: list[str] = []
    for d in docs:
        a_chars += char_labels(list(d.a), d.length)
        b_chars += char_labels(list(d.b), d.length)
    assert result.overall.char_kappa is not None
    expected = metrics.cohen_kappa_score(a_chars, b_chars)
    assert result.overall.char_kappa == pytest.approx(expected, abs=1e-9)

    for d in docs:
        mine = result.per_document[d.doc_id].char_kappa
        a_doc, b_doc = char_labels(list(d.a), d.length), char_labels(list(d.b), d.length)
        if len(set(a_doc) | set(b_doc)) == 1:
            assert mine is None  # one category everywhere: chance agreement is perfect
        else:
            assert mine == pytest.approx(metrics.cohen_kappa_score(a_doc, b_doc), abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_per_label_kappa_matches_sklearn(seed: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    docs = random_docs(random.Random(100 + seed), 25)
    result = agree(*docs)
    for label, figures in result.labels.items():
        a_bits: list[int] = []
        b_bits: list[int] = []
        for d in docs:
            a_bits += covered(list(d.a), label, d.length)
            b_bits += covered(list(d.b), label, d.length)
        if len(set(a_bits) | set(b_bits)) == 1:
            assert figures.kappa is None
        else:
            expected = metrics.cohen_kappa_score(a_bits, b_bits)
            assert figures.kappa == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_char_alpha_matches_krippendorff(seed: int) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    docs = random_docs(random.Random(200 + seed), 25)
    result = agree(*docs)
    codes = {label: k for k, label in enumerate((OUTSIDE, *LABELS))}
    a_codes: list[int] = []
    b_codes: list[int] = []
    for d in docs:
        a_codes += [codes[x] for x in char_labels(list(d.a), d.length)]
        b_codes += [codes[x] for x in char_labels(list(d.b), d.length)]
    expected = krippendorff.alpha(reliability_data=[a_codes, b_codes], level_of_measurement="nominal")
    assert result.overall.char_alpha == pytest.approx(float(expected), abs=1e-9)


def test_winner_rule_first_start_then_longer_then_label() -> None:
    spans = [(0, 4, "Y"), (0, 10, "X"), (2, 12, "Z"), (14, 16, "B"), (14, 16, "A")]
    assert _winner_segments(spans) == [(0, 10, "X"), (10, 12, "Z"), (14, 16, "A")]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(1, n), st.sampled_from(LABELS))
                .map(lambda t: (min(t[0], t[1] - 1), max(t[1], t[0] + 1), t[2]))
                .filter(lambda t: t[1] <= n),
                max_size=8,
            ),
        )
    )
)
def test_winner_segments_match_per_character_rule(case: tuple[int, list[SpanTuple]]) -> None:
    length, spans = case
    expected = char_labels(spans, length)
    got = [OUTSIDE] * length
    for s, e, label in _winner_segments(spans):
        got[s:e] = [label] * (e - s)
    assert got == expected


# --------------------------------------------------------------------------------------------
# Exact and lenient span matching
# --------------------------------------------------------------------------------------------


def test_exact_counts_multisets() -> None:
    result = agree(doc(10, [(0, 5, "X"), (0, 5, "X")], [(0, 5, "X")]))
    exact = result.overall.exact.to_json()
    assert exact == {
        "tp": 1,
        "a": 2,
        "b": 1,
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
    }
    assert result.overall.lenient.tp == 1


def test_exact_and_lenient_with_nested_spans() -> None:
    same = agree(doc(12, [(0, 10, "X"), (2, 4, "X")], [(2, 4, "X"), (0, 10, "X")]))
    assert same.overall.exact.tp == same.overall.lenient.tp == 2
    inner = agree(doc(12, [(0, 10, "X"), (2, 4, "X")], [(3, 5, "X")]))
    assert inner.overall.exact.tp == 0
    assert inner.overall.lenient.tp == 1


def test_lenient_is_a_maximum_matching_where_greedy_is_not() -> None:
    # Greedy in start order pairs (0,10) with (1,3) and leaves (0,2) without a partner.
    result = agree(doc(12, [(0, 10, "X"), (0, 2, "X")], [(1, 3, "X"), (8, 12, "X")]))
    assert result.overall.exact.tp == 0
    assert result.overall.lenient.tp == 2
    assert result.overall.lenient.f1 == 1.0


def test_lenient_needs_same_label_and_a_shared_character() -> None:
    assert agree(doc(10, [(0, 5, "X")], [(0, 5, "Y")])).overall.lenient.tp == 0
    assert agree(doc(10, [(0, 5, "X")], [(5, 8, "X")])).overall.lenient.tp == 0
    assert agree(doc(10, [(0, 5, "X")], [(4, 8, "X")])).overall.lenient.tp == 1


def test_per_label_exact_and_lenient() -> None:
    result = agree(doc(20, [(0, 5, "X"), (6, 9, "Y"), (10, 12, "Y")], [(0, 5, "X"), (7, 9, "Y")]))
    assert result.labels["X"].exact.to_json()["f1"] == 1.0
    y = result.labels["Y"]
    assert (y.exact.tp, y.exact.a, y.exact.b) == (0, 2, 1)
    assert (y.lenient.tp, y.lenient.precision, y.lenient.recall) == (1, 1.0, 0.5)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(1, 8)), max_size=9),
    st.lists(st.tuples(st.integers(0, 20), st.integers(1, 8)), max_size=9),
)
def test_matching_equals_augmenting_paths(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    xs = sorted((s, s + n) for s, n in a)
    ys = sorted((s, s + n) for s, n in b)
    assert _max_overlap_matching(xs, ys) == augmenting_path_matching(xs, ys)


@pytest.mark.parametrize("seed", range(5))
def test_lenient_on_random_corpora(seed: int) -> None:
    docs = random_docs(random.Random(300 + seed), 40)
    result = agree(*docs)
    assert result.overall.lenient.tp == naive_lenient_tp(docs)
    for label, figures in result.labels.items():
        assert figures.lenient.tp == naive_lenient_tp(docs, label)
    for d in docs:
        assert result.per_document[d.doc_id].lenient.tp == naive_lenient_tp([d])


# --------------------------------------------------------------------------------------------
# Unitizing alpha: DKPro Statistics' published test values
# --------------------------------------------------------------------------------------------


def shifted(spans: list[SpanTuple], by: int) -> list[SpanTuple]:
    return [(s - by, e - by, label) for s, e, label in spans]


def krippendorff_2004() -> DocumentLayers:
    """Krippendorff (2004: p. 254), continuum [150, 450), as in DKPro's Krippendorff2004Test."""
    i = [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")]
    j = [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")]
    return doc(300, shifted(i, 150), shifted(j, 150))


def test_alpha_u_krippendorff_2004_example() -> None:
    result = agree(krippendorff_2004())
    assert result.overall.alpha_u == pytest.approx(0.8591, abs=0.0005)
    assert result.labels["c"].alpha_u == pytest.approx(0.7286, abs=0.0001)
    assert result.labels["k"].alpha_u == pytest.approx(1.0, abs=0.0001)


def test_alpha_u_distance_metric_values() -> None:
    # DKPro Krippendorff2004Test.testDistanceMetric2 (offset, length) pairs.
    assert _observed_unitizing([(225, 295)], [(220, 300)]) == 50
    assert _observed_unitizing([(370, 400)], [(355, 375)]) == 850
    assert _observed_unitizing([], [(400, 420)]) == 400  # a unit inside the other's gap
    # The 2004 example's category c: D_O = 1300 / 300^2 = 0.0144.
    c_i = [(75, 145), (220, 250)]
    c_j = [(70, 150), (205, 225), (250, 270)]
    assert _observed_unitizing(c_i, c_j) / 300**2 == pytest.approx(0.0144, abs=0.0001)


def test_alpha_u_dkpro_unitizing_agreement_example() -> None:
    # r0: -11111111-   r1: --1-1-1---   (DKPro UnitizingAgreementTest)
    result = agree(doc(10, [(1, 9, "A")], [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")]))
    assert result.labels["A"].alpha_u == pytest.approx(-0.7003, abs=0.0001)
    assert result.overall.alpha_u == pytest.approx(-0.7003, abs=0.0001)


def krippendorff_1995(stretch: int) -> DocumentLayers:
    """Krippendorff (1995: p. 57), as in DKPro's Krippendorff1995Test (offset, length, rater)."""
    units = {
        "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1)] + [(9, 1, 1)],
        "C": [(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0), (0, 2, 1), (4, 4, 1), (10, 4, 1)]
        + [(16, 2, 1), (20, 2, 1)],
        "D": [(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0), (0, 4, 1), (4, 4, 1)]
        + [(8, 7, 1), (15, 2, 1), (17, 7, 1)],
    }
    layers: tuple[list[SpanTuple], list[SpanTuple]] = ([], [])
    for label, rows in units.items():
        for offset, length, rater in rows:
            start = offset * stretch
            layers[rater].append((start, start + length * stretch, label))
    return doc(24 * stretch, *layers)


def test_alpha_u_krippendorff_1995_observed_disagreement() -> None:
    d = krippendorff_1995(1)
    expected = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for label, d_o in expected.items():
        xs = sorted((s, e) for s, e, x in d.a if x == label)
        ys = sorted((s, e) for s, e, y in d.b if y == label)
        assert _observed_unitizing(xs, ys) / 24**2 == pytest.approx(d_o, abs=0.00001)


def test_alpha_u_krippendorff_1995_categories() -> None:
    result = agree(krippendorff_1995(1_200_000 // 24))
    expected = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
    for label, alpha in expected.items():
        assert result.labels[label].alpha_u == pytest.approx(alpha, abs=0.02)


def naive_alpha_u(length: int, xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> float | None:
    """Krippendorff's alpha_U for one category, segment by segment (units and gaps)."""

    def segments(units: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
        out, pos = [], 0
        for s, e in units:
            if s > pos:
                out.append((pos, s, False))
            out.append((s, e, True))
            pos = e
        if pos < length:
            out.append((pos, length, False))
        return out

    def distance(x: tuple[int, int, bool], y: tuple[int, int, bool]) -> int:
        if x[2] and y[2]:
            return (x[0] - y[0]) ** 2 + (x[1] - y[1]) ** 2
        if x[2] and not y[2] and y[0] <= x[0] and x[1] <= y[1]:
            return (x[1] - x[0]) ** 2
        if y[2] and not x[2] and x[0] <= y[0] and y[1] <= x[1]:
            return (y[1] - y[0]) ** 2
        return 0

    seg_a, seg_b = segments(xs), segments(ys)
    observed = Fraction(
        sum(distance(x, y) for x in seg_a for y in seg_b if x[0] < y[1] and y[0] < x[1]),
        length**2,
    )
    lengths = [e - s for s, e in (*xs, *ys)]
    gaps = [e - s for s, e, unit in (*seg_a, *seg_b) if not unit]
    n = len(lengths)
    total = sum(
        Fraction((n - 1) * (2 * u**3 - 3 * u**2 + u), 3) + u * u * sum(g - u + 1 for g in gaps if g >= u)
        for u in lengths
    )
    expected = (
        total * Fraction(2, length) / (2 * length * (2 * length - 1) - sum(u * (u - 1) for u in lengths))
    )
    return None if expected == 0 else float(1 - observed / expected)


def disjoint_units(draw: st.DrawFn, length: int) -> list[tuple[int, int]]:
    cuts = sorted(set(draw(st.lists(st.integers(0, length), max_size=10))))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [(s, e) for s, e in pairs if e > s]


@st.composite
def unitizing_case(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[tuple[int, int]]]:
    length = draw(st.integers(1, 40))
    return length, disjoint_units(draw, length), disjoint_units(draw, length)


@settings(max_examples=300, deadline=None)
@given(unitizing_case())
def test_alpha_u_equals_segment_by_segment_formula(
    case: tuple[int, list[tuple[int, int]], list[tuple[int, int]]],
) -> None:
    length, xs, ys = case
    result = agree(doc(length, [(s, e, "X") for s, e in xs], [(s, e, "X") for s, e in ys]))
    if not xs and not ys:
        assert result.overall.alpha_u is None
        return
    expected = naive_alpha_u(length, xs, ys)
    if expected is None:
        assert result.labels["X"].alpha_u is None
    else:
        assert result.labels["X"].alpha_u == pytest.approx(expected, abs=1e-12)
        assert result.overall.alpha_u == pytest.approx(expected, abs=1e-12)


def test_alpha_u_lays_documents_end_to_end() -> None:
    docs = random_docs(random.Random(7), 6)
    joined_a: list[SpanTuple] = []
    joined_b: list[SpanTuple] = []
    offset = 0
    for d in docs:
        joined_a += shifted(list(d.a), -offset)
        joined_b += shifted(list(d.b), -offset)
        offset += d.length
    pooled = agree(*docs)
    single = agree(doc(offset, joined_a, joined_b))
    assert pooled.overall.alpha_u == pytest.approx(single.overall.alpha_u, abs=1e-12)
    for label, figures in pooled.labels.items():
        assert figures.alpha_u == pytest.approx(single.labels[label].alpha_u, abs=1e-12)
    # Gaps across boundaries are measured whole: this is not the mean of per-doc values.
    assert pooled.overall.alpha_u is not None


def inception_units(spans: list[SpanTuple]) -> list[SpanTuple]:
    """The units INCEpTION's KrippendorffAlphaUnitizingAgreementMeasure adds for one rater.

    A literal port of its loop: annotations in UIMA order (begin ascending, end descending); an
    annotation's value is not added while an *active* annotation (kept or skipped, ending after
    this one begins) carries the same value; every annotation then becomes active. The active
    map is a TreeMap ordered by end only, so annotations with equal ends share one entry.
    """
    active: dict[int, set[str]] = {}  # end -> values (the TreeMap keyed by getEnd)
    units = []
    for begin, end, value in sorted(spans, key=lambda sp: (sp[0], -sp[1])):
        for ended in [e for e in active if e <= begin]:
            del active[ended]
        if not any(value in values for values in active.values()):
            units.append((begin, end, value))
        active.setdefault(end, set()).add(value)
    return units


def test_alpha_u_keeps_the_longest_of_spans_starting_together() -> None:
    # UIMA order visits (2, 8) before (2, 4): the longer span is the unit, the shorter skipped.
    b = [(1, 9, "X"), (12, 15, "X")]
    nested = agree(doc(20, [(2, 4, "X"), (2, 8, "X"), (12, 15, "X")], b))
    longest = agree(doc(20, [(2, 8, "X"), (12, 15, "X")], b))
    assert nested.overall.alpha_u == longest.overall.alpha_u
    assert nested.overall.alpha_u != agree(doc(20, [(2, 4, "X"), (12, 15, "X")], b)).overall.alpha_u
    assert nested.overall.exact.a == 3  # a skipped unit still counts for the span figures


def test_alpha_u_skips_a_chain_of_overlapping_spans() -> None:
    # (3, 10) is skipped (it overlaps the kept (0, 5)) but stays active, so (7, 9) is skipped
    # too, although no kept unit overlaps it; (9, 12) overlaps the skipped (3, 10) as well.
    b = [(0, 5, "X"), (7, 9, "X"), (14, 18, "X")]
    chain = agree(doc(20, [(0, 5, "X"), (3, 10, "X"), (7, 9, "X"), (9, 12, "X"), (14, 18, "X")], b))
    first_only = agree(doc(20, [(0, 5, "X"), (14, 18, "X")], b))
    assert chain.overall.alpha_u == first_only.overall.alpha_u
    assert chain.labels["X"].alpha_u == first_only.labels["X"].alpha_u
    assert chain.per_document["d"].alpha_u == first_only.per_document["d"].alpha_u


def test_alpha_u_skips_only_within_one_label_and_one_layer() -> None:
    # Overlapping spans of different labels are all units; so are the other layer's.
    a = [(0, 6, "X"), (2, 8, "Y"), (10, 14, "X")]
    b = [(0, 6, "X"), (3, 8, "X"), (2, 8, "Y")]
    result = agree(doc(20, a, b))
    skipped = agree(doc(20, a, [(0, 6, "X"), (2, 8, "Y")]))
    assert result.labels["Y"].alpha_u == 1.0
    assert result.labels["X"].alpha_u == skipped.labels["X"].alpha_u


def test_alpha_u_after_a_skipped_span_ends_the_next_is_kept() -> None:
    # (0, 4) kept, (2, 6) skipped; (6, 9) starts where the skipped span ends: kept.
    b = [(0, 4, "X"), (6, 9, "X")]
    result = agree(doc(12, [(0, 4, "X"), (2, 6, "X"), (6, 9, "X")], b))
    assert result.labels["X"].alpha_u == 1.0


@pytest.mark.parametrize("seed", range(12))
def test_alpha_u_units_are_the_ones_inception_adds(seed: int) -> None:
    """On random corpora full of overlaps, alpha_U equals alpha_U of INCEpTION's units alone."""
    rng = random.Random(seed)
    docs = []
    for d in random_docs(rng, 25):  # with more same-label overlaps: nested and chained spans
        extra = [
            (s, min(d.length, e + rng.randint(0, 6)), label) for s, e, label in d.a if rng.random() < 0.5
        ]
        docs.append(DocumentLayers(d.doc_id, d.length, [*d.a, *extra], d.b))
    units = [
        DocumentLayers(d.doc_id, d.length, inception_units(list(d.a)), inception_units(list(d.b)))
        for d in docs
    ]
    result, expected = agree(*docs), agree(*units)
    assert result.overall.alpha_u == pytest.approx(expected.overall.alpha_u, abs=1e-12)
    for label, figures in expected.labels.items():
        assert result.labels[label].alpha_u == pytest.approx(figures.alpha_u, abs=1e-12)
    for doc_id, figures in expected.per_document.items():
        assert result.per_document[doc_id].alpha_u == pytest.approx(figures.alpha_u, abs=1e-12)


def test_alpha_u_perfect_and_undefined() -> None:
    assert agree(doc(10, [(2, 5, "X")], [(2, 5, "X")])).overall.alpha_u == 1.0
    one_char = agree(doc(1, [(0, 1, "X")], [(0, 1, "X")]))
    assert one_char.overall.alpha_u is None
    assert one_char.labels["X"].alpha_u is None


# --------------------------------------------------------------------------------------------
# Undefined figures, JSON, per-document figures
# --------------------------------------------------------------------------------------------


def test_no_documents_is_all_undefined() -> None:
    result = agree()
    data = result.to_json()
    assert data["documents"] == 0
    assert data["overall"] == {
        "exact": {"tp": 0, "a": 0, "b": 0, "precision": None, "recall": None, "f1": None},
        "lenient": {"tp": 0, "a": 0, "b": 0, "precision": None, "recall": None, "f1": None},
        "char_kappa": None,
        "char_alpha": None,
        "alpha_u": None,
    }
    assert data["labels"] == {}
    assert data["per_document"] == {}
    assert data["confusion"] == {"labels": [NO_SPAN], "matrix": {NO_SPAN: {NO_SPAN: 0}}}


def test_documents_without_spans_are_undefined_not_zero() -> None:
    result = agree(doc(10, [], []), doc(0, [], [], doc_id="empty"))
    overall = result.overall
    assert overall.exact.f1 is None
    assert overall.exact.precision is None
    assert overall.char_kappa is None
    assert overall.char_alpha is None
    assert overall.alpha_u is None
    assert result.per_document["empty"].char_kappa is None


def test_one_sided_spans() -> None:
    result = agree(doc(10, [(0, 5, "X")], []))
    exact = result.overall.exact
    assert (exact.precision, exact.recall, exact.f1) == (None, 0.0, 0.0)
    assert result.labels["X"].kappa == 0.0
    assert result.overall.char_kappa == 0.0


def test_single_category_everywhere_is_undefined() -> None:
    result = agree(doc(10, [(0, 10, "X")], [(0, 10, "X")]))
    assert result.overall.char_kappa is None
    assert result.overall.char_alpha is None
    assert result.labels["X"].kappa is None
    assert result.overall.exact.f1 == 1.0


def test_json_shape_and_no_nan() -> None:
    docs = random_docs(random.Random(11), 30) + [doc(5, [], [], doc_id="blank")]
    data = agree(*docs).to_json()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert list(data) == [
        "annotators",
        "documents",
        "overall",
        "labels",
        "confusion",
        "per_document",
    ]
    assert data["annotators"] == list(PAIR)
    assert data["documents"] == len(docs)
    assert set(data["overall"]) == {"exact", "lenient", "char_kappa", "char_alpha", "alpha_u"}
    for figures in data["labels"].values():
        assert set(figures) == {"exact", "lenient", "kappa", "alpha_u"}
        assert set(figures["exact"]) == {"tp", "a", "b", "precision", "recall", "f1"}
    for figures in data["per_document"].values():
        assert set(figures) == set(data["overall"])

    def finite(value: object) -> None:
        if isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, dict):
            for v in value.values():
                finite(v)

    finite(data)


def test_per_document_figures_equal_a_corpus_of_one() -> None:
    docs = random_docs(random.Random(5), 10)
    result = agree(*docs)
    for d in docs:
        assert result.per_document[d.doc_id].to_json() == agree(d).overall.to_json()


def test_invalid_spans_and_repeated_ids_raise() -> None:
    with pytest.raises(SpanError, match="'d'"):
        agree(doc(10, [(5, 3, "X")], []))
    with pytest.raises(SpanError):
        agree(doc(10, [], [(0, 11, "X")]))
    with pytest.raises(SpanError):
        agree(doc(10, [(-1, 2, "X")], []))
    with pytest.raises(SpanError):
        agree(doc(10, [(2, 2, "X")], []))
    with pytest.raises(ValueError, match="more than once"):
        agree(doc(10, [], []), doc(10, [], []))


# --------------------------------------------------------------------------------------------
# Confusion matrix
# --------------------------------------------------------------------------------------------


def test_confusion_pairs_by_position() -> None:
    a = [(0, 5, "PER"), (10, 15, "ORG"), (20, 30, "LOC"), (40, 45, "PER")]
    b = [(0, 5, "PER"), (10, 15, "LOC"), (22, 30, "ORG"), (60, 65, "PER")]
    confusion = agree(doc(70, a, b)).confusion
    assert confusion.labels == ("LOC", "ORG", "PER", NO_SPAN)
    counts = {k: v for k, v in confusion.counts.items() if v}
    assert counts == {
        ("PER", "PER"): 1,
        ("ORG", "LOC"): 1,
        ("LOC", "ORG"): 1,
        ("PER", NO_SPAN): 1,
        (NO_SPAN, "PER"): 1,
    }
    matrix = confusion.to_json()["matrix"]
    assert matrix["ORG"]["LOC"] == 1
    assert matrix["LOC"]["LOC"] == 0
    assert set(matrix) == set(confusion.labels)


def test_confusion_prefers_exact_position_then_largest_overlap() -> None:
    confusion = agree(
        doc(20, [(0, 10, "X"), (0, 10, "Y")], [(0, 10, "Y"), (0, 3, "Z"), (4, 10, "W")])
    ).confusion
    assert confusion.count("Y", "Y") == 1  # same position, same label
    assert confusion.count("X", "W") == 1  # overlap 6 beats overlap 3
    assert confusion.count(NO_SPAN, "Z") == 1


# --------------------------------------------------------------------------------------------
# Disagreements for review and adjudication
# --------------------------------------------------------------------------------------------


def test_disagreement_kinds() -> None:
    a = [(0, 5, "PER"), (10, 15, "ORG"), (20, 30, "LOC"), (40, 45, "PER"), (50, 55, "X")]
    b = [(0, 5, "PER"), (10, 15, "LOC"), (22, 30, "LOC"), (41, 47, "ORG"), (60, 65, "Y")]
    assert disagreements(a, b) == [
        Disagreement(DisagreementKind.LABEL, (10, 15, "ORG"), (10, 15, "LOC"), 10, 15),
        Disagreement(DisagreementKind.BOUNDARY, (20, 30, "LOC"), (22, 30, "LOC"), 20, 30),
        Disagreement(DisagreementKind.LABEL, (40, 45, "PER"), (41, 47, "ORG"), 40, 47),
        Disagreement(DisagreementKind.ONLY_A, (50, 55, "X"), None, 50, 55),
        Disagreement(DisagreementKind.ONLY_B, None, (60, 65, "Y"), 60, 65),
    ]


def test_disagreements_pair_one_to_one() -> None:
    found = disagreements([(0, 10, "X")], [(0, 3, "X"), (5, 10, "X")])
    assert [(d.kind, d.a, d.b) for d in found] == [
        (DisagreementKind.ONLY_B, None, (0, 3, "X")),
        (DisagreementKind.BOUNDARY, (0, 10, "X"), (5, 10, "X")),
    ]
    # Same start and end with another label is paired before an overlap with the same label.
    found = disagreements([(0, 5, "X")], [(0, 5, "Y"), (1, 5, "X")])
    assert [(d.kind, d.b) for d in found] == [
        (DisagreementKind.LABEL, (0, 5, "Y")),
        (DisagreementKind.ONLY_B, (1, 5, "X")),
    ]


def test_disagreements_with_duplicates_and_agreement() -> None:
    assert disagreements([(0, 5, "X")], [(0, 5, "X")]) == []
    found = disagreements([(0, 5, "X"), (0, 5, "X")], [(0, 5, "X")])
    assert found == [Disagreement(DisagreementKind.ONLY_A, (0, 5, "X"), None, 0, 5)]
    assert DisagreementKind.ONLY_A.value == "only_a"
    assert DisagreementKind("boundary_differs") is DisagreementKind.BOUNDARY


def test_agreed_spans_is_the_multiset_intersection() -> None:
    a = [(6, 8, "Y"), (0, 5, "X"), (0, 5, "X"), (9, 12, "Z")]
    b = [(0, 5, "X"), (6, 8, "Z"), (9, 12, "Z"), (9, 12, "Z")]
    assert agreed_spans(a, b) == [(0, 5, "X"), (9, 12, "Z")]
    assert agreed_spans([], b) == []


# --------------------------------------------------------------------------------------------
# Plain-text table
# --------------------------------------------------------------------------------------------


def test_format_table_shows_figures_and_na() -> None:
    text = format_table(agree(doc(10, [(0, 5, "X"), (0, 5, "X")], [(0, 5, "X")])))
    assert "alice (A, key)" in text
    assert "bob (B, response)" in text
    assert "0.667" in text  # exact F1
    assert "1.000" in text  # precision
    assert "n/a" not in text.split("confusion")[0].splitlines()[3]  # exact row is defined
    blank = format_table(agree(doc(10, [], [])))
    assert "n/a" in blank
    assert "nan" not in blank.lower()
