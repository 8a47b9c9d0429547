"""Where a window first appears: its preferred size, but never larger than the screen it is on."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Room left for the window manager's frame and title bar, which a window cannot measure
#: before it is shown.
FRAME_ALLOWANCE = QSize(16, 40)


def available_geometry(window: QWidget) -> QRect:
    """The free area (without panels and docks) of the screen the window is on."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)


def first_geometry(preferred: QSize, available: QRect) -> QRect:
    """``preferred`` shrunk to fit ``available`` (with room for a frame), centred on it."""
    width = max(320, min(preferred.width(), available.width() - FRAME_ALLOWANCE.width()))
    height = max(240, min(preferred.height(), available.height() - FRAME_ALLOWANCE.height()))
    corner = available.center() - QPoint(width // 2, height // 2)
    top = max(available.top(), corner.y() - FRAME_ALLOWANCE.height() // 4)
    return QRect(QPoint(max(available.left(), corner.x()), top), QSize(width, height))


def place(window: QWidget, preferred: QSize, available: QRect | None = None) -> None:
    """Give ``window`` its first size and position on its screen (or on ``available``)."""
    geometry = first_geometry(preferred, available if available is not None else available_geometry(window))
    window.resize(geometry.size())
    window.move(geometry.topLeft())
