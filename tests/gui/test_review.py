"""Review mode: two layers side by side, keyboard walk, adjudication with undo, figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from annotator.core import adjudication as adj
from annotator.core.model import GOLD_LAYER, Status
from annotator.core.report import format_number
from annotator.core.store import DocumentInput, NewSpan, Project
from annotator.gui import messages as messages_module
from annotator.gui import review
from annotator.gui.review import AnnotatorPairDialog, ReviewWindow, open_review
from annotator.gui.review_figures import F1Chart
from annotator.gui.review_models import (
    ConfusionModel,
    DisagreementModel,
    DocumentFiguresModel,
    LabelFiguresModel,
)
from annotator.gui.review_view import ReviewTextView, lanes

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SECOND = "Kim Jong Un met Putin. Officials denied any deal."


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes never block: record what they would have said."""
    shown: list[str] = []
    for name in ("inform", "warn", "error"):
        monkeypatch.setattr(messages_module, name, lambda parent, title, text, *_a: shown.append(text))
    return shown


@pytest.fixture
def reviewed(project: Project) -> Project:
    """The sample article with alice's and bob's example layers, a small second text, and an
    empty text both marked done (so its figures are undefined)."""
    for name in ("alice", "bob"):
        record = json.loads((EXAMPLES / f"kursk-{name}.jsonl").read_text(encoding="utf-8"))
        project.add_documents([DocumentInput(record["id"], record["text"], record["title"])])
        project.add_spans(
            NewSpan(record["id"], name, s["start"], s["end"], s["label"]) for s in record["spans"]
        )
    project.add_documents(
        [
            DocumentInput("second", SECOND, "Second text"),
            DocumentInput("quiet", "Nothing here.", "Quiet text"),
        ]
    )
    project.add_span("second", "alice", 0, 11, "actor")
    project.add_span("second", "bob", 0, 11, "actor")
    project.add_span("second", "alice", 16, 21, "actor")
    for name in ("alice", "bob"):
        project.set_status("quiet", name, Status.DONE)
    return project


@pytest.fixture
def window(qtbot, reviewed: Project, messages: list[str]) -> ReviewWindow:
    win = ReviewWindow(reviewed, "alice", "bob")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win


def press(qtbot, window: ReviewWindow, key, modifier=Qt.NoModifier) -> None:
    qtbot.keyClick(window.disagreement_view, key, modifier)


def gold(project: Project, doc_id: str = "nk-troops-kursk") -> list[tuple[int, int, str]]:
    return [s.key for s in project.spans(doc_id, GOLD_LAYER)]


