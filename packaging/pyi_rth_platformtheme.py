"""PyInstaller runtime hook: let the Linux bundle follow the desktop's light or dark setting.

The bundle leaves out Qt's GTK 3 platform theme (it would carry the build machine's GTK along);
Qt's built-in GNOME theme then reads the portal's colour scheme but keeps a light palette. The
xdg-desktop-portal theme (bundled) wraps the desktop's own theme and applies the portal's
light or dark preference. It needs the session bus, so it is chosen only when there is one,
never offscreen, and never over the user's own QT_QPA_PLATFORMTHEME.
"""

import os
import sys

if (
    sys.platform.startswith("linux")
    and not os.environ.get("QT_QPA_PLATFORMTHEME")
    and os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    and os.environ.get("QT_QPA_PLATFORM", "") not in ("offscreen", "minimal")
):
    os.environ["QT_QPA_PLATFORMTHEME"] = "xdgdesktopportal"
