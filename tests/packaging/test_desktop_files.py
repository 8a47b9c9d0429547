"""The Linux desktop files, icons and icon formats that packaging/ ships, checked without building."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from annotator import APP_ID, APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def load(name: str) -> ModuleType:
    """Import a module from packaging/ by path (a top-level ``packaging`` is pip's library)."""
    spec = importlib.util.spec_from_file_location(f"annotator_packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_dimensions(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def rgba_bytes(image: object) -> bytes:
    from PySide6.QtGui import QImage

    assert isinstance(image, QImage)
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return bytes(converted.constBits())[: converted.sizeInBytes()]


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign] - keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


# --- desktop file ------------------------------------------------------------------------------


def test_desktop_file_is_named_after_the_app_id_and_launches_annotator() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP_NAME
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "annotator"
    assert entry["TryExec"] == "annotator"
    assert entry["Terminal"] == "false"
    # Qt's X11 WM_CLASS class is the application name, which the window uses to find this entry.
    assert entry["StartupWMClass"] == APP_NAME
    assert entry["Categories"].endswith(";")
    assert entry["Keywords"].endswith(";")


def test_desktop_file_passes_desktop_file_validate() -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate is not installed (Debian: apt-get install desktop-file-utils)")
    result = subprocess.run([validator, str(DESKTOP)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


# --- AppStream metainfo ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_metainfo_identity_matches_the_package(metainfo: ET.Element) -> None:
    assert metainfo.tag == "component"
    assert metainfo.get("type") == "desktop-application"
    assert metainfo.findtext("id") == APP_ID
    assert metainfo.findtext("name") == APP_NAME
    assert metainfo.findtext("metadata_license") == "CC0-1.0"
    assert metainfo.findtext("project_license") == "MIT"
    launchable = metainfo.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert [b.text for b in metainfo.iterfind("provides/binary")] == ["annotator"]
    assert (metainfo.findtext("summary") or "").strip()
    assert metainfo.find("description/p") is not None


def test_metainfo_releases_start_with_the_current_version(metainfo: ET.Element) -> None:
    releases = metainfo.findall("releases/release")
    assert releases, "no <release> entries"
    newest = releases[0]
    assert newest.get("version") == __version__, "the newest release must be the package's version"
    assert newest.get("date"), "a release needs a date"
    notes = newest.find("description")
    assert notes is not None
    assert notes.find("p") is not None or notes.find("ul") is not None
    versions = [r.get("version") for r in releases]
    assert len(versions) == len(set(versions))


def test_metainfo_has_content_rating_and_described_screenshots(metainfo: ET.Element) -> None:
    rating = metainfo.find("content_rating")
    assert rating is not None
    assert rating.get("type", "").startswith("oars-")
    screenshots = metainfo.findall("screenshots/screenshot")
    assert screenshots
    assert sum(s.get("type") == "default" for s in screenshots) == 1
    for shot in screenshots:
        assert (shot.findtext("caption") or "").strip(), "every screenshot is described"
        image = shot.find("image")
        assert image is not None
        assert (image.text or "").startswith("https://")


def test_metainfo_screenshots_are_the_ones_in_docs(metainfo: ET.Element) -> None:
    """Each screenshot URL names a file of this repository (on its main branch) of the stated size."""
    for image in metainfo.iterfind("screenshots/screenshot/image"):
        _, _, relative = (image.text or "").partition("/main/")
        path = ROOT / relative
        assert path.is_file(), f"{image.text} is not in the repository"
        assert png_dimensions(path) == (int(image.get("width", 0)), int(image.get("height", 0)))


def test_metainfo_passes_appstreamcli_validate() -> None:
    validator = shutil.which("appstreamcli")
    if validator is None:
        pytest.skip("appstreamcli is not installed (Debian: apt-get install appstream)")
    result = subprocess.run(
        [validator, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- icons -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_hicolor_png_exists_at_its_size(size: int) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "annotator.png"
    assert path.is_file(), f"missing {path} (run packaging/render_icons.py)"
    assert png_dimensions(path) == (size, size)


@pytest.mark.parametrize("name", ["annotator.svg", "annotator-16.svg", "annotator-24.svg"])
def test_svg_sources_are_square_svg_documents(name: str) -> None:
    root = ET.parse(ICONS / name).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    assert width == height


def test_render_icons_draws_every_size_from_the_svgs(qapp: object, tmp_path: Path) -> None:
    render_icons = load("render_icons")
    written = render_icons.render(tmp_path)
    assert [png_dimensions(p)[0] for p in written] == list(SIZES)
    assert render_icons.source_for(16).name == "annotator-16.svg"
    assert render_icons.source_for(48).name == "annotator.svg"
    from PySide6.QtGui import QImage

    # The 16 px icon must not be a blur: the page and the four label colours survive.
    small = QImage(str(written[0]))
    colours = {small.pixelColor(x, y).name().upper() for x in range(16) for y in range(16)}
    assert {"#0072B2", "#E69F00", "#D55E00", "#009E73"} <= colours
    # Transparent around the page, opaque inside it.
    assert small.pixelColor(0, 8).alpha() == 0
    assert small.pixelColor(8, 8).alpha() == 255

    # The committed PNGs are what the SVGs render to (regenerate them after editing an SVG).
    for fresh in written:
        size = png_dimensions(fresh)[0]
        committed = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "annotator.png"
        a, b = (rgba_bytes(QImage(str(path))) for path in (fresh, committed))
        differing = sum(abs(x - y) > 16 for x, y in zip(a, b, strict=True))
        assert differing <= len(a) // 100, f"{committed} is stale: run packaging/render_icons.py"


def test_windows_ico_and_macos_icns_hold_the_pngs(tmp_path: Path) -> None:
    icon_formats = load("icon_formats")
    ico, icns = icon_formats.write_platform_icons(ICONS / "hicolor", tmp_path)

    data = ico.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(icon_formats.ICO_SIZES))
    sizes = []
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        assert (planes, bits) == (1, 32)
        image = data[offset : offset + length]
        assert image.startswith(PNG_SIGNATURE)
        sizes.append(width or 256)
        assert icon_formats.png_size(image) == (width or 256, height or 256)
    assert sizes == list(icon_formats.ICO_SIZES)

    data = icns.read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    offset, kinds = 8, []
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        assert data[offset + 8 : offset + 16] == PNG_SIGNATURE
        kinds.append(kind)
        offset += length
    assert offset == len(data)
    assert {b"ic07", b"ic08", b"ic09", b"icp4"} <= set(kinds)


# --- what the bundle keeps ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6\\Qt6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqico.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/styles/libqmodernwindowsstyle.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6\\translations\\qtbase_de.qm", False),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("resources/labels.json", True),
        ("seeds/nk-troops-kursk.jsonl", True),
    ],
)
def test_bundle_keeps_only_the_qt_files_the_app_uses(dest: str, kept: bool) -> None:
    assert load("qt_selection").keep(dest) is kept


def test_spec_reads_identity_from_the_package() -> None:
    spec = (PACKAGING / "annotator.spec").read_text(encoding="utf-8")
    assert "from annotator import APP_ID, APP_NAME, __version__" in spec
    assert "bundle_identifier=APP_ID" in spec
    assert APP_ID not in spec, "the app id must not be copied into the spec"
    assert f'"{__version__}"' not in spec, "the version must not be copied into the spec"


# --- install-linux.sh --------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="install-linux.sh is for Linux")
def test_install_linux_installs_and_uninstalls_for_the_current_user(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(ICONS, bundle / "_internal" / "resources" / "icons")
    launcher = bundle / "annotator"
    launcher.write_text(f'#!/bin/sh\necho "{APP_NAME} {__version__}"\n')
    launcher.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env.update(HOME=str(home), PATH="/usr/bin:/bin")
    script = str(PACKAGING / "install-linux.sh")

    done = subprocess.run(["sh", script, str(bundle)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{APP_NAME} {__version__}" in done.stdout
    local = home / ".local"
    share = local / "share"
    assert (local / "bin" / "annotator").resolve() == local / "lib" / "annotator" / "annotator"
    installed = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert f"Exec={local}/bin/annotator" in installed
    assert f"Icon={APP_ID}" in installed
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in SIZES:
        icon = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_dimensions(icon) == (size, size)

    gone = subprocess.run(["sh", script, "--uninstall"], env=env, capture_output=True, text=True, check=False)
    assert gone.returncode == 0, gone.stderr
    leftovers = [
        p
        for p in home.rglob("*")
        if p.is_file() or p.is_symlink()
        if p.name not in {"mimeinfo.cache", "icon-theme.cache"}
    ]
    assert leftovers == []


@pytest.mark.skipif(sys.platform != "linux", reason="install-linux.sh is for Linux")
def test_install_linux_names_a_missing_bundle(tmp_path: Path) -> None:
    env = dict(os.environ, HOME=str(tmp_path))
    done = subprocess.run(
        ["sh", str(PACKAGING / "install-linux.sh"), str(tmp_path / "nowhere")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "no bundle in" in done.stderr
    assert "packaging/build.py" in done.stderr
    assert not (tmp_path / ".local").exists()


# --- runtime hook: light or dark from the desktop portal --------------------------------------


@pytest.mark.parametrize(
    ("env", "theme"),
    [
        ({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/bus"}, "xdgdesktopportal"),
        ({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/bus", "QT_QPA_PLATFORMTHEME": "kde"}, "kde"),
        ({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/bus", "QT_QPA_PLATFORM": "offscreen"}, None),
        ({}, None),
    ],
)
def test_bundle_runtime_hook_picks_the_portal_theme_only_with_a_session_bus(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], theme: str | None
) -> None:
    for name in ("DBUS_SESSION_BUS_ADDRESS", "QT_QPA_PLATFORMTHEME", "QT_QPA_PLATFORM"):
        monkeypatch.setenv(name, "")  # so that teardown restores it, whatever the hook does
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", "linux")
    load("pyi_rth_platformtheme")
    assert os.environ.get("QT_QPA_PLATFORMTHEME") == theme