def test_open_review_asks_for_the_pair_and_opens_the_window(
    qtbot, reviewed: Project, messages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[list[str]] = []

    def ask(cls, parent, names):
        asked.append(list(names))
        return ("alice", "bob")

    monkeypatch.setattr(AnnotatorPairDialog, "ask", classmethod(ask))
    open_review(parent, reviewed)
    win = parent.findChild(ReviewWindow)
    assert win is not None
    assert asked == [["alice", "bob"]]
    assert win.isVisible()
    assert win.session.doc_ids == ["nk-troops-kursk", "second", "quiet"]
    assert "alice (A) vs bob (B)" in win.windowTitle()
    win.close()


def test_open_review_cancelled_or_impossible(
    qtbot, project: Project, messages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    open_review(parent, project)
    assert "no annotations yet" in messages[-1]
    project.add_documents([DocumentInput("d1", "One.", "D1"), DocumentInput("d2", "Two.", "D2")])
    project.add_span("d1", "alice", 0, 3, "actor")
    project.add_span("d2", "bob", 0, 3, "actor")
    monkeypatch.setattr(AnnotatorPairDialog, "ask", classmethod(lambda cls, parent, names: None))
    open_review(parent, project)
    assert parent.findChild(ReviewWindow) is None
    monkeypatch.setattr(AnnotatorPairDialog, "ask", classmethod(lambda cls, parent, names: ("alice", "bob")))
    open_review(parent, project)
    assert parent.findChild(ReviewWindow) is None
    assert messages[-1] == "There are no documents annotated by both alice and bob."


def test_pair_dialog_refuses_the_same_annotator_twice(qtbot) -> None:
    dialog = AnnotatorPairDialog(["alice", "bob", "carol"])
    qtbot.addWidget(dialog)
    assert dialog.pair() == ("alice", "bob")
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.second.setCurrentIndex(0)
    assert not ok.isEnabled()
    assert dialog.problem.text() == "Choose two different annotators."


def test_figures_tables_confusion_and_chart(window: ReviewWindow) -> None:
    agreement = window.session.agreement
    overall = agreement.overall
    assert window.figures.figure_labels[("all", "exact")].text() == format_number(overall.exact.f1)
    assert window.figures.figure_labels[("all", "alpha_u")].text() == format_number(overall.alpha_u)
    doc = agreement.per_document["nk-troops-kursk"]
    assert window.figures.figure_labels[("doc", "exact")].text() == "0.737"
    assert window.figures.figure_labels[("doc", "char_kappa")].text() == format_number(doc.char_kappa)
    assert window.figures.label_model.rowCount() == 4
    assert window.figures.label_model.index(0, 0).data() == "actor"
    assert window.figures.label_model.index(0, 5).data() == format_number(
        agreement.labels["actor"].exact.f1, 2
    )
    labels = agreement.confusion.labels
    assert window.figures.confusion_model.rowCount() == len(labels)
    d, c = labels.index("denial"), labels.index("claim")
    assert window.figures.confusion_model.index(d, c).data() == "1"
    assert (
        window.figures.confusion_model.index(d, c).data(Qt.BackgroundRole)
        != window.figures.confusion_model.PAPER
    )
    assert [name for name, _ in window.figures.chart.values()] == list(agreement.labels)
    assert window.documents_model.index(0, 1).data() == "0.74"
    assert window.documents_model.index(0, 2).data() == "0/7"


def test_undefined_figures_read_n_a(qtbot, window: ReviewWindow) -> None:
    window.select_document("quiet")
    assert window.session.doc_id == "quiet"
    for key in ("exact", "lenient", "char_kappa", "char_alpha", "alpha_u"):
        assert window.figures.figure_labels[("doc", key)].text() == "n/a"
    assert window.documents_model.index(2, 1).data() == "n/a"
    assert window.documents_model.index(2, 2).data() == "—"
    assert window.disagreement_model.rowCount() == 0
    assert "No disagreements" in window.kind_label.text()


def test_walk_every_disagreement_with_the_keyboard(qtbot, window: ReviewWindow) -> None:
    total = window.session.progress.total
    assert total == 8
    seen = [(window.session.doc_id, window.current_row())]
    for _ in range(total - 1):
        press(qtbot, window, Qt.Key_N)
        seen.append((window.session.doc_id, window.current_row()))
    assert seen == [("nk-troops-kursk", i) for i in range(7)] + [("second", 0)]
    press(qtbot, window, Qt.Key_N)
    assert window.message_label.text() == "That was the last disagreement."
    press(qtbot, window, Qt.Key_P)
    assert (window.session.doc_id, window.current_row()) == ("nk-troops-kursk", 6)
    press(qtbot, window, Qt.Key_K)
    assert window.current_row() == 5
    press(qtbot, window, Qt.Key_J)
    assert window.current_row() == 6
    press(qtbot, window, Qt.Key_F8, Qt.ShiftModifier)
    assert window.current_row() == 5
    item = window.current_disagreement()
    assert window.text_view.selection_code_points() is None
    cursor = window.text_view.textCursor()
    assert window.text_view.offsets.to_code_point(cursor.position()) == item.start


def test_accept_a_b_both_neither_by_key_and_undo(qtbot, window: ReviewWindow, reviewed: Project) -> None:
    items = window.disagreement_model.items()
    first = items[0]  # label differs: denial (A) vs claim (B)
    assert window.current_row() == 0
    press(qtbot, window, Qt.Key_A)
    assert gold(reviewed) == [first.a]
    assert window.current_row() == 1  # moved on to the next undecided one
    assert window.disagreement_model.index(0, 4).data() == "✓ A"
    second = items[1]
    press(qtbot, window, Qt.Key_B)
    assert set(gold(reviewed)) == {first.a, second.b}
    third = items[2]
    press(qtbot, window, Qt.Key_T)
    assert set(gold(reviewed)) == {first.a, second.b, third.a, third.b}
    press(qtbot, window, Qt.Key_X)
    assert len(gold(reviewed)) == 4
    assert window.session.progress.resolved == 4
    assert window.documents_model.index(0, 2).data() == "4/7"
    assert "4 / 8 decided" in window.progress_bar.format()

    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)  # undo "neither"
    assert window.session.progress.resolved == 3
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)  # undo "both"
    assert set(gold(reviewed)) == {first.a, second.b}
    assert window.current_disagreement() == third
    press(qtbot, window, Qt.Key_Z, Qt.ShiftModifier | Qt.ControlModifier)  # redo "both"
    assert set(gold(reviewed)) == {first.a, second.b, third.a, third.b}
    assert adj.progress(reviewed, window.session.doc_ids, "alice", "bob").resolved == 3


