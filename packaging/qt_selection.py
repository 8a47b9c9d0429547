"""Which Qt files the bundle keeps: the app needs QtCore, QtGui, QtWidgets and QtSvg only.

Used twice by the PyInstaller build: by the hooks in ``pyi_hooks/`` (so a dropped plugin's own
libraries are never collected as its dependencies) and by ``annotator.spec`` on the final lists.
"""

from __future__ import annotations

from pathlib import PurePath

# Qt Python modules the app never imports; excluding them keeps their libraries, QML files and
# plugins out of the bundle.
UNUSED_QT_MODULES = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtAxContainer",
    "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus",
    "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia",
    "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf",
    "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest", "QtTextToSpeech",
    "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets",
    "QtWebSockets", "QtWebView", "QtXml",
)  # fmt: skip

# Plugin folders the app never loads (networking, SQL, QML, printing, embedded displays...).
UNUSED_PLUGIN_DIRS = frozenset({
    "designer", "egldeviceintegrations", "generic", "geometryloaders", "multimedia", "networkinformation",
    "position", "printsupport", "qmllint", "qmltooling", "renderers", "sceneparsers", "sensors",
    "sqldrivers", "texttospeech", "tls", "vectorimageformats", "webview",
    # GPU buffer sharing for Wayland; a QtWidgets app draws in software and uses shared memory.
    "wayland-graphics-integration-client", "wayland-graphics-integration-server",
})  # fmt: skip

# Within the kept folders, only the plugins whose file name contains one of these.
KEEP_PLUGINS = {
    "platforms": ("offscreen", "xcb", "wayland", "windows", "cocoa"),
    "imageformats": ("svg", "ico"),  # PNG support is built into QtGui
    "wayland-shell-integration": ("xdg-shell",),
    # The GTK 3 theme would drag the build machine's GTK, cairo and pango into the bundle; the
    # portal theme and Qt's built-in GNOME/KDE themes still follow the system's colour scheme.
    "platformthemes": ("xdgdesktopportal", "windows", "mac"),
}

# Qt libraries collected although nothing kept links to them once the plugins above are gone
# (checked with ``readelf -d`` over the Linux build).
UNUSED_QT_LIBS = ("Qt6Network", "Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport", "Qt6WlShellIntegration")


def keep(dest: str) -> bool:
    """Whether a file collected to ``dest`` (its path inside the bundle) belongs in the bundle."""
    parts = PurePath(dest.replace("\\", "/")).parts
    if not parts:
        return True
    if "translations" in parts and parts[0] == "PySide6":
        return False  # the interface is English; Qt's own translations are not needed
    if any(lib in parts[-1] for lib in UNUSED_QT_LIBS):
        return False
    if "plugins" not in parts:
        return True
    index = parts.index("plugins")
    if len(parts) <= index + 2:
        return True
    folder, plugin = parts[index + 1], parts[-1].lower()
    if folder in UNUSED_PLUGIN_DIRS:
        return False
    wanted = KEEP_PLUGINS.get(folder)
    return wanted is None or any(name in plugin for name in wanted)


def keep_hook_entry(entry: tuple[str, str]) -> bool:
    """``keep`` for a hook's ``(source file, destination folder)`` pair."""
    source, dest_dir = entry
    return keep(f"{dest_dir}/{PurePath(source.replace(chr(92), '/')).name}")
