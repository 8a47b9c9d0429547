"""Qt models of the review window: documents, disagreements, per-label figures, confusion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QColor

from annotator.core.adjudication import DecisionRecord, DisagreementKey
from annotator.core.agreement import NO_SPAN, Confusion, Figures, LabelFigures
from annotator.core.pairing import Disagreement, DisagreementKind, SpanTuple
from annotator.core.report import format_number
from annotator.gui import colors
from annotator.gui.literal import isolate, one_line, rich, tooltip
from annotator.gui.tablemodel import ROOT, ROW_FLAGS, RowTableModel

KIND_TITLES = {
    DisagreementKind.ONLY_A: "only A",
    DisagreementKind.ONLY_B: "only B",
    DisagreementKind.LABEL: "label",
    DisagreementKind.BOUNDARY: "boundary",
}
DECISION_TITLES = {"a": "✓ A", "b": "✓ B", "both": "✓ both", "neither": "✓ neither", "edit": "✓ edited"}
KIND_HINTS = {
    DisagreementKind.ONLY_A: "Only A marked this",
    DisagreementKind.ONLY_B: "Only B marked this",
    DisagreementKind.LABEL: "A and B chose different labels",
    DisagreementKind.BOUNDARY: "Same label, different extent",
}


def excerpt(text: str, limit: int = 60) -> str:
    """A one-line piece of text for a table cell (controls shown as symbols)."""
    return one_line(text[: 4 * limit + 100], limit)


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


class DocumentFiguresModel(RowTableModel):
    """The documents under review with their agreement (exact F1) and adjudication progress."""

    COLUMNS = ("Document", "F1", "Decided")
    TIPS = ("", "Exact-span F1 of A and B on this document", "Disagreements decided")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str]] = []  # (id, title)
        self._row_of: dict[str, int] = {}
        self._figures: Mapping[str, Figures] = {}
        self._progress: dict[str, tuple[int, int]] = {}

    def set_documents(
        self,
        rows: Sequence[tuple[str, str]],
        figures: Mapping[str, Figures],
        progress: dict[str, tuple[int, int]],
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {doc_id: row for row, (doc_id, _title) in enumerate(self._rows)}
        self._figures = figures
        self._progress = dict(progress)
        self.endResetModel()

    def set_progress(self, doc_id: str, done: int, total: int) -> None:
        self._progress[doc_id] = (done, total)
        row = self.row_of(doc_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def doc_id(self, row: int) -> str:
        return self._rows[row][0]

    def row_of(self, doc_id: str) -> int | None:
        return self._row_of.get(doc_id)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        doc_id, title = self._rows[index.row()]
        column = index.column()
        figures = self._figures.get(doc_id)
        done, total = self._progress.get(doc_id, (0, 0))
        if role == Qt.DisplayRole:
            if column == 0:
                return one_line(title)
            if column == 1:
                return format_number(figures.exact.f1 if figures else None, 2)
            return f"{done}/{total}" if total else "—"
        if role == Qt.ToolTipRole:
            return tooltip(
                f"{isolate(title)}\nid: {isolate(doc_id)}\n{done} of {total} disagreement(s) decided"
            )
        if role == Qt.TextAlignmentRole and column:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and column == 2 and done == total:
            return QColor(colors.DECIDED_BACKGROUND)
        if role == Qt.UserRole:
            return doc_id
        return None


class DisagreementModel(RowTableModel):
    """One document's disagreements between A and B, with the decision taken on each."""

    COLUMNS = ("Kind", "A", "B", "Text", "Decision")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: list[Disagreement] = []
        self._text = ""
        self._decisions: Mapping[DisagreementKey, DecisionRecord] = {}
        self._colors: Mapping[str, str] = {}
        self._names = ("A", "B")

    def set_names(self, a: str, b: str) -> None:
        self._names = (a, b)
        self.headerDataChanged.emit(Qt.Horizontal, 1, 2)

    def set_disagreements(
        self,
        items: Sequence[Disagreement],
        text: str,
        decisions: Mapping[DisagreementKey, DecisionRecord],
        colors: Mapping[str, str],
    ) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._text = text
        self._decisions = decisions
        self._colors = colors
        self.endResetModel()

    def set_decisions(self, decisions: Mapping[DisagreementKey, DecisionRecord]) -> None:
        self._decisions = decisions
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(self.COLUMNS) - 1))

    def item(self, row: int) -> Disagreement:
        return self._items[row]

    def items(self) -> list[Disagreement]:
        return list(self._items)

    def decision(self, row: int) -> DecisionRecord | None:
        item = self._items[row]
        return self._decisions.get((item.a, item.b))

    def row_of(self, key: DisagreementKey) -> int | None:
        for row, item in enumerate(self._items):
            if (item.a, item.b) == key:
                return row
        return None

    def _row_count(self) -> int:
        return len(self._items)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Vertical:
            return str(section + 1) if 0 <= section < len(self._items) else None
        if not 0 <= section < len(self.COLUMNS):
            return None
        if section in (1, 2):
            return f"{'AB'[section - 1]}: {one_line(self._names[section - 1])}"
        return self.COLUMNS[section]

    def _span_cell(self, span) -> str:
        return "—" if span is None else one_line(span[2])

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = index.column()
        record = self._decisions.get((item.a, item.b))
        span = item.a if column == 1 else item.b if column == 2 else None
        if role == Qt.DisplayRole:
            if column == 0:
                return KIND_TITLES[item.kind]
            if column in (1, 2):
                return self._span_cell(span)
            if column == 3:
                return excerpt(self._text[item.start : item.end])
            return "" if record is None else DECISION_TITLES[record.decision.value]
        if role == Qt.DecorationRole and column in (1, 2) and span is not None:
            return QColor(self._colors.get(span[2], colors.UNKNOWN_LABEL))
        if role == Qt.ToolTipRole:
            # Tooltips take text that looks like HTML as HTML: give them escaped rich text.
            if column in (1, 2) and span is not None:
                covered = excerpt(self._text[span[0] : span[1]], 200)
                return tooltip(f"[{span[0]}, {span[1]}) {isolate(span[2])}: “{isolate(covered)}”")
            if column == 0:
                return KIND_HINTS[item.kind]
            if column == 4 and record is not None:
                return f"Decided: {record.decision.caption} ({record.decided_at})"
            return tooltip(excerpt(self._text[item.start : item.end], 300))
        if role == Qt.BackgroundRole and record is not None:
            return QColor(colors.DECIDED_BACKGROUND)
        if role == Qt.UserRole:
            return (item.a, item.b)
        return None


