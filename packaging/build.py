#!/usr/bin/env python3
"""Build Annotator's desktop bundle (one folder, PyInstaller) from a clean clone.

    python3 packaging/build.py                  # creates packaging/.venv-build, builds, prints size and time
    python3 packaging/build.py --self-test      # ... and then runs the bundle's --version and --self-test
    python3 packaging/build.py --python PATH    # build with an existing environment instead (it must
                                                # have Annotator's dependencies and PyInstaller)

ANNOTATOR_BUILD_PYTHON=PATH does the same as --python. The result is packaging/dist/annotator/
(launcher packaging/dist/annotator/annotator, or annotator.exe and annotator-cli.exe on Windows)
and on macOS also packaging/dist/Annotator.app. Needs only Python >= 3.10 with venv and, the
first time, network access for pip. See docs/packaging.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD_VENV = HERE / ".venv-build"
DIST = HERE / "dist"
WORK = HERE / "build"
BUNDLE = DIST / "annotator"
WINDOWS = os.name == "nt"


def say(message: str) -> None:
    print(f"build.py: {message}", file=sys.stderr, flush=True)  # noqa: T201 - a script reporting progress


def venv_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if WINDOWS else "bin/python")


def ensure_build_venv() -> Path:
    """Create packaging/.venv-build with Annotator and PyInstaller; reinstall when pyproject changes."""
    python = venv_python(BUILD_VENV)
    stamp = BUILD_VENV / ".annotator-bundle-installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    if not python.exists():
        say(f"creating the build environment {BUILD_VENV.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True).create(BUILD_VENV)
    say("installing Annotator and PyInstaller into it (the first time takes a minute or two)")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, f"{ROOT}[bundle]"], check=True)
    stamp.write_text(wanted + "\n")
    return python


def disk_usage(path: Path) -> int:
    """Bytes a folder takes on disk (allocated blocks where the OS reports them), like ``du``."""
    total = 0
    for entry in path.rglob("*"):
        if entry.is_symlink():
            continue
        stat = entry.stat()
        blocks = getattr(stat, "st_blocks", None)
        total += blocks * 512 if blocks is not None else stat.st_size
    return total


def launcher(cli: bool = True) -> Path:
    """The bundle's executable; on Windows the console variant when ``cli`` is true."""
    if WINDOWS:
        return BUNDLE / ("annotator-cli.exe" if cli else "annotator.exe")
    return BUNDLE / "annotator"


def run_pyinstaller(python: Path) -> None:
    check = subprocess.run([str(python), "-c", "import PyInstaller, PySide6, annotator"], capture_output=True)
    if check.returncode != 0:
        sys.exit(
            f"build.py: {python} lacks PyInstaller, PySide6 or Annotator's dependencies:\n"
            + check.stderr.decode(errors="replace").strip().splitlines()[-1]
        )
    shutil.rmtree(BUNDLE, ignore_errors=True)
    command = [
        str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(WORK), str(HERE / "annotator.spec"),
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)


def self_test() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for args in (["--version"], ["--self-test"]):
        say(f"running {launcher().relative_to(ROOT)} {' '.join(args)}")
        code = subprocess.call([str(launcher()), *args], env=env)
        if code != 0:
            say(f"{' '.join(args)} failed with exit code {code}")
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python",
        type=Path,
        default=os.environ.get("ANNOTATOR_BUILD_PYTHON") or None,
        help="build with this interpreter's environment instead of packaging/.venv-build",
    )
    parser.add_argument("--self-test", action="store_true", help="run the bundle's self-test after building")
    args = parser.parse_args(argv)
    if sys.version_info < (3, 10):  # noqa: UP036 - whatever python3 the user runs this with
        sys.exit(f"build.py: Annotator needs Python >= 3.10 (this is {sys.version.split()[0]})")

    started = time.monotonic()
    python = Path(args.python) if args.python else ensure_build_venv()
    prepared = time.monotonic()
    run_pyinstaller(python)
    finished = time.monotonic()

    size = disk_usage(BUNDLE)
    say(f"bundle: {BUNDLE.relative_to(ROOT)}  launcher: {launcher(cli=False).relative_to(ROOT)}")
    if sys.platform == "darwin":
        say(f"app: {(DIST / 'Annotator.app').relative_to(ROOT)}")
    say(f"size on disk: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")
    say(
        f"build time: {finished - prepared:.1f} s PyInstaller"
        + (f" + {prepared - started:.1f} s preparing the build environment" if prepared - started > 1 else "")
    )
    return self_test() if args.self_test else 0


if __name__ == "__main__":
    sys.exit(main())