def test_changing_a_decision_and_undo_restores_the_first(
    qtbot, window: ReviewWindow, reviewed: Project
) -> None:
    first = window.disagreement_model.item(0)
    press(qtbot, window, Qt.Key_A)
    window.select_disagreement(0)
    press(qtbot, window, Qt.Key_B)
    assert gold(reviewed) == [first.b]
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert gold(reviewed) == [first.a]
    assert window.disagreement_model.index(0, 4).data() == "✓ A"


def test_accept_all_agreed_in_one_step(qtbot, window: ReviewWindow, reviewed: Project) -> None:
    press(qtbot, window, Qt.Key_G)
    assert len(gold(reviewed)) == 14
    assert "Copied 14 agreed span(s)" in window.message_label.text()
    press(qtbot, window, Qt.Key_G)
    assert "already has every span" in window.message_label.text()
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert gold(reviewed) == []


def test_edit_puts_the_selected_text_in_gold_with_the_label_key(
    qtbot, window: ReviewWindow, reviewed: Project
) -> None:
    window.select_disagreement(1)  # boundary: "Vassily Nebenzia" vs "Russian Ambassador Vassily Nebenzia"
    item = window.current_disagreement()
    press(qtbot, window, Qt.Key_E)
    assert window.text_view.hasFocus()
    assert window.text_view.selection_code_points() == (item.start, item.end)
    # Shrink the selection by nine characters from the left: "Ambassador Vassily Nebenzia".
    window.text_view.select_range(item.start + len("Russian "), item.end)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    text = reviewed.document_text("nk-troops-kursk")
    (span,) = gold(reviewed)
    assert text[span[0] : span[1]] == "Ambassador Vassily Nebenzia"
    assert span[2] == "actor"
    record = adj.decisions(reviewed, "nk-troops-kursk", "alice", "bob")[(item.a, item.b)]
    assert record.decision is adj.Decision.EDIT
    qtbot.keyClick(window.text_view, Qt.Key_9)
    assert window.message_label.text() == "No label has the key 9."
    # The digit works with the focus in the disagreement list too, once text is selected.
    window.select_disagreement(3)  # only A: "nearly double"
    item = window.current_disagreement()
    window.text_view.select_range(item.start, item.end)
    press(qtbot, window, Qt.Key_4)
    assert (item.start, item.end, "number") in gold(reviewed)


def test_a_full_adjudication_by_keyboard_reaches_100_percent(
    qtbot, window: ReviewWindow, reviewed: Project
) -> None:
    press(qtbot, window, Qt.Key_G)
    for _ in range(window.session.progress.total):
        press(qtbot, window, Qt.Key_A)
        if (
            window.session.progress.per_document[window.session.doc_id][0]
            == window.session.progress.per_document[window.session.doc_id][1]
        ):
            press(qtbot, window, Qt.Key_N)
            press(qtbot, window, Qt.Key_G)
    assert window.session.progress.done
    assert window.progress_bar.value() == window.progress_bar.maximum()
    alice = {s.key for s in reviewed.spans("nk-troops-kursk", "alice")}
    assert set(gold(reviewed)) == alice
    assert set(gold(reviewed, "second")) == {s.key for s in reviewed.spans("second", "alice")}


def test_models_pass_the_model_tester(qtmodeltester, window: ReviewWindow) -> None:
    # Fresh models filled like the window's: the window (and its models) is deleted on close.
    documents = DocumentFiguresModel()
    documents.set_documents(
        [(doc_id, doc_id) for doc_id in window.session.doc_ids],
        window.session.agreement.per_document,
        window.session.progress.per_document,
    )
    disagreements = DisagreementModel()
    disagreements.set_names("alice", "bob")
    disagreements.set_disagreements(
        window.disagreement_model.items(),
        window.session.project.document_text("nk-troops-kursk"),
        {},
        window.session.colors,
    )
    labels = LabelFiguresModel()
    labels.set_figures(window.session.agreement.labels, window.session.colors)
    confusion = ConfusionModel()
    confusion.set_confusion(window.session.agreement.confusion)
    for model in (documents, disagreements, labels, confusion):
        qtmodeltester.check(model, force_py=True)


