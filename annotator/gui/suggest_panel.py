"""The Suggestions panel: each source on and off with what it needs, the open document's
proposals, each source's running precision, the model's scores per label, and training.

A view over :class:`~annotator.gui.suggestions.SuggestionController`; every change goes through
it (and is remembered per project in the settings).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.suggest.proposals import Proposal
from annotator.core.suggest.sources import SOURCE_KINDS
from annotator.gui.literal import one_line
from annotator.gui.suggestions import SuggestionController, parse_mapping

#: At most this many proposals are listed (a 1 MB document can have thousands).
LIST_LIMIT = 500


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _short(source: str) -> str:
    """A source as a list names it: a model without its version (the tooltip has it)."""
    return source.split("@", 1)[0]


class FileChooser:
    """File and folder choosers, behind classmethods that tests replace."""

    @classmethod
    def patterns_file(cls, parent: QWidget) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(
            parent, "Patterns file", "", "Patterns (*.jsonl *.json);;All files (*)"
        )
        return Path(path) if path else None

    @classmethod
    def model_folder(cls, parent: QWidget) -> Path | None:
        path = QFileDialog.getExistingDirectory(parent, "Models folder")
        return Path(path) if path else None


class SuggestionsPanel(QWidget):
    """The panel (in a dock of the main window)."""

    #: A proposal was picked in the list (go to it) or double-clicked (accept it).
    proposal_picked = Signal(object)
    proposal_activated = Signal(object)

    def __init__(self, controller: SuggestionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("suggestionsPanel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        body = QWidget()
        # As wide as the dock, never wider (long names are elided, rows wrap).
        body.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        # -- sources -----------------------------------------------------------------------
        sources = QGroupBox("Sources")
        grid = QGridLayout(sources)
        grid.setColumnStretch(1, 1)
        self.switches: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLabel] = {}
        row = 0
        for kind in SOURCE_KINDS:
            box = QCheckBox(kind.title)
            box.setObjectName(f"source_{kind.name}")
            box.setToolTip(kind.description)
            box.toggled.connect(lambda on, name=kind.name: self._switched(name, on))
            self.switches[kind.name] = box
            grid.addWidget(box, row, 0)
            if kind.name == "patterns":
                button = QPushButton("File…")
                button.setObjectName("patternsFileButton")
                button.setToolTip("Use your own patterns file for this project (Shift+click: the defaults)")
                button.clicked.connect(self._choose_patterns)
                grid.addWidget(button, row, 2)
            elif kind.name == "model":
                button = QPushButton("Folder…")
                button.setObjectName("modelFolderButton")
                button.setToolTip("Use another models folder (by default beside the project)")
                button.clicked.connect(self._choose_model)
                grid.addWidget(button, row, 2)
            note = QLabel()
            note.setTextFormat(Qt.PlainText)
            note.setWordWrap(True)
            note.setObjectName(f"note_{kind.name}")
            self.notes[kind.name] = note
            grid.addWidget(note, row + 1, 0, 1, 3)
            row += 2
            if kind.name == "memory":
                self.ignore_case = QCheckBox("ignore case")
                self.ignore_case.setObjectName("memoryIgnoreCase")
                self.include_gold = QCheckBox("learn from gold too")
                self.include_gold.setObjectName("memoryGold")
                options = QHBoxLayout()
                options.addWidget(self.ignore_case)
                options.addWidget(self.include_gold)
                options.addStretch(1)
                grid.addLayout(options, row, 0, 1, 3)
                self.ignore_case.toggled.connect(
                    lambda on: self.controller.configure(memory_ignore_case="1" if on else "0")
                )
                self.include_gold.toggled.connect(
                    lambda on: self.controller.configure(memory_gold="1" if on else "0")
                )
                row += 1
            if kind.name == "spacy":
                form = QFormLayout()
                self.spacy_name = QLineEdit()
                self.spacy_name.setObjectName("spacyName")
                self.spacy_name.setPlaceholderText("package or folder")
                self.spacy_name.setToolTip(
                    "An installed spaCy package (e.g. en_core_web_sm) or a pipeline folder"
                )
                self.spacy_map = QLineEdit()
                self.spacy_map.setObjectName("spacyMap")
                self.spacy_map.setPlaceholderText("default OntoNotes mapping")
                self.spacy_map.setToolTip("NAME=label, comma-separated (e.g. PERSON=actor, MONEY=number)")
                form.addRow("Pipeline", self.spacy_name)
                form.addRow("Mapping", self.spacy_map)
                self.spacy_name.editingFinished.connect(self._spacy_edited)
                self.spacy_map.editingFinished.connect(self._spacy_edited)
                grid.addLayout(form, row, 0, 1, 3)
                row += 1
        layout.addWidget(sources)

        # -- proposals in this document ------------------------------------------------------
        here = QGroupBox("Proposals in this document")
        here_layout = QVBoxLayout(here)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("proposalSummary")
        here_layout.addWidget(self.summary)
        self.list = QListWidget()
        self.list.setObjectName("proposalList")
        self.list.setMinimumHeight(100)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.ElideMiddle)
        self.list.itemClicked.connect(self._item_picked)
        self.list.itemActivated.connect(self._item_activated)
        here_layout.addWidget(self.list, 1)
        accept_row = QHBoxLayout()
        self.accept_source = QComboBox()
        self.accept_source.setObjectName("acceptAllSource")
        self.accept_all_button = QPushButton("Accept all")
        self.accept_all_button.setObjectName("acceptAllButton")
        self.accept_all_button.setToolTip(
            "Accept every proposal of this source in this document (one undo step)"
        )
        self.accept_all_button.clicked.connect(self._accept_all)
        accept_row.addWidget(self.accept_source, 1)
        accept_row.addWidget(self.accept_all_button)
        here_layout.addLayout(accept_row)
        layout.addWidget(here, 1)

        # -- running precision -------------------------------------------------------------
        precision = QGroupBox("Your decisions so far")
        precision_layout = QVBoxLayout(precision)
        self.tally_table = self._table(["Source", "Accepted", "Rejected", "Precision"], "tallyTable")
        precision_layout.addWidget(self.tally_table)
        layout.addWidget(precision)

        # -- the model ---------------------------------------------------------------------
        model = QGroupBox("Model")
        model_layout = QVBoxLayout(model)
        self.model_info = QLabel()
        self.model_info.setTextFormat(Qt.PlainText)
        self.model_info.setWordWrap(True)
        self.model_info.setObjectName("modelInfo")
        model_layout.addWidget(self.model_info)
        self.score_table = self._table(["Label", "P", "R", "F1", "Proposed"], "scoreTable")
        model_layout.addWidget(self.score_table)
        form = QFormLayout()
        self.threshold = QDoubleSpinBox()
        self.threshold.setObjectName("threshold")
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setToolTip("Only labels whose held-out F1 reaches this are proposed")
        self.threshold.editingFinished.connect(
            lambda: self.controller.configure(threshold=f"{self.threshold.value():.2f}")
        )
        self.retrain_every = QSpinBox()
        self.retrain_every.setObjectName("retrainEvery")
        self.retrain_every.setRange(0, 1000)
        self.retrain_every.setSpecialValueText("never by itself")
        self.retrain_every.setSuffix(" new done documents")
        self.retrain_every.editingFinished.connect(
            lambda: self.controller.set_option("retrain_every", str(self.retrain_every.value()))
        )
        form.addRow("Show labels with F1 ≥", self.threshold)
        form.addRow("Retrain after", self.retrain_every)
        model_layout.addLayout(form)
        train_row = QHBoxLayout()
        self.train_button = QPushButton("Train now")
        self.train_button.setObjectName("trainButton")
        self.train_button.clicked.connect(lambda: self.controller.train())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelTrainingButton")
        self.cancel_button.clicked.connect(self.controller.cancel_training)
        train_row.addWidget(self.train_button)
        train_row.addWidget(self.cancel_button)
        model_layout.addLayout(train_row)
        self.progress = QProgressBar()
        self.progress.setObjectName("trainingProgress")
        self.progress.setTextVisible(True)
        model_layout.addWidget(self.progress)
        self.training_note = QLabel()
        self.training_note.setTextFormat(Qt.PlainText)
        self.training_note.setWordWrap(True)
        self.training_note.setObjectName("trainingNote")
        model_layout.addWidget(self.training_note)
        layout.addWidget(model)

        self._listed: list[Proposal] | None = None
        controller.sources_changed.connect(self.show_sources)
        controller.proposals_changed.connect(self.show_proposals)
        controller.tallies_changed.connect(self.show_tallies)
        controller.training_changed.connect(self.show_training)
        self.show_sources()
        self.show_proposals()
        self.show_tallies()
        self.show_training(*controller.training_state)

    @staticmethod
    def _table(headers: list[str], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.setSelectionMode(QTableWidget.NoSelection)
        table.setFocusPolicy(Qt.NoFocus)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        return table

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeRowsToContents()
        # As tall as its rows (up to six), so the groups below stay in sight.
        shown = min(len(rows), 6)
        height = table.horizontalHeader().height() + 2 * table.frameWidth() + 2
        height += (
            sum(table.rowHeight(r) for r in range(shown))
            if shown
            else table.verticalHeader().defaultSectionSize()
        )
        table.setFixedHeight(height)

    # -- showing ----------------------------------------------------------------------------

    def show_sources(self) -> None:
        controller = self.controller
        for name, state in controller.states.items():
            box = self.switches[name]
            box.blockSignals(True)
            box.setChecked(state.wanted)
            box.blockSignals(False)
            if state.error:
                text = state.error
            elif state.source is not None:
                text = state.source.name
                if state.notes:
                    text += " — " + "; ".join(state.notes)
            else:
                text = "off"
            self.notes[name].setText(one_line(text, 400))
        self._show_memory_note()
        for widget, option in (
            (self.ignore_case, "memory_ignore_case"),
            (self.include_gold, "memory_gold"),
        ):
            widget.blockSignals(True)
            widget.setChecked(controller.option(option) == "1")
            widget.blockSignals(False)
        self.spacy_name.setText(controller.option("spacy_name"))
        self.spacy_map.setText(controller.option("spacy_map"))
        self.threshold.setValue(controller.threshold)
        self.retrain_every.setValue(controller.retrain_every)
        model = controller.states.get("model")
        if model is not None and model.scores:
            withheld = set(model.withheld)
            rows = [
                [
                    label,
                    _score(s.precision),
                    _score(s.recall),
                    _score(s.f1),
                    "no" if label in withheld else "yes",
                ]
                for label, s in model.scores.items()
            ]
            self._fill(self.score_table, rows)
            self.model_info.setText(model.description.splitlines()[0] if model.description else "")
        else:
            self._fill(self.score_table, [])
            folder = controller.models_folder()
            self.model_info.setText(
                f"No model yet (it will be kept in {folder})." if folder else "No model (in-memory project)."
            )
        names = controller.enabled_names()
        current = self.accept_source.currentText()
        self.accept_source.clear()
        self.accept_source.addItems(names)
        if current in names:
            self.accept_source.setCurrentText(current)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._listed = None  # not kept current while hidden
        self.show_proposals()
        self.show_tallies()

    def show_proposals(self) -> None:
        if not self.isVisible():
            return  # shown again when the panel is opened
        controller = self.controller
        proposals = controller.proposals
        if proposals is self._listed:  # only the current proposal changed
            self._show_current()
            return
        self._listed = proposals
        self._show_memory_note()
        text = controller.session.text
        counts: dict[str, int] = {}
        for proposal in proposals:
            short = _short(proposal.source)
            counts[short] = counts.get(short, 0) + 1
        parts = [f"{n} from {name}" for name, n in counts.items()]
        waiting = " · the model is still reading this document…" if controller.computing else ""
        self.summary.setText(
            (f"{len(proposals)} proposal(s): " + ", ".join(parts) if proposals else "No proposals here.")
            + waiting
        )
        colors = {label.name: label.color for label in controller.project.labels()}
        self.list.blockSignals(True)
        self.list.clear()
        for proposal in proposals[:LIST_LIMIT]:
            item = QListWidgetItem(
                f"{proposal.label}  “{one_line(proposal.text_in(text), 40)}”  · {_short(proposal.source)}"
            )
            item.setData(Qt.UserRole, proposal)
            item.setForeground(QColor(colors.get(proposal.label, "#666666")))
            item.setToolTip(f"{proposal.source}: {proposal.detail}" if proposal.detail else proposal.source)
            self.list.addItem(item)
        if len(proposals) > LIST_LIMIT:
            more = QListWidgetItem(f"… and {len(proposals) - LIST_LIMIT} more (Tab walks them all)")
            more.setFlags(Qt.NoItemFlags)
            self.list.addItem(more)
        self.list.blockSignals(False)
        self._show_current()
        self.accept_all_button.setEnabled(bool(proposals))

    def _show_current(self) -> None:
        current = self.controller.current
        self.list.blockSignals(True)
        if current is None or current not in self._listed[:LIST_LIMIT]:
            self.list.setCurrentRow(-1)
        else:
            row = self._listed.index(current)
            self.list.setCurrentRow(row)
            self.list.scrollToItem(self.list.item(row))
        self.list.blockSignals(False)

    def _show_memory_note(self) -> None:
        state = self.controller.states.get("memory")
        memory = getattr(state.source, "memory", None) if state is not None else None
        if memory is not None and not state.error:
            layers = " and ".join(getattr(state.source, "layers", ()))
            self.notes["memory"].setText(f"learns from {layers}: {len(memory)} string(s) known")

    def show_tallies(self) -> None:
        self._show_memory_note()
        rows = [
            [t.source, str(t.accepted), str(t.rejected), _percent(t.precision)]
            for t in self.controller.tallies()
        ]
        self._fill(self.tally_table, rows)

    def show_training(self, state: str, step: int, total: int, message: str) -> None:
        running = state == "running"
        self.train_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running and total:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        elif running:
            self.progress.setRange(0, 0)  # busy, no figure yet
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1 if state == "done" else 0)
        prefix = {"running": "Training: ", "done": "Trained: ", "error": "", "cancelled": ""}.get(state, "")
        self.training_note.setText(one_line(prefix + message, 400) if message else "")

    # -- changing ---------------------------------------------------------------------------

    def _switched(self, name: str, on: bool) -> None:
        self.controller.set_wanted(name, on)

    def _choose_patterns(self) -> None:
        path = FileChooser.patterns_file(self)
        if path is not None:
            self.controller.configure(patterns_file=str(path), patterns_on="1")

    def _choose_model(self) -> None:
        path = FileChooser.model_folder(self)
        if path is not None:
            self.controller.configure(model_dir=str(path), model_on="1")

    def _spacy_edited(self) -> None:
        name, mapping = self.spacy_name.text().strip(), self.spacy_map.text().strip()
        if (name, mapping) == (self.controller.option("spacy_name"), self.controller.option("spacy_map")):
            return
        try:
            parse_mapping(mapping)
        except AnnotatorError as exc:
            self.notes["spacy"].setText(str(exc))
            return
        self.controller.configure(spacy_name=name, spacy_map=mapping, spacy_on="1" if name else "0")

    def _accept_all(self) -> None:
        name = self.accept_source.currentText()
        if name:
            self.controller.accept_all(name)

    def _item_picked(self, item: QListWidgetItem) -> None:
        proposal = item.data(Qt.UserRole)
        if isinstance(proposal, Proposal):
            self.proposal_picked.emit(proposal)

    def _item_activated(self, item: QListWidgetItem) -> None:
        proposal = item.data(Qt.UserRole)
        if isinstance(proposal, Proposal):
            self.proposal_activated.emit(proposal)


__all__ = ["FileChooser", "SuggestionsPanel"]
