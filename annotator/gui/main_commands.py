"""The main window's commands: one row each, in menu order (see :mod:`annotator.gui.actions`).

The label keys (1 … 9, 0) are not here: they come from the project's label set and are built
with it; the shortcuts help lists them after the first line.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from annotator.gui.actions import Command, Keys, Row, Submenu

FILE, EDIT, VIEW, DOCUMENT, HELP = "&File", "&Edit", "&View", "&Document", "&Help"
BOUNDARIES = f"{EDIT}/Span &boundaries"

COMMANDS: tuple[Row, ...] = (
    Keys("Shift+arrows, Ctrl+Shift+arrows, mouse drag", "Select text (keyboard or mouse)"),
    Keys("Click on a span", "Select it (click again to cycle through nested spans)"),
    Keys("Esc", "Clear the selection / close the find bar"),
    # File
    Command(
        "open",
        "&Open project…",
        "open_project_dialog",
        (QKeySequence.Open,),
        FILE,
        "Open another project file",
    ),
    Command(
        "new",
        "&New project…",
        "new_project_dialog",
        ("Ctrl+Shift+N",),
        FILE,
        "Create a new, empty project file",
    ),
    Submenu("recent", "Open &recent", FILE),
    Command(
        "import",
        "&Import…",
        "import_documents",
        ("Ctrl+I",),
        FILE,
        "Import documents or annotations into this project",
        separator=True,
    ),
    Command(
        "export",
        "&Export…",
        "export_documents",
        ("Ctrl+Shift+E",),
        FILE,
        "Export the corpus in a training format",
    ),
    Command(
        "annotator",
        "Change &annotator…",
        "change_annotator",
        (),
        FILE,
        "Set the name your spans are saved under",
        separator=True,
    ),
    Command("quit", "&Quit", "close", ("Ctrl+Q",), FILE, "Close the window", separator=True),
    # Edit
    Command("undo", "&Undo", "", ("Ctrl+Z",), EDIT, "Undo the last change"),
    Command("redo", "&Redo", "", ("Ctrl+Shift+Z", "Ctrl+Y"), EDIT, "Redo what was undone"),
    Submenu("label", "&Label selection as", EDIT, separator=True),
    Command(
        "label_all",
        "Label &all occurrences…",
        "label_all_menu",
        ("Ctrl+L",),
        EDIT,
        "Label every occurrence of the selected text (or the find text) in one undoable step",
    ),
    Command(
        "delete",
        "&Delete span",
        "delete_selected_span",
        ("Delete", "Backspace"),
        EDIT,
        "Delete the selected span",
    ),
    Command("note", "Edit &note…", "edit_note", ("Ctrl+E",), EDIT, "Attach a note to the selected span"),
    Command(
        "grow_start",
        "Extend span start",
        "adjust_span",
        ("Alt+Shift+Left",),
        BOUNDARIES,
        "Move the selected span's start one character left",
        args=(-1, 0),
    ),
    Command(
        "shrink_start",
        "Shrink span start",
        "adjust_span",
        ("Alt+Shift+Right",),
        BOUNDARIES,
        "Move the selected span's start one character right",
        args=(1, 0),
    ),
    Command(
        "shrink_end",
        "Shrink span end",
        "adjust_span",
        ("Alt+Left",),
        BOUNDARIES,
        "Move the selected span's end one character left",
        args=(0, -1),
    ),
    Command(
        "grow_end",
        "Extend span end",
        "adjust_span",
        ("Alt+Right",),
        BOUNDARIES,
        "Move the selected span's end one character right",
        args=(0, 1),
    ),
    Command("next_span", "Ne&xt span", "step_span", ("]",), EDIT, "Select the next span", args=(1,)),
    Command(
        "previous_span", "Pre&vious span", "step_span", ("[",), EDIT, "Select the previous span", args=(-1,)
    ),
    Command(
        "find",
        "&Find…",
        "open_find",
        (QKeySequence.Find,),
        EDIT,
        "Find text in this document",
        separator=True,
    ),
    Command("find_next", "Find &next", "find_step", ("F3",), EDIT, "Next match", args=(1,)),
    Command(
        "find_previous", "Find pre&vious", "find_step", ("Shift+F3",), EDIT, "Previous match", args=(-1,)
    ),
    Keys("Enter / Shift+Enter (in the find field)", "Next / previous match"),
    Command(
        "labels",
        "&Labels…",
        "edit_labels",
        (),
        EDIT,
        "Add, rename, recolour, reorder and re-key labels",
        separator=True,
    ),
    # View
    Command(
        "snap",
        "&Snap selections to words",
        "_snap_toggled",
        (),
        VIEW,
        "Widen selections to whole words and trim spaces and punctuation (quotes and brackets stay paired)",
        checkable=True,
    ),
    Command(
        "label_names",
        "Show label &names",
        "_label_names_toggled",
        (),
        VIEW,
        "Show each span's label name above it",
        checkable=True,
    ),
    Command(
        "zoom_in",
        "Zoom &in",
        "zoom",
        (QKeySequence.ZoomIn, "Ctrl+="),
        VIEW,
        "Larger text",
        args=(1,),
        separator=True,
    ),
    Command("zoom_out", "Zoom &out", "zoom", (QKeySequence.ZoomOut,), VIEW, "Smaller text", args=(-1,)),
    Command("zoom_reset", "&Reset zoom", "zoom", ("Ctrl+0",), VIEW, "Default text size", args=(0,)),
    Command(
        "focus",
        "Next &pane",
        "focus_next_pane",
        ("F6",),
        VIEW,
        "Move the keyboard focus to the next pane",
        separator=True,
    ),
    # Document
    Command(
        "done",
        "Mark &done",
        "toggle_done",
        ("Ctrl+D",),
        DOCUMENT,
        "Mark this document done (again: back to in progress)",
    ),
    Command(
        "done_next",
        "Mark done and go to &next unfinished",
        "done_and_next",
        ("Ctrl+Shift+D",),
        DOCUMENT,
        "Mark this document done and open the next unfinished one",
    ),
    Command(
        "next_unfinished",
        "Next &unfinished document",
        "next_unfinished",
        ("Ctrl+J",),
        DOCUMENT,
        "Open the next document you have not marked done",
    ),
    Command(
        "next_doc",
        "Ne&xt document",
        "step_document",
        ("Ctrl+PgDown",),
        DOCUMENT,
        "Open the next document the list shows",
        args=(1,),
        separator=True,
    ),
    Command(
        "previous_doc",
        "Pre&vious document",
        "step_document",
        ("Ctrl+PgUp",),
        DOCUMENT,
        "Open the previous document the list shows",
        args=(-1,),
    ),
    Command(
        "review",
        "&Review two annotators…",
        "open_review",
        ("Ctrl+R",),
        DOCUMENT,
        "Compare two annotators' layers and adjudicate",
        separator=True,
    ),
    # Help
    Command(
        "shortcuts",
        "&Keyboard shortcuts",
        "show_shortcuts",
        (QKeySequence.HelpContents,),
        HELP,
        "Every keyboard shortcut",
    ),
    Command("about", "&About Annotator", "show_about", (), HELP, "Version and licence"),
)
