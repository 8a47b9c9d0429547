"""File → Import… and File → Export…: the corpus formats behind dialogs, a progress bar and a summary.

The dialogs sit behind classmethods (``ExportDialog.ask``, ``ImportDialog.ask``) and the final
message is one of :mod:`annotator.gui.messages`, so tests replace them and never block. The work itself is
:func:`annotator.core.formats.exporter.export_corpus` / ``importer.import_corpus``; this module
only asks, shows progress (with cancel) and reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.formats import registry
from annotator.core.formats.exporter import ExportOptions, export_corpus, parse_split
from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.records import Cancelled, TransferReport
from annotator.core.model import GOLD_LAYER
from annotator.core.store import Project
from annotator.gui import colors, messages
from annotator.gui.widgets import answer

DEFAULT_SPLIT = "train=0.8,dev=0.1,test=0.1"

#: Runs one access to the project (see :class:`annotator.gui.saving.SaveWaiter`).
Write = Callable[[Callable[[], object]], object]


def _now(operation: Callable[[], object]) -> object:
    return operation()


def _problem_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.PlainText)  # it quotes what the user typed
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {colors.ERROR};")
    label.setVisible(False)
    return label


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose mnemonic focuses ``widget`` (rows holding a layout need one)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _hint_label(wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setWordWrap(wrap)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class ExportDialog(QDialog):
    """Every option of ``annotator export`` in one form."""

    def __init__(self, project: Project, annotator: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export corpus")
        self.project = project
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)

        self.format_combo = QComboBox()
        for name in registry.EXPORT_FORMATS:
            self.format_combo.addItem(registry.BY_NAME[name].title, name)
        self.format_hint = _hint_label(wrap=False)
        form.addRow("&Format:", self.format_combo)
        form.addRow("", self.format_hint)

        self.layer_combo = QComboBox()
        self.layer_combo.addItem("All annotators", None)
        names = project.annotators()
        for name in names:
            if name != GOLD_LAYER:
                self.layer_combo.addItem(name + (" (you)" if name == annotator else ""), name)
        if GOLD_LAYER in names:
            self.layer_combo.addItem("Gold (adjudicated)", GOLD_LAYER)
        form.addRow("&Layers:", self.layer_combo)

        self.done_only = QCheckBox("Only documents marked done")
        form.addRow("", self.done_only)

        self.labels = QListWidget()
        for name in project.labels().names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            self.labels.addItem(item)
        rows = max(3, min(6, self.labels.count()))
        self.labels.setFixedHeight(self.labels.sizeHintForRow(0) * rows + 2 * self.labels.frameWidth() + 4)
        form.addRow("La&bels:", self.labels)

        self.split_check = QCheckBox("Split by document")
        self.split_edit = QLineEdit(DEFAULT_SPLIT)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setPrefix("seed ")
        split_row = QHBoxLayout()
        split_row.addWidget(self.split_check)
        split_row.addWidget(self.split_edit, 1)
        split_row.addWidget(self.seed)
        form.addRow(_buddy("&Split:", self.split_check), split_row)

        self.output = QLineEdit()
        self.output.setPlaceholderText("Choose where to write the export")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        form.addRow(_buddy("&Output:", self.output), out_row)

        self.problem = _problem_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        for signal in (
            self.format_combo.currentIndexChanged,
            self.split_check.toggled,
            self.split_edit.textChanged,
            self.output.textChanged,
            self.labels.itemChanged,
        ):
            signal.connect(self._check)
        self._check()
        self.setMinimumWidth(560)

    @property
    def format(self) -> str:
        return str(self.format_combo.currentData())

    def wants_folder(self) -> bool:
        return self.split_check.isChecked() or self.format in registry.FOLDER_FORMATS

    def chosen_labels(self) -> tuple[str, ...] | None:
        items = [self.labels.item(i) for i in range(self.labels.count())]
        chosen = tuple(item.text() for item in items if item.checkState() == Qt.Checked)
        return None if len(chosen) == len(items) else chosen

    def options(self) -> ExportOptions:
        """The options as chosen; raises AnnotatorError for a bad split or missing output."""
        text = self.output.text().strip()
        if not text:
            raise AnnotatorError("Choose where to write the export.")
        labels = self.chosen_labels()
        if labels == ():
            raise AnnotatorError("Choose at least one label.")
        layer = self.layer_combo.currentData()
        return ExportOptions(
            format=self.format,
            output=Path(text).expanduser(),
            annotator=layer if layer not in (None, GOLD_LAYER) else None,
            gold=layer == GOLD_LAYER,
            done_only=self.done_only.isChecked(),
            labels=labels,
            split=parse_split(self.split_edit.text()) if self.split_check.isChecked() else None,
            seed=self.seed.value(),
        )

    def _check(self) -> None:
        self.format_hint.setText(registry.BY_NAME[self.format].hint)
        self.split_edit.setEnabled(self.split_check.isChecked())
        self.seed.setEnabled(self.split_check.isChecked())
        kind = "folder" if self.wants_folder() else "file"
        self.output.setPlaceholderText(f"Choose a {kind} to write the export to")
        try:
            self.options()
            problem, ok = "", True
        except AnnotatorError as exc:
            # A missing output only disables Export; anything else says what is wrong.
            problem, ok = ("" if str(exc).startswith("Choose where") else str(exc)), False
        problem = problem[:1].upper() + problem[1:]
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def _browse(self) -> None:
        stem = self.project.path.stem.replace(".annotator", "") if self.project.path else "corpus"
        if self.wants_folder():
            parent = QFileDialog.getExistingDirectory(self, "Export into which folder?", str(Path.home()))
            if parent:
                suffix = "splits" if self.split_check.isChecked() else self.format
                self.output.setText(str(Path(parent) / f"{stem}-{suffix}"))
        else:
            fmt = registry.BY_NAME[self.format]
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export to",
                str(Path.home() / f"{stem}-{self.format}{fmt.extension}"),
                f"{fmt.title} (*{fmt.extension});;All files (*)",
            )
            if path:
                self.output.setText(path)

    @classmethod
    def ask(cls, parent: QWidget | None, project: Project, annotator: str | None) -> ExportOptions | None:
        """The chosen options, or None if the user cancelled."""
        dialog = cls(project, annotator, parent)
        return answer(dialog, dialog.options)


@dataclass(frozen=True)
class ImportRequest:
    """What to import and how."""

    paths: tuple[Path, ...]
    options: ImportOptions


class ImportDialog(QDialog):
    """Files and folders to import, their format, the layer and whether to add new labels."""

    def __init__(self, project: Project, annotator: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.project = project
        self.paths = QListWidget()
        self.paths.setMinimumHeight(110)
        add_files = QPushButton("Add &files…")
        add_folder = QPushButton("Add f&older…")
        remove = QPushButton("&Remove")
        add_files.clicked.connect(self._add_files)
        add_folder.clicked.connect(self._add_folder)
        remove.clicked.connect(self._remove)
        buttons_row = QHBoxLayout()
        for button in (add_files, add_folder, remove):
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        self.format_combo = QComboBox()
        self.format_combo.addItem("Detect from each file", None)
        for name in registry.IMPORT_FORMATS:
            self.format_combo.addItem(registry.BY_NAME[name].title, name)
        form.addRow("&Format:", self.format_combo)
        self.annotator = QLineEdit()
        self.annotator.setPlaceholderText("From the file (its annotator field, else its name)")
        form.addRow("&Spans go to:", self.annotator)
        self.add_labels = QCheckBox("Add labels the project does not have (otherwise they are refused)")
        form.addRow("", self.add_labels)
        note = _hint_label()
        note.setText(
            "Documents already in the project with the same text are reused; the same id with "
            "different text is refused. On any error nothing is imported."
        )

        self.problem = _problem_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Files and folders to import:"))
        layout.addWidget(self.paths)
        layout.addLayout(buttons_row)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.paths.model().rowsInserted.connect(self._check)
        self.paths.model().rowsRemoved.connect(self._check)
        self.annotator.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(560)

    def add_path(self, path: str | Path) -> None:
        if str(path) not in self.chosen_paths():
            self.paths.addItem(str(path))

    def chosen_paths(self) -> list[str]:
        return [self.paths.item(i).text() for i in range(self.paths.count())]

    def request(self) -> ImportRequest:
        paths = self.chosen_paths()
        if not paths:
            raise AnnotatorError("Add at least one file or folder.")
        name = self.annotator.text().strip() or None
        if name is not None:
            from annotator.core.model import validate_annotator_name

            validate_annotator_name(name)
        return ImportRequest(
            tuple(Path(p) for p in paths),
            ImportOptions(
                format=self.format_combo.currentData(), annotator=name, add_labels=self.add_labels.isChecked()
            ),
        )

    def _check(self) -> None:
        try:
            self.request()
            problem, ok = "", True
        except AnnotatorError as exc:
            problem, ok = ("" if not self.chosen_paths() else str(exc)), False
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def _add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import files",
            str(Path.home()),
            registry.import_filter(),
        )
        for path in files:
            self.add_path(path)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import a folder (brat, or .txt/.jsonl files)", str(Path.home())
        )
        if folder:
            self.add_path(folder)

    def _remove(self) -> None:
        for item in self.paths.selectedItems():
            self.paths.takeItem(self.paths.row(item))

    @classmethod
    def ask(cls, parent: QWidget | None, project: Project, annotator: str | None) -> ImportRequest | None:
        """The chosen request, or None if the user cancelled."""
        dialog = cls(project, annotator, parent)
        return answer(dialog, dialog.request)


class TransferProgress:
    """A progress callback for the core: updates a cancellable progress dialog, at most 20×/s."""

    def __init__(self, parent: QWidget | None, title: str, label: str) -> None:
        self.dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(360)
        self._shown_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._shown_at >= 0.05 or done >= total:
            self._shown_at = now
            if self.dialog.maximum() != max(total, 1):
                self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(min(done, max(total, 1)))
            QApplication.processEvents()
        if self.canceled():
            raise Cancelled

    def canceled(self) -> bool:
        return self.dialog.wasCanceled()

    def close(self) -> None:
        self.dialog.reset()
        self.dialog.close()
        self.dialog.deleteLater()


def _left_out(report: TransferReport) -> tuple[str, str]:
    """The 'left out' part of a summary: short lines, and examples for the details."""
    if not report.left_out:
        return "", ""
    short = "\n".join(f"• {count:,} {reason}" for reason, count in sorted(report.left_out.items()))
    details = "\n\n".join(
        f"{reason} ({report.left_out[reason]:,}), for example:\n  "
        + "\n  ".join(report.examples.get(reason, []))
        for reason in sorted(report.left_out)
    )
    return short, details


def _summary(parent: QWidget | None, title: str, text: str, details: str = "", warning: bool = False) -> None:
    (messages.warn if warning else messages.inform)(parent, title, text, details)


def export_interactively(
    parent: QWidget | None, project: Project, annotator: str | None, write: Write | None = None
) -> None:
    """Ask for export options, export with a progress bar, then say what was written and left out.

    ``write`` runs the export (an export only reads, but it goes the way every access of the
    window goes, waiting while another program writes)."""
    options = ExportDialog.ask(parent, project, annotator)
    if options is None:
        return
    progress = TransferProgress(parent, "Export", f"Exporting {registry.BY_NAME[options.format].title}…")
    try:
        report = (write or _now)(lambda: export_corpus(project, options, progress=progress))
    except Cancelled:
        _summary(parent, "Export cancelled", "The export was cancelled; nothing was written.")
        return
    except (AnnotatorError, OSError) as exc:
        _summary(parent, "Export failed", f"{exc}\n\nNothing was written.", warning=True)
        return
    finally:
        progress.close()
    text = (
        f"Exported {report.documents:,} document(s) as {report.records:,} record(s) with "
        f"{report.spans:,} span(s) to\n{options.output}"
    )
    short, details = _left_out(report)
    text += (
        f"\n\nLeft out (see Show Details for examples):\n{short}" if short else "\n\nNothing was left out."
    )
    _summary(parent, "Export finished", text, details)


def import_interactively(
    parent: QWidget | None, project: Project, annotator: str | None, write: Write | None = None
) -> bool:
    """Ask what to import, import it with a progress bar, then summarise; True if the project changed.

    ``write`` runs the import: the window's "Waiting to save" path, which tries it again while
    another program holds the project's write lock (an import that failed kept nothing)."""
    request = ImportDialog.ask(parent, project, annotator)
    if request is None:
        return False
    progress = TransferProgress(parent, "Import", "Importing…")
    try:
        report = (write or _now)(
            lambda: import_corpus(project, request.paths, request.options, progress=progress)
        )
    except Cancelled:
        _summary(parent, "Import cancelled", "The import was cancelled; the project is unchanged.")
        return False
    except (AnnotatorError, OSError) as exc:
        _summary(
            parent, "Import failed", f"{exc}\n\nNothing was imported; the project is unchanged.", warning=True
        )
        return False
    finally:
        progress.close()
    new = report.documents - report.reused
    text = f"Imported {new:,} new document(s) and {report.spans:,} span(s)"
    if report.reused:
        text += f"; {report.reused:,} document(s) were already in the project"
    text += "."
    if report.notes:
        text += "\n\n" + "\n".join(f"• {note[0].upper()}{note[1:]}" for note in report.notes)
    short, details = _left_out(report)
    if short:
        text += f"\n\nSkipped:\n{short}"
    _summary(parent, "Import finished", text, details)
    return bool(new or report.spans or report.notes)