def test_text_view_offsets_with_astral_characters_and_crlf(qtbot) -> None:
    view = ReviewTextView()
    qtbot.addWidget(view)
    text = "A 🙂 smile\r\nthen 👍🏽 Kim met Putin."
    view.set_text(text)
    start = text.index("Kim")
    view.select_range(start, start + 3)
    assert view.selection_code_points() == (start, start + 3)
    assert view.textCursor().selectedText() == "Kim"


def test_chart_paints_undefined_values(qtbot) -> None:
    chart = F1Chart()
    qtbot.addWidget(chart)
    chart.resize(300, 120)
    chart.set_values([("actor", "#0072B2", 0.5, 0.75), ("claim", "#E69F00", None, None)])
    chart.show()
    qtbot.waitExposed(chart)
    assert not chart.grab().isNull()
    assert chart.values() == [("actor", 0.5), ("claim", None)]


def test_lanes_keep_overlapping_spans_apart() -> None:
    assert lanes([(0, 10, "a"), (2, 4, "b"), (5, 8, "c"), (12, 14, "d"), (3, 6, "e")]) == [0, 1, 1, 0, 2]
    assert lanes([]) == []


def test_undo_goes_back_to_the_document_it_changes(qtbot, window: ReviewWindow, reviewed: Project) -> None:
    first = window.disagreement_model.item(0)
    press(qtbot, window, Qt.Key_A)
    window.select_document("second")
    assert window.session.doc_id == "second"
    press(qtbot, window, Qt.Key_X)
    assert window.session.progress.resolved == 2
    assert window.documents_model.index(1, 2).data() == "1/1"
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert window.session.doc_id == "nk-troops-kursk"
    assert window.current_disagreement() == first
    assert gold(reviewed) == []
    assert window.session.progress.resolved == 0
    assert window.session.progress == adj.progress(reviewed, window.session.doc_ids, "alice", "bob")


def test_save_report_writes_html_and_markdown(
    qtbot, window: ReviewWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("report.html", "report.md"):
        target = tmp_path / name
        monkeypatch.setattr(
            review.ReportPathDialog, "ask", classmethod(lambda cls, parent, s, target=target: target)
        )
        assert window.save_report() == target
        text = target.read_text(encoding="utf-8")
        assert "alice" in text
        assert "bob" in text
        assert "0.737" in text
    monkeypatch.setattr(review.ReportPathDialog, "ask", classmethod(lambda cls, parent, s: None))
    assert window.save_report() is None


def test_save_report_failure_is_reported(
    qtbot, window: ReviewWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: list[str]
) -> None:
    monkeypatch.setattr(
        review.ReportPathDialog, "ask", classmethod(lambda cls, parent, s: tmp_path / "report.pdf")
    )
    assert window.save_report() is None
    assert messages
    assert "report.pdf" in messages[-1]


def test_a_failed_undo_keeps_the_stack_in_step_with_the_file(
    qtbot, window: ReviewWindow, reviewed: Project, monkeypatch: pytest.MonkeyPatch, messages: list[str]
) -> None:
    from annotator.core.errors import ProjectError

    first = window.disagreement_model.items()[0]
    press(qtbot, window, Qt.Key_A)
    assert gold(reviewed) == [first.a]

    real_revert = adj.revert

    def failing_revert(project, change):
        raise ProjectError("disk full")

    monkeypatch.setattr(review.adj, "revert", failing_revert)
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert any("disk full" in m for m in messages)
    assert gold(reviewed) == [first.a]  # nothing changed in the file ...
    qtbot.waitUntil(lambda: window.session.undo_stack.index() == 1)  # ... and the stack says so again
    assert gold(reviewed) == [first.a]  # stepping back did not perform the decision twice

    monkeypatch.setattr(review.adj, "revert", real_revert)
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)  # trying again works
    assert gold(reviewed) == []
    assert window.session.undo_stack.index() == 0


# -- the window on a laptop screen, and its lifecycle (issue 11) ------------------------------

CONTROLS = (
    "previousButton",
    "nextButton",
    "acceptAButton",
    "acceptBButton",
    "bothButton",
    "neitherButton",
    "editButton",
    "acceptAgreedButton",
)


