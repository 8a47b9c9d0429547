"""The review window's commands: one row each, in menu order (see :mod:`annotator.gui.actions`),
and the decision bar's buttons."""

from __future__ import annotations

from annotator.core.adjudication import Decision
from annotator.gui.actions import Command, Keys

REVIEW, EDIT, VIEW, HELP = "&Review", "&Edit", "&View", "&Help"

COMMANDS = (
    Keys("1 … 9, 0 (text selected)", "Decide as an edit: the selected text goes into gold with that label"),
    Command(
        "previous",
        "&Previous disagreement",
        "step_disagreement",
        ("P", "K", "Shift+F8"),
        REVIEW,
        "Previous disagreement",
        args=(-1,),
    ),
    Command(
        "next",
        "&Next disagreement",
        "step_disagreement",
        ("N", "J", "F8"),
        REVIEW,
        "Next disagreement (then the next document's)",
        args=(1,),
    ),
    Command(
        "accept_a",
        "Accept &A",
        "decide",
        ("A",),
        REVIEW,
        "Put A's span in gold",
        args=(Decision.A,),
        separator=True,
    ),
    Command("accept_b", "Accept &B", "decide", ("B",), REVIEW, "Put B's span in gold", args=(Decision.B,)),
    Command("both", "Bo&th", "decide", ("T",), REVIEW, "Take both spans into gold", args=(Decision.BOTH,)),
    Command(
        "neither", "Ne&ither", "decide", ("X",), REVIEW, "Put neither span in gold", args=(Decision.NEITHER,)
    ),
    Command(
        "edit",
        "&Edit",
        "start_edit",
        ("E",),
        REVIEW,
        "Select the disagreement's text to adjust it; a label key (1–9, 0) then puts it in gold",
    ),
    Command(
        "agreed",
        "Accept all a&greed",
        "accept_all_agreed",
        ("G",),
        REVIEW,
        "Copy every span both annotators agree on in this document into gold",
    ),
    Command(
        "next_document",
        "Next d&ocument",
        "step_document",
        ("Ctrl+PgDown",),
        REVIEW,
        "Next document",
        args=(1,),
        separator=True,
    ),
    Command(
        "previous_document",
        "Previous doc&ument",
        "step_document",
        ("Ctrl+PgUp",),
        REVIEW,
        "Previous document",
        args=(-1,),
    ),
    Command(
        "report",
        "&Save report…",
        "save_report",
        ("Ctrl+S",),
        REVIEW,
        "Write the figures, per-label table and confusion matrix to an HTML or Markdown file",
        separator=True,
    ),
    Command(
        "close", "&Close review", "close", ("Ctrl+W",), REVIEW, "Close the review window", separator=True
    ),
    Keys("Esc", "Leave edit mode (or drop the selection); else close the review window"),
    Command("escape", "Leave edit mode or close", "escape", ("Esc",), in_help=False),
    Command("undo", "&Undo", "", ("Ctrl+Z",), EDIT, "Undo the last decision"),
    Command("redo", "&Redo", "", ("Ctrl+Shift+Z", "Ctrl+Y"), EDIT, "Redo what was undone"),
    Command("zoom_in", "Zoom &in", "zoom", ("Ctrl++", "Ctrl+="), VIEW, "Larger text", args=(1,)),
    Command("zoom_out", "Zoom &out", "zoom", ("Ctrl+-",), VIEW, "Smaller text", args=(-1,)),
    Command("zoom_reset", "&Reset zoom", "zoom", ("Ctrl+0",), VIEW, "Default text size", args=(0,)),
    Command("shortcuts", "&Keyboard shortcuts", "show_shortcuts", ("F1",), HELP, "Every keyboard shortcut"),
)
#: The decision bar: (command, button object name).
BUTTONS = (
    ("previous", "previousButton"),
    ("next", "nextButton"),
    ("accept_a", "acceptAButton"),
    ("accept_b", "acceptBButton"),
    ("both", "bothButton"),
    ("neither", "neitherButton"),
    ("edit", "editButton"),
    ("agreed", "acceptAgreedButton"),
)
