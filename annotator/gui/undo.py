"""The undo step of both windows, and undo/redo actions that keep a fixed name.

Undo commands are thin (orange-canvas-core's ``document/commands.py``): ``redo`` performs one
core operation again, ``undo`` its inverse. The step has already been performed (and checked)
before it is pushed, so the first ``redo``, run by ``QUndoStack.push``, does nothing: an
exception must never escape from a Qt virtual method, so the operations report their own
failures and return False.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QUndoCommand, QUndoGroup, QUndoStack

from annotator.gui.literal import mnemonic_safe


class StepCommand(QUndoCommand):
    """One undoable step: ``forward`` performs it again, ``backward`` reverts it; each returns
    False when its write failed (and has said so).

    When a write fails, the stack's index is moved back on the next turn of the event loop, so
    that it matches the project file again and the user can simply try again; the command skips
    that move.
    """

    def __init__(
        self,
        text: str,
        forward: Callable[[], bool],
        backward: Callable[[], bool],
        stack: Callable[[], QUndoStack | None],
    ) -> None:
        # The text becomes "Undo …" in a menu: a label's "&" must not make a shortcut.
        super().__init__(mnemonic_safe(text))
        self._forward = forward
        self._backward = backward
        self._stack = stack
        self._done = True  # the operation ran before the push
        self._undone = False  # a redo failed: the next undo only moves the index

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if not self._forward():
            self._undone = True
            self._step_back(redo=False)

    def undo(self) -> None:
        if self._undone:
            self._undone = False
            return
        if not self._backward():
            self._done = True
            self._step_back(redo=True)

    def _step_back(self, *, redo: bool) -> None:
        stack = self._stack()
        if stack is not None:
            QTimer.singleShot(0, stack, stack.redo if redo else stack.undo)


def bind_undo_actions(undo: QAction, redo: QAction, source: QUndoGroup | QUndoStack) -> None:
    """Make ``undo`` and ``redo`` (built from an action table, so the shortcuts help names them
    "Undo" and "Redo") act on ``source`` and show what they would undo, as a menu should.

    The state comes with the signals only: a stack being destroyed still emits them, and must
    not be asked anything then.
    """
    names = {undo: undo.text(), redo: redo.text()}
    state = {undo: [source.canUndo(), source.undoText()], redo: [source.canRedo(), source.redoText()]}

    def show(action: QAction, can: bool | None = None, what: str | None = None) -> None:
        if can is not None:
            state[action][0] = can
        if what is not None:
            state[action][1] = what
        can, what = state[action]
        action.setEnabled(can)
        action.setText(f"{names[action]} {what}" if can and what else names[action])

    undo.triggered.connect(source.undo)
    redo.triggered.connect(source.redo)
    source.canUndoChanged.connect(lambda can: show(undo, can=can))
    source.undoTextChanged.connect(lambda what: show(undo, what=what))
    source.canRedoChanged.connect(lambda can: show(redo, can=can))
    source.redoTextChanged.connect(lambda what: show(redo, what=what))
    show(undo)
    show(redo)
