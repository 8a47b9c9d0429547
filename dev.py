#!/usr/bin/env python3
"""Run Annotator or its tests from a fresh clone; creates and maintains ./.venv by itself.

    python3 dev.py run [ANNOTATOR ARGS...]   open the app (default project unless --db is given)
    python3 dev.py test [PYTEST ARGS...]     run the test suite (Qt offscreen)
    python3 dev.py bench                     run the benchmarks, print one JSON object

Needs only Python >= 3.10 with venv. The virtual environment is reinstalled whenever
pyproject.toml changes (a stamp file records its hash).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ANNOTATOR_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".annotator-installed"


def say(message: str) -> None:
    pass


def ensure_venv() -> None:
    """Create the venv and install the package with its test extras if pyproject changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)
    say("installing Annotator and its test dependencies (first run takes a minute or two)")
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    quiet = [] if os.environ.get("CI") else ["--quiet"]
    subprocess.run([*pip, *quiet, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *quiet, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted + "\n")


def run_app(args: list[str]) -> int:
    ensure_venv()
    return subprocess.call([str(PYTHON), "-m", "annotator", *args])


def run_tests(args: list[str]) -> int:
    ensure_venv()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    code = subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env)
    if code == 5:
        say("pytest collected no tests: that is a failure")
        return 1
    return code


def run_benchmarks(args: list[str]) -> int:
    ensure_venv()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.call(
        [str(PYTHON), str(ROOT / "tests" / "benchmarks" / "run_all.py"), *args], cwd=ROOT, env=env
    )


COMMANDS = {"run": run_app, "test": run_tests, "bench": run_benchmarks}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