class LabelFiguresModel(RowTableModel):
    """Per-label figures pooled over the documents under review; undefined ones read n/a."""

    COLUMNS = ("Label", "A", "B", "P", "R", "F1", "Lenient F1", "κ", "αU")
    TIPS = (
        "",
        "Spans A marked with this label",
        "Spans B marked with this label",
        "Precision: share of B's spans that A has exactly",
        "Recall: share of A's spans that B has exactly",
        "F1 of exact span matches",
        "F1 where overlapping spans of the same label count as matches",
        "Cohen's kappa of 'this character is inside this label' (character level)",
        "Krippendorff's unitizing alpha of this label",
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, LabelFigures]] = []
        self._colors: Mapping[str, str] = {}

    def set_figures(self, labels: Mapping[str, LabelFigures], colors: Mapping[str, str]) -> None:
        self.beginResetModel()
        self._rows = list(labels.items())
        self._colors = colors
        self.endResetModel()

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        name, figures = self._rows[index.row()]
        column = index.column()
        if role == Qt.DisplayRole:
            values = (
                one_line(name),
                str(figures.exact.a),
                str(figures.exact.b),
                format_number(figures.exact.precision, 2),
                format_number(figures.exact.recall, 2),
                format_number(figures.exact.f1, 2),
                format_number(figures.lenient.f1, 2),
                format_number(figures.kappa, 2),
                format_number(figures.alpha_u, 2),
            )
            return values[column]
        if role == Qt.DecorationRole and column == 0:
            return QColor(self._colors.get(name, colors.UNKNOWN_LABEL))
        if role == Qt.TextAlignmentRole and column:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole and column:
            return self.TIPS[column]
        return None


