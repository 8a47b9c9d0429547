"""Documents, status, restart, settings, labels and projects in the real window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.model import Status
from annotator.core.store import Project
from annotator.gui.settings import Settings
from tests.gui.conftest import project_with

LONG = "\n".join(f"Paragraph {i}: Robert Wood spoke about troops near Kursk again." for i in range(400))


def test_mark_done_and_jump_to_the_next_unfinished(make_window, tmp_path: Path, qtbot) -> None:
    project = project_with(tmp_path / "p.db", "first text", "second text", "third text")
    project.set_status("doc2", "alice", Status.DONE)
    window = make_window(project)
    assert window.session.doc_id == "doc1"
    qtbot.keyClick(window.text_view, Qt.Key_D, Qt.ControlModifier)
    assert project.status("doc1", "alice") is Status.DONE
    assert "2 of 3 done" in window.progress_label.text()
    assert "2/3 done" in window.status_counts.text()
    qtbot.keyClick(window.text_view, Qt.Key_J, Qt.ControlModifier)
    assert window.session.doc_id == "doc3"  # doc2 is done already
    qtbot.keyClick(window.text_view, Qt.Key_D, Qt.ControlModifier | Qt.ShiftModifier)
    assert project.status("doc3", "alice") is Status.DONE
    assert "Every document is done" in window.statusBar().currentMessage()
    qtbot.keyClick(window.text_view, Qt.Key_D, Qt.ControlModifier)  # toggles back
    assert project.status("doc3", "alice") is Status.IN_PROGRESS
    qtbot.keyClick(window.text_view, Qt.Key_PageDown, Qt.ControlModifier)
    assert window.session.doc_id == "doc1"
    qtbot.keyClick(window.text_view, Qt.Key_PageUp, Qt.ControlModifier)
    assert window.session.doc_id == "doc3"


def test_document_list_filters_by_status(make_window, tmp_path: Path, qtbot) -> None:
    project = project_with(tmp_path / "p.db", "one", "two", "three")
    project.set_status("doc2", "alice", Status.DONE)
    window = make_window(project)
    model = window.doc_view.model()
    assert model.rowCount() == 3
    window.status_filter.setCurrentIndex(window.status_filter.findData("done"))
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Document 2"
    window.status_filter.setCurrentIndex(window.status_filter.findData("unfinished"))
    assert model.rowCount() == 2
    assert window.settings.status_filter == "unfinished"
    index = model.index(1, 0)
    window.doc_view.clicked.emit(index)
    assert window.session.doc_id == "doc3"


def test_the_span_count_and_status_follow_edits(window, qtbot) -> None:
    text = window.session.text
    start = text.index("Robert Wood")
    window.text_view.select_range(start, start + 11)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    row = window.doc_model.row_of(window.session.doc_id)
    assert window.doc_model.index(row, 2).data() == 1
    assert "In progress" in window.doc_model.index(row, 1).data()


def test_restart_restores_document_and_position(tmp_path: Path, make_window, settings_path, qtbot) -> None:
    project = project_with(tmp_path / "p.db", "short one", LONG)
    window = make_window(project)
    window.open_document("doc2")
    qtbot.waitUntil(lambda: window.text_view.verticalScrollBar().maximum() > 0)
    window.text_view.restore_position(5000, 0)
    window.text_view.verticalScrollBar().setValue(window.text_view.verticalScrollBar().maximum() // 2)
    scroll = window.text_view.verticalScrollBar().value()
    cursor = window.text_view.textCursor().position()
    assert scroll > 0
    window.close()
    project.close()

    again = make_window(Project.open(tmp_path / "p.db"), settings_=Settings(settings_path))
    assert again.session.doc_id == "doc2"
    assert again.text_view.textCursor().position() == cursor
    qtbot.waitUntil(lambda: again.text_view.verticalScrollBar().value() == scroll)


def test_window_layout_and_view_settings_persist(tmp_path: Path, make_window, settings_path, qtbot) -> None:
    project = project_with(tmp_path / "p.db", "text")
    window = make_window(project)
    window.splitter.setSizes([200, 600, 400])
    sizes = window.splitter.sizes()
    qtbot.keyClick(window.text_view, Qt.Key_Plus, Qt.ControlModifier)
    qtbot.keyClick(window.text_view, Qt.Key_Plus, Qt.ControlModifier)
    assert window.text_view.zoom_steps == 2
    window.snap_action.setChecked(False)
    window.close()
    again = make_window(project, settings_=Settings(settings_path))
    assert again.splitter.sizes() == sizes
    assert again.text_view.zoom_steps == 2
    assert again.text_view.font().pointSize() == 14
    assert not again.snap_action.isChecked()
    qtbot.keyClick(again.text_view, Qt.Key_0, Qt.ControlModifier)
    assert again.text_view.zoom_steps == 0


def test_changing_the_annotator_shows_their_layer(window, qtbot, monkeypatch) -> None:
    text = window.session.text
    window.text_view.select_range(text.index("Kursk"), text.index("Kursk") + 5)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    monkeypatch.setattr("annotator.gui.mainwindow.AnnotatorDialog.ask", lambda *_a, **_k: "bob")
    window.annotator_action.trigger()
    assert window.session.annotator == "bob"
    assert window.settings.annotator == "bob"
    assert window.span_model.rowCount() == 0
    assert "bob" in window.status_annotator.text()
    window.text_view.select_range(text.index("Robert"), text.index("Robert") + 6)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    assert [s.annotator for s in window.project.spans(window.session.doc_id, "bob")] == ["bob"]
    assert len(window.project.spans(window.session.doc_id, "alice")) == 1


def test_label_set_editor_operations(window, qtbot) -> None:
    from annotator.gui.label_editor import LabelSetEditor

    text = window.session.text
    window.text_view.select_range(text.index("Kursk"), text.index("Kursk") + 5)
    qtbot.keyClick(window.text_view, Qt.Key_1)
    editor = LabelSetEditor(window.project, window)
    qtbot.addWidget(editor)
    assert editor.rename_label("actor", "person")
    assert [s.label for s in window.project.spans(window.session.doc_id, "alice")] == ["person"]
    assert editor.add_label("place")
    assert window.project.labels().get("place").hotkey == "5"
    assert editor.recolor_label("place", "#cc79a7")
    assert window.project.labels().get("place").color == "#CC79A7"
    assert editor.set_hotkey("place", "9")
    assert not editor.set_hotkey("claim", "9")  # taken: refused with a message
    assert "already used" in editor.error.text()
    assert editor.move_label("place", -1)
    assert window.project.labels().names == ["person", "claim", "denial", "place", "number"]
    assert not editor.delete_label("person")  # in use: must say what happens to its spans
    assert editor.delete_label("person", reassign_to="place")
    assert [s.label for s in window.project.spans(window.session.doc_id, "alice")] == ["place"]
    editor.accept()
    window._labels_changed(spans_changed=editor.spans_changed)
    assert list(window.label_bar.buttons) == ["claim", "denial", "place", "number"]
    assert window.span_model.index(0, 0).data() == "place"
    # The new hotkey works in the window.
    window.text_view.select_range(text.index("Robert"), text.index("Robert") + 6)
    qtbot.keyClick(window.text_view, Qt.Key_9)
    assert "place" in {s.label for s in window.project.spans(window.session.doc_id, "alice")}


def test_deleting_a_used_label_asks_what_to_do(window, qtbot, monkeypatch) -> None:
    from annotator.gui.label_editor import LabelSetEditor

    text = window.session.text
    window.text_view.select_range(text.index("Kursk"), text.index("Kursk") + 5)
    qtbot.keyClick(window.text_view, Qt.Key_3)
    editor = LabelSetEditor(window.project, window)
    qtbot.addWidget(editor)
    asked = []
    monkeypatch.setattr(
        "annotator.gui.label_editor.DeleteLabelDialog.ask",
        lambda _p, name, used, others: asked.append((name, used, others)) or ("delete", None),
    )
    editor.list.setCurrentRow(window.project.labels().names.index("denial"))
    editor.buttons["delete"].click()
    assert asked == [("denial", 1, ["actor", "claim", "number"])]
    assert "denial" not in window.project.labels()
    assert window.project.spans(window.session.doc_id, "alice") == []


def test_open_and_new_project(window, tmp_path: Path, monkeypatch, qtbot) -> None:
    other = project_with(tmp_path / "other.db", "another project's text")
    other.close()
    monkeypatch.setattr(
        "annotator.gui.mainwindow.ProjectFileDialog.ask_open",
        classmethod(lambda cls, _p: tmp_path / "other.db"),
    )
    window.open_action.trigger()
    assert window.project.path == tmp_path / "other.db"
    assert window.session.text == "another project's text"
    assert window.settings.recent_projects[0] == (tmp_path / "other.db").resolve()
    monkeypatch.setattr(
        "annotator.gui.mainwindow.ProjectFileDialog.ask_new", classmethod(lambda cls, _p: tmp_path / "new.db")
    )
    window.new_action.trigger()
    assert window.project.path == tmp_path / "new.db"
    assert window.session.document is None
    assert window.doc_model.rowCount() == 0
    window._fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()][:1] == [str((tmp_path / "other.db").resolve())]


def test_a_recent_project_that_was_deleted_is_not_recreated(window, tmp_path: Path, errors) -> None:
    gone = tmp_path / "gone" / "old.db"
    window.settings.add_recent_project(gone)
    before = window.project
    window._fill_recent_menu()
    action = next(a for a in window.recent_menu.actions() if a.text() == str(gone.resolve()))
    action.trigger()
    assert window.project is before
    assert errors
    assert "no longer exists" in errors[0][1]
    assert not gone.parent.exists()


def test_opening_a_foreign_file_is_refused_clearly(window, tmp_path: Path, monkeypatch, errors) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database at all, just text" * 10)
    monkeypatch.setattr(
        "annotator.gui.mainwindow.ProjectFileDialog.ask_open", classmethod(lambda cls, _p: bad)
    )
    before = window.project
    window.open_action.trigger()
    assert window.project is before
    assert errors
    assert "not an Annotator project" in errors[0][1]


def test_import_export_and_review_hooks(window, monkeypatch) -> None:
    import sys
    import types

    calls = []
    transfer = types.ModuleType("annotator.gui.transfer")
    transfer.import_interactively = lambda parent, project, annotator, write: (
        calls.append(("import", annotator)) or True
    )
    transfer.export_interactively = lambda parent, project, annotator, write: calls.append(
        ("export", annotator)
    )
    review = types.ModuleType("annotator.gui.review")
    review.open_review = lambda parent, project: calls.append(("review", project is window.project))
    monkeypatch.setitem(sys.modules, "annotator.gui.transfer", transfer)
    monkeypatch.setitem(sys.modules, "annotator.gui.review", review)
    window.import_action.trigger()
    window.export_action.trigger()
    window.review_action.trigger()
    assert calls == [("import", "alice"), ("export", "alice"), ("review", True)]


def test_help_lists_every_shortcut(window) -> None:
    rows = dict(window.shortcut_rows())
    for keys in (
        "1",
        "2",
        "3",
        "4",
        "Ctrl+Z",
        "Ctrl+Shift+Z, Ctrl+Y",
        "Ctrl+F",
        "F3",
        "Shift+F3",
        "Ctrl+D",
        "Ctrl+J",
    ):
        assert keys in rows, keys
    assert "Alt+Right" in rows
    assert "Del, Backspace" in rows or "Delete, Backspace" in rows
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Document", "&Suggestions", "&Help"]
    for action in window.findChildren(type(window.undo_action)):
        if (
            action.text()
            and not action.isSeparator()
            and action.menu() is None
            and action.shortcut().isEmpty()
        ):
            continue
    assert all(a.toolTip() for a in (window.find_action, window.done_action, window.label_all_action))


def test_first_start_asks_for_the_annotator_once(settings, monkeypatch) -> None:
    from annotator.gui import app

    monkeypatch.delenv(app.NAME_ENV, raising=False)
    asked = []
    monkeypatch.setattr(
        app.AnnotatorDialog, "ask", classmethod(lambda cls, *a, **k: asked.append(a) or "carol")
    )
    assert app.choose_annotator(settings) == "carol"
    assert app.choose_annotator(settings) == "carol"
    assert len(asked) == 1
    assert asked[0][1]  # offered a default: the OS user name


def test_the_docs_list_every_shortcut_of_both_windows(window) -> None:
    """docs/gui.md and docs/review.md tell what the windows' action tables hold."""
    from annotator.gui.actions import Command, key_text
    from annotator.gui.review_commands import COMMANDS as REVIEW_COMMANDS

    docs = Path(__file__).resolve().parents[2] / "docs"
    gui_md = (docs / "gui.md").read_text(encoding="utf-8")
    labels = {label.hotkey for label in window.project.labels()}
    for keys, _what in window.shortcut_rows():
        if keys not in labels:
            assert f"| {keys} |" in gui_md, keys
    review_md = (docs / "review.md").read_text(encoding="utf-8")
    for command in REVIEW_COMMANDS:
        if isinstance(command, Command) and command.in_help:
            for key in command.keys:
                assert f"`{key_text(key)}`" in review_md, key
