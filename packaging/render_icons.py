#!/usr/bin/env python3
"""Render the app icon's PNGs in the freedesktop hicolor sizes from the SVG sources.

    python packaging/render_icons.py            # writes resources/icons/hicolor/NxN/apps/annotator.png

16 and 24 px come from the pixel-aligned ``annotator-16.svg`` and ``annotator-24.svg``, every
larger size from ``annotator.svg``. Run it with the project's virtual environment (it needs
PySide6's QtSvg) whenever an SVG changes, and commit the PNGs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "annotator"


def source_for(size: int) -> Path:
    """The SVG drawn for ``size`` px: hand-tuned for the two smallest sizes, else the full design."""
    tuned = ICONS / f"{ICON_NAME}-{size}.svg"
    return tuned if tuned.exists() else ICONS / f"{ICON_NAME}.svg"


def png_path(size: int, root: Path = ICONS) -> Path:
    return root / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"


def render(out_root: Path = ICONS) -> list[Path]:
    """Render every size into ``out_root/hicolor``; return the written files."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QPainter needs it
    written = []
    for size in SIZES:
        source = source_for(size)
        renderer = QSvgRenderer(str(source))
        if not renderer.isValid():
            raise SystemExit(f"render_icons: cannot read {source}")
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = png_path(size, out_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(target), "PNG"):
            raise SystemExit(f"render_icons: cannot write {target}")
        written.append(target)
    return written


def main() -> int:
    for path in render():
        print(path.relative_to(ICONS.parent.parent))  # noqa: T201 - a script reporting its work
    return 0


if __name__ == "__main__":
    sys.exit(main())
