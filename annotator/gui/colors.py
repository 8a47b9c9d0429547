"""Every colour the two windows use, and the one way they mix a label's colour into a tint.

Label colours are the user's (the project's label set); everything derived from them — the
tint behind a span, the pale bar of an agreed span, the find highlight that must stand apart
from all of them — is computed here, for a light or a dark palette.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor, QPalette

#: A label the project no longer has (a layer imported with it, a deleted label).
UNKNOWN_LABEL = "#888888"
#: Messages and marks that say something went wrong, or is missing.
ERROR = "#C0392B"
#: Something is done and fine (a decided disagreement, a document without disagreements).
GOOD = "#1B7F45"
#: Something still waits for the user (an undecided disagreement).
PENDING = "#9A5B00"
#: Table rows that are decided, on a light base.
DECIDED_BACKGROUND = "#E7F4EA"
#: The confusion matrix: counts on the diagonal (agreement) and off it (confusion).
AGREE = "#1B9E5A"
DISAGREE = "#D1495B"
#: The document list's status column, (on a light base, on a dark base).
IN_PROGRESS = ("#9A6A00", "#E8B84A")
DONE = ("#1B7F3B", "#6FD08C")

#: How much of the label colour a span's tint takes, by nesting depth (1, 2, 3+).
TINT_LIGHT = (0.22, 0.34, 0.44)
TINT_DARK = (0.30, 0.42, 0.52)

#: Find highlights to choose from, most familiar first: (match, current match) on a light
#: base, then on a dark one. Saturated, so that they never read as a pale span tint.
FIND_CHOICES = (
    (("#FFE34D", "#FFB800"), ("#8A7300", "#B89A00")),  # yellow
    (("#9CF0FF", "#2EC8E6"), ("#00606E", "#008EA3")),  # cyan
    (("#C9B8FF", "#8F6CFF"), ("#4B3A8F", "#6A52C7")),  # violet
    (("#C8F27A", "#8CC63F"), ("#4E6B12", "#6D9419")),  # lime
    (("#FFB3E6", "#FF66CC"), ("#7A2A60", "#A6397F")),  # pink
)
#: Hue distance (degrees) at which a find highlight is told apart from a label at a glance.
FIND_HUE_DISTANCE = 45


def mix(color: QColor, base: QColor, amount: float) -> QColor:
    """``amount`` (0…1) of ``color`` over ``base``: light tints on a light base, dark on dark."""
    amount = max(0.0, min(1.0, amount))
    return QColor(
        round(base.red() + (color.red() - base.red()) * amount),
        round(base.green() + (color.green() - base.green()) * amount),
        round(base.blue() + (color.blue() - base.blue()) * amount),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.Base).lightness() < 128


def tint(color: QColor | str, palette: QPalette, depth: int = 1) -> QColor:
    """The background of text inside ``depth`` nested spans of a label with ``color``."""
    levels = TINT_DARK if is_dark(palette) else TINT_LIGHT
    return mix(QColor(color), palette.color(QPalette.Base), levels[max(1, min(depth, 3)) - 1])


def pale(color: QColor | str, share: float, palette: QPalette | None = None) -> QColor:
    """``color`` faded toward the base (white without a palette): agreed bars, lenient F1."""
    base = palette.color(QPalette.Base) if palette is not None else QColor("#FFFFFF")
    return mix(QColor(color), base, share)


def readable_text_on(color: QColor) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())
    )
    return "#000000" if luminance > 0.35 else "#FFFFFF"


def status_color(pair: tuple[str, str], palette: QPalette) -> QColor:
    """One of the (light, dark) status colours, for the palette in use."""
    return QColor(pair[1] if is_dark(palette) else pair[0])


def _hue_distance(a: QColor, b: QColor) -> float:
    difference = abs(a.hslHue() - b.hslHue()) % 360
    return min(difference, 360 - difference)


def find_colors(label_colors: Iterable[QColor | str], dark: bool = False) -> tuple[QColor, QColor]:
    """(match, current match) highlight colours told apart from every label's colour.

    The most familiar choice (yellow) unless a label's hue is near it; then the choice farthest
    in hue from every label. Grey and black labels have no hue and never stand in the way.
    """
    hues = [QColor(c) for c in label_colors]
    hues = [c for c in hues if c.hslHue() >= 0 and c.hslSaturation() > 40]

    def nearest(choice: tuple[tuple[str, str], tuple[str, str]]) -> float:
        sample = QColor(choice[0][1])
        return min((_hue_distance(sample, label) for label in hues), default=180.0)

    good = [choice for choice in FIND_CHOICES if nearest(choice) >= FIND_HUE_DISTANCE]
    choice = good[0] if good else max(FIND_CHOICES, key=nearest)
    match, current = choice[1] if dark else choice[0]
    return QColor(match), QColor(current)
