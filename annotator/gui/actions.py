"""A window's commands as one table: it builds the actions, the menus and the shortcuts help.

Each command is one row (:class:`Command`): its name, menu text, shortcuts, menu and help text,
and the window method it runs. The same rows make the ``QAction`` objects, the menu bar, the
tooltips and Help → Keyboard shortcuts, so none of them can forget a command or tell a
different story about it (qutebrowser's command registry builds its help the same way).
Proposals, relations or any later feature add rows, not code in three places.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.literal import one_line, tooltip
from annotator.gui.windows import available_geometry

Key = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class Command:
    """One command of a window."""

    #: The action is ``window.<name>_action`` (and ``table.actions[name]``).
    name: str
    #: Menu text, with its "&" mnemonic; without "&" and "…" it names the command in the help.
    text: str
    #: The window method that runs it, called with ``args``; "" when it is bound elsewhere
    #: (undo and redo act on an undo stack).
    slot: str = ""
    keys: tuple[Key, ...] = ()
    #: "&Edit", or "&Edit/Span &boundaries" for a submenu; "" for a command without a menu entry.
    menu: str = ""
    #: Tooltip and status tip.
    help: str = ""
    args: tuple[object, ...] = ()
    checkable: bool = False
    #: A separator before it in its menu.
    separator: bool = False
    #: Listed under Help → Keyboard shortcuts (when it has keys).
    in_help: bool = True
    #: Its keys work only while this widget of the window has the focus (the window adds the
    #: action to ``window.<widget>``): Enter and X act on proposals in the article, never in a
    #: text field. "" for the whole window.
    widget: str = ""

    @property
    def title(self) -> str:
        """The command's name as the help lists it: "Undo", "Label all occurrences"."""
        return self.text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


@dataclass(frozen=True)
class Submenu:
    """A menu the window fills itself (recent projects, labels): ``table.menus[name]``."""

    name: str
    text: str
    menu: str
    separator: bool = False


@dataclass(frozen=True)
class Keys:
    """A line of the shortcuts help that is not an action (the mouse, keys inside one widget)."""

    keys: str
    help: str


Row = Command | Submenu | Keys


def key_text(key: Key | QKeySequence) -> str:
    """How a key is written in menus and the help, on this platform ("Ctrl+Shift+Z")."""
    return QKeySequence(key).toString(QKeySequence.NativeText)


def _sequences(keys: Sequence[Key]) -> list[QKeySequence]:
    # A standard key is its platform's usual combination (Ctrl+F), not also the dedicated Find
    # key of some keyboards, which would only clutter the help.
    return [QKeySequence(key) for key in keys]


class ActionTable:
    """The actions and menus of one window, built from its rows."""

    def __init__(self, window: QMainWindow, rows: Sequence[Row]) -> None:
        # No reference to the window is kept: the window keeps the table, and a cycle between
        # them would keep a closed window's wrapper alive until the garbage collector runs.
        self.rows = list(rows)
        self.actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self._menu_bar = window.menuBar()
        for row in self.rows:
            if isinstance(row, Command):
                self.actions[row.name] = self._action(window, row)

    def _action(self, window: QMainWindow, command: Command) -> QAction:
        action = QAction(command.text, window)
        action.setObjectName(f"{command.name}Action")
        action.setShortcuts(_sequences(command.keys))
        action.setShortcutContext(Qt.WidgetShortcut if command.widget else Qt.WindowShortcut)
        if command.help:
            keys = ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts())
            action.setToolTip(tooltip(f"{command.help} ({keys})" if keys else command.help))
            action.setStatusTip(command.help)
        action.setCheckable(command.checkable)
        if command.slot:
            slot: Callable[..., object] = getattr(window, command.slot)
            # A checkable action reports every change of state, from a click or from code.
            if command.checkable:
                action.toggled.connect(slot)
            else:
                action.triggered.connect(lambda _checked=False, slot=slot, args=command.args: slot(*args))
        window.addAction(action)
        setattr(window, f"{command.name}_action", action)
        return action

    def bind_widgets(self, window: QMainWindow) -> None:
        """Add each widget-scoped action to its widget (built after the table)."""
        for row in self.rows:
            if isinstance(row, Command) and row.widget:
                getattr(window, row.widget).addAction(self.actions[row.name])

    def build_menus(self) -> None:
        """The menu bar: menus and submenus in the order of the rows."""
        bar = self._menu_bar
        for row in self.rows:
            if isinstance(row, Keys) or not row.menu:
                continue
            menu = self._menu(bar, row.menu)
            if row.separator:
                menu.addSeparator()
            if isinstance(row, Submenu):
                self.menus[row.name] = menu.addMenu(row.text)
            else:
                menu.addAction(self.actions[row.name])

    def _menu(self, bar: QWidget, path: str) -> QMenu:
        menu = self.menus.get(path)
        if menu is None:
            parent, _, name = path.rpartition("/")
            owner = self._menu(bar, parent) if parent else bar
            menu = owner.addMenu(name)
            self.menus[path] = menu
        return menu

    def shortcut_rows(self, extra: Sequence[Keys] = ()) -> list[tuple[str, str]]:
        """(keys, command) for Help → Keyboard shortcuts: every row with keys, in table order;
        ``extra`` (the label keys) after the first line."""
        rows: list[tuple[str, str]] = []
        for row in self.rows:
            if isinstance(row, Keys):
                rows.append((row.keys, row.help))
                if len(rows) == 1:
                    rows.extend((k.keys, k.help) for k in extra)
            elif isinstance(row, Command) and row.in_help:
                keys = ", ".join(
                    s.toString(QKeySequence.NativeText) for s in self.actions[row.name].shortcuts()
                )
                if keys:
                    rows.append((keys, row.title))
        return rows


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every shortcut of a window, each row whole."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutsDialog")
        layout = QVBoxLayout(self)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Keys", "Command"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.setSelectionMode(QTableWidget.NoSelection)
        table.setWordWrap(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        for row, (keys, action) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(one_line(action)))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        table.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table = table
        # Wide enough for every row whole, as tall as the screen allows (then it scrolls).
        table.resizeColumnsToContents()
        scroll = table.verticalScrollBar().sizeHint().width()
        width = sum(table.columnWidth(c) for c in range(2)) + 2 * table.frameWidth() + scroll + 24
        height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(rows)))
        screen = available_geometry(parent) if parent is not None else None
        most = screen.size() * 0.9 if screen is not None else None
        width = min(width + 24, most.width()) if most is not None else width + 24
        height = height + 2 * table.frameWidth() + buttons.sizeHint().height() + 40
        height = min(height, most.height()) if most is not None else height
        self.resize(width, height)
