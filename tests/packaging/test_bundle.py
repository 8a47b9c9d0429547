"""Build the desktop bundle with packaging/build.py and run it: the issue's "done means" as a test.

Runs only when asked for: ``python3 dev.py test -m bundle`` (a PyInstaller build, 10–20 s).
PyInstaller is not in the ``test`` extra; with the ``bundle`` extra installed
(``pip install -e .[bundle]``) the test environment builds the bundle itself, otherwise
build.py first creates packaging/.venv-build with it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[2]
MAX_BUNDLE_BYTES = 200 * 1000 * 1000

pytestmark = [pytest.mark.bundle, pytest.mark.gui]  # the self-test starts Qt


def launcher(bundle: Path) -> Path:
    return bundle / ("annotator-cli.exe" if os.name == "nt" else "annotator")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle built into a temporary folder (never the developer's packaging/dist)."""
    out = tmp_path_factory.mktemp("bundle")
    command = [sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(out / "dist")]
    command += ["--work", str(out / "work")]
    if importlib.util.find_spec("PyInstaller") is not None:
        command += ["--python", sys.executable]  # reuse this environment: no second venv to install
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, f"build failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    assert "size on disk" in done.stderr
    return out / "dist" / "annotator"


def test_bundle_prints_its_version(bundle: Path) -> None:
    done = subprocess.run([str(launcher(bundle)), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{APP_NAME} {__version__}"


def test_bundle_passes_its_self_test(bundle: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [str(launcher(bundle)), "--self-test"], capture_output=True, text=True, timeout=180, env=env
    )
    assert done.returncode == 0, f"self-test failed:\n{done.stdout}\n{done.stderr}"


def test_bundle_holds_resources_and_seeds_and_stays_small(bundle: Path) -> None:
    contents = bundle / "_internal"
    assert (contents / "resources" / "labels.json").is_file()
    assert (contents / "resources" / "icons" / "annotator.svg").is_file()
    assert any((contents / "seeds").iterdir())
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < MAX_BUNDLE_BYTES, f"bundle is {size / 1e6:.0f} MB"
    names = {p.name for p in bundle.rglob("*")}
    for unused in ("Qt6Network", "Qt6Qml", "Qt6Quick", "Qt6WebEngineCore", "Qt6Pdf", "qtbase_de.qm"):
        assert not any(unused in name for name in names), f"{unused} should not be in the bundle"


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux bundle carries its installer")
def test_linux_bundle_carries_its_desktop_integration(bundle: Path) -> None:
    from annotator import APP_ID

    for name in ("install-linux.sh", f"{APP_ID}.desktop", f"{APP_ID}.metainfo.xml"):
        assert (bundle / name).is_file(), name
