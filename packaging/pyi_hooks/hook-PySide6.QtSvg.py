"""PyInstaller's own hook for PySide6.QtSvg, minus the Qt files the app does not use (qt_selection)."""

from PyInstaller.utils.hooks.qt import add_qt6_dependencies
from qt_selection import keep_hook_entry

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if keep_hook_entry(entry)]
datas = [entry for entry in datas if keep_hook_entry(entry)]