def fitting_problems(win: QWidget) -> list[str]:
    """Every named control on screen, whole: inside the window, not cut by a parent, its text
    not squeezed; the Decision column and the adjudication counter too."""
    problems = []
    named = [win.findChild(QToolButton, name) for name in CONTROLS]
    for control in [*named, win.progress_bar]:
        rect = QRect(control.mapTo(win, QPoint(0, 0)), control.size())
        if not control.isVisible() or not win.rect().contains(rect):
            problems.append(f"{control.objectName()} outside the window: {rect}")
        elif control.visibleRegion().boundingRect() != control.rect():
            problems.append(f"{control.objectName()} cut by its parent")
        elif control.width() < control.sizeHint().width():
            problems.append(f"{control.objectName()} squeezed to {control.width()}")
    view = win.disagreement_view
    header = view.horizontalHeader()
    right = header.sectionViewportPosition(4) + header.sectionSize(4)
    if right > view.viewport().width() or header.sectionSize(4) < header.sectionSizeHint(4):
        problems.append(f"the Decision column is cut: {right} > {view.viewport().width()}")
    return problems


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)])
def test_the_review_window_fits_a_laptop_screen(
    qtbot, reviewed: Project, messages: list[str], monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    available = QRect(0, 0, *size)
    monkeypatch.setattr("annotator.gui.windows.available_geometry", lambda _window: available)
    win = ReviewWindow(reviewed, "alice", "bob")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert available.contains(win.frameGeometry())  # its first size fits the screen
    assert fitting_problems(win) == []
    press(qtbot, win, Qt.Key_X)  # a decision widens the Decision column ("✓ neither")
    assert fitting_problems(win) == []
    win.resize(available.size())  # maximised on that screen
    qtbot.waitUntil(lambda: win.size() == available.size())
    assert fitting_problems(win) == []


def test_a_maximised_window_keeps_a_readable_text_column(qtbot, window: ReviewWindow) -> None:
    from annotator.gui.textview import COLUMN_EMS

    window.resize(2560, 1400)
    qtbot.waitUntil(lambda: window.text_view.viewport().width() > 1400)
    view = window.text_view
    column = COLUMN_EMS * QFontInfo(view.document().defaultFont()).pixelSize()
    widest = max(
        block.layout().lineAt(i).naturalTextWidth()
        for block in (view.document().findBlockByNumber(n) for n in range(view.document().blockCount()))
        for i in range(block.layout().lineCount())
    )
    assert widest <= column < view.viewport().width()


def test_escape_leaves_edit_mode_then_closes_the_window(
    qtbot, reviewed: Project, messages: list[str], reviewed_gold_is_empty: None
) -> None:
    win = ReviewWindow(reviewed, "alice", "bob")  # closed by the test: not handed to qtbot
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    press(qtbot, win, Qt.Key_E)
    assert win.editing
    assert win.text_view.selection_range() is not None
    qtbot.keyClick(win.text_view, Qt.Key_Escape)
    assert not win.editing
    assert win.message_label.text() == "Left edit mode; nothing was decided."
    assert win.text_view.selection_range() is None
    assert win.isVisible()
    assert gold(reviewed) == []
    press(qtbot, win, Qt.Key_Escape)  # not editing: Esc closes
    assert win.closing
    again = ReviewWindow(reviewed, "alice", "bob")
    again.show()
    qtbot.waitExposed(again)
    again.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is again)
    qtbot.keyClick(again.disagreement_view, Qt.Key_W, Qt.ControlModifier)
    assert again.closing


@pytest.fixture
def reviewed_gold_is_empty(reviewed: Project) -> None:
    assert gold(reviewed) == []


def test_switching_project_closes_the_review_window(
    qtbot,
    make_window,
    reviewed: Project,
    messages: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    errors,
) -> None:
    from annotator.gui import mainwindow

    main = make_window(reviewed)
    monkeypatch.setattr(AnnotatorPairDialog, "ask", classmethod(lambda cls, parent, names: ("alice", "bob")))
    qtbot.keyClick(main.text_view, Qt.Key_R, Qt.ControlModifier)
    (win,) = main.review_windows()
    other = Project.open(tmp_path / "other.db")
    other.add_documents([DocumentInput("o", "Another project's text.", "Other")])
    other.close()
    monkeypatch.setattr(
        mainwindow.ProjectFileDialog, "ask_open", classmethod(lambda cls, _p: tmp_path / "other.db")
    )
    qtbot.keyClick(main.text_view, Qt.Key_O, Qt.ControlModifier)
    assert main.project.path == tmp_path / "other.db"
    assert win.closing
    assert main.review_windows() == []
    assert "review window" in main.statusBar().currentMessage()
    assert errors == []
    main.text_view.select_range(0, 7)
    qtbot.keyClick(main.text_view, Qt.Key_1)  # the window works on the new project
    assert [s.label for s in main.project.spans("o", "alice")] == ["actor"]
