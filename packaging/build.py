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


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


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


def launcher(bundle: Path = BUNDLE, cli: bool = True) -> Path:
    """The bundle's executable; on Windows the console variant when ``cli`` is true."""
    if WINDOWS:
        return bundle / ("annotator-cli.exe" if cli else "annotator.exe")
    return bundle / "annotator"


def run_pyinstaller(python: Path, dist: Path, work: Path) -> None:
    check = subprocess.run([str(python), "-c", "import PyInstaller, PySide6, annotator"], capture_output=True)
    if check.returncode != 0:
        sys.exit(
            f"build.py: {python} lacks PyInstaller, PySide6 or Annotator's dependencies:\n"
            + check.stderr.decode(errors="replace").strip().splitlines()[-1]
        )
    # A fresh work folder instead of --clean, which would also empty PyInstaller's cache that
    # other builds on this machine may be using.
    shutil.rmtree(work / "annotator", ignore_errors=True)
    shutil.rmtree(dist / "annotator", ignore_errors=True)
    command = [
        str(python), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(HERE / "annotator.spec"),
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)


def self_test(bundle: Path) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for args in (["--version"], ["--self-test"]):
        say(f"running {shown(launcher(bundle))} {' '.join(args)}")
        code = subprocess.call([str(launcher(bundle)), *args], env=env)
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
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default packaging/dist)")
    parser.add_argument("--work", type=Path, default=WORK, help="work folder (default packaging/build)")
    args = parser.parse_args(argv)
    if sys.version_info < (3, 10):  # noqa: UP036 - whatever python3 the user runs this with
        sys.exit(f"build.py: Annotator needs Python >= 3.10 (this is {sys.version.split()[0]})")

    started = time.monotonic()
    python = Path(args.python) if args.python else ensure_build_venv()
    prepared = time.monotonic()
    dist, work = args.dist.resolve(), args.work.resolve()
    run_pyinstaller(python, dist, work)
    finished = time.monotonic()

    bundle = dist / "annotator"
    size = disk_usage(bundle)
    say(f"bundle: {shown(bundle)}  launcher: {shown(launcher(bundle, cli=False))}")
    if sys.platform == "darwin":
        say(f"app: {shown(dist / 'Annotator.app')}")
    say(f"size on disk: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")
    say(
        f"build time: {finished - prepared:.1f} s PyInstaller"
        + (f" + {prepared - started:.1f} s preparing the build environment" if prepared - started > 1 else "")
    )
    return self_test(bundle) if args.self_test else 0


if __name__ == "__main__":
    sys.exit(main())