class ConfusionModel(QAbstractTableModel):
    """The label confusion matrix (rows A, columns B), coloured by count."""

    AGREE = QColor(colors.AGREE)
    DISAGREE = QColor(colors.DISAGREE)
    PAPER = QColor("#FFFFFF")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._labels: tuple[str, ...] = ()
        self._confusion: Confusion | None = None
        self._max = 0

    def set_confusion(self, confusion: Confusion) -> None:
        self.beginResetModel()
        self._confusion = confusion
        self._labels = tuple(confusion.labels)
        self._max = max(confusion.counts.values(), default=0)
        self.endResetModel()

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self._labels)

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self._labels)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if not 0 <= section < len(self._labels):
            return None
        name = self._labels[section]
        if role == Qt.DisplayRole:
            return one_line(name)
        if role == Qt.ToolTipRole:
            side = "A" if orientation == Qt.Vertical else "B"
            if name == NO_SPAN:
                return f"{side}: no span here"
            return tooltip(f"{side} labelled it {isolate(name)}")
        return None

    def flags(self, index):
        return ROW_FLAGS if index.isValid() else Qt.NoItemFlags

    def count(self, row: int, column: int) -> int:
        if self._confusion is None:
            return 0
        return self._confusion.count(self._labels[row], self._labels[column])

    def background(self, row: int, column: int) -> QColor:
        n = self.count(row, column)
        if not n or not self._max:
            return self.PAPER
        share = 0.18 + 0.72 * n / self._max
        return colors.mix(self.AGREE if row == column else self.DISAGREE, self.PAPER, share)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._labels):
            return None
        row, column = index.row(), index.column()
        if not 0 <= column < len(self._labels):
            return None
        n = self.count(row, column)
        if role == Qt.DisplayRole:
            return str(n) if n else "·"
        if role == Qt.BackgroundRole:
            return self.background(row, column)
        if role == Qt.ForegroundRole:
            colour = self.background(row, column)
            return QColor("#FFFFFF") if colour.lightnessF() < 0.55 else QColor("#222222")
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.ToolTipRole:
            a, b = isolate(self._labels[row]), isolate(self._labels[column])
            if self._labels[row] == NO_SPAN:
                return tooltip(f"{n} span(s) B labelled {b} where A has none")
            if self._labels[column] == NO_SPAN:
                return tooltip(f"{n} span(s) A labelled {a} where B has none")
            return tooltip(f"{n} span(s): A {a}, B {b}")
        return None


def _span_html(
    side: str, name: str, span: SpanTuple | None, text: str, label_colors: Mapping[str, str]
) -> str:
    if span is None:
        return f"<b>{side}</b> ({rich(one_line(name))}): <i>no span</i>"
    color = label_colors.get(span[2], colors.UNKNOWN_LABEL)
    covered = one_line(text[span[0] : min(span[1], span[0] + 400)], 60)
    return (
        f"<b>{side}</b> ({rich(one_line(name))}): <span style='background:{color}; color:white'>"
        f"&nbsp;{rich(one_line(span[2]))}&nbsp;</span> “{rich(covered)}”"
    )


def describe(item: Disagreement, record: DecisionRecord | None, number: str, session) -> str:
    """The current disagreement in words (rich text of our own, user strings escaped): its
    kind, its place in the list, the decision so far, and both candidates."""
    state = (
        f"<span style='color:{colors.GOOD}'><b>✓ {record.decision.caption}</b></span>"
        if record is not None
        else f"<span style='color:{colors.PENDING}'><b>undecided</b></span>"
    )
    a = _span_html("A", session.a, item.a, session.text, session.colors)
    b = _span_html("B", session.b, item.b, session.text, session.colors)
    return f"<b>{KIND_HINTS[item.kind]}</b> ({number}) — {state}<br>{a} &nbsp;&nbsp; {b}"
