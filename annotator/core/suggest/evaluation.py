"""Exact-match precision, recall and F1 per label: how a model is judged on held-out documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SpanKey = tuple[int, int, str]


@dataclass(frozen=True)
class LabelScore:
    """Scores of one label; None where undefined (nothing predicted, nothing to find)."""

    label: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int
    predicted: int

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
            "predicted": self.predicted,
        }

    @classmethod
    def from_json(cls, label: str, data: dict[str, Any]) -> LabelScore:
        return cls(
            label,
            data.get("precision"),
            data.get("recall"),
            data.get("f1"),
            data["support"],
            data["predicted"],
        )


def _score(label: str, tp: int, fp: int, fn: int) -> LabelScore:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(label, precision, recall, f1, tp + fn, tp + fp)


def score_spans(
    pairs: Iterable[tuple[Iterable[SpanKey], Iterable[SpanKey]]], labels: Sequence[str]
) -> tuple[dict[str, LabelScore], LabelScore]:
    """Per-label and overall (micro) scores of (gold, predicted) span sets, one pair per document."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, predicted in pairs:
        gold_set, predicted_set = set(gold), set(predicted)
        for _, _, label in gold_set & predicted_set:
            tp[label] += 1
        for _, _, label in predicted_set - gold_set:
            fp[label] += 1
        for _, _, label in gold_set - predicted_set:
            fn[label] += 1
    names = list(dict.fromkeys([*labels, *sorted((tp + fp + fn).keys())]))
    per_label = {name: _score(name, tp[name], fp[name], fn[name]) for name in names}
    overall = _score("overall", sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return per_label, overall


def format_scores(per_label: dict[str, LabelScore], overall: LabelScore, withheld: Sequence[str] = ()) -> str:
    """The evaluation as a small table, one label a line (n/a for undefined figures)."""

    def figure(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    width = max([len("overall"), *map(len, per_label)])
    lines = [f"{'label':<{width}}  precision  recall     F1  gold  predicted"]
    for score in [*per_label.values(), overall]:
        mark = "  (withheld: below the threshold)" if score.label in withheld else ""
        lines.append(
            f"{score.label:<{width}}  {figure(score.precision):>9}  {figure(score.recall):>6}  "
            f"{figure(score.f1):>5}  {score.support:>4}  {score.predicted:>9}{mark}"
        )
    return "\n".join(lines) + "\n"


__all__ = ["LabelScore", "format_scores", "score_spans"]
