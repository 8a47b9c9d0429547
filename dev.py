#!/usr/bin/env python3
"""Run Annotator, its tests and its checks from a fresh clone; keeps ./.venv up to date by itself.

usage: python3 dev.py COMMAND [ARGS...]

commands:
  run [ANNOTATOR ARGS...]   open the app (the last project you used; the first time, the
                            default project with the sample article; --db PATH for another)
  test [PYTEST ARGS...]     run the test suite (Qt offscreen, no display needed)
  check                     static checks: ruff check, ruff format --check, mypy, import contracts
  bench [ARGS...]           run the benchmarks in tests/benchmarks, print one JSON object
  -h, --help                show this help

Needs only Python >= 3.10 with venv. The first command creates ./.venv (ANNOTATOR_VENV moves it)
and installs Annotator with its test and development tools into it; it is reinstalled whenever
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
EXTRAS = "test,dev"


def say(message: str) -> None:
    """What dev.py is doing, on stderr (stdout stays the command's own, e.g. bench's JSON)."""
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def ensure_venv() -> None:
    """Create the venv and install the package with its extras if pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV}")
        venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)
    say(f"installing Annotator with its [{EXTRAS}] extras into {VENV} (the first time takes a minute or two)")
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    quiet = [] if os.environ.get("CI") else ["--quiet"]
    subprocess.run([*pip, *quiet, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *quiet, "-e", f"{ROOT}[{EXTRAS}]"], check=True)
    STAMP.write_text(wanted + "\n")
    say("environment ready")


def offscreen_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_app(args: list[str]) -> int:
    ensure_venv()
    say("starting Annotator" + (f" {' '.join(args)}" if args else ""))
    return subprocess.call([str(PYTHON), "-m", "annotator", *args])


def run_tests(args: list[str]) -> int:
    ensure_venv()
    say("running the tests: pytest " + " ".join(args))
    code = subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=offscreen_env())
    if code == 5:
        say("pytest collected no tests: that is a failure")
        return 1
    return code


#: The static checks, each failing the run on its own (README: Development).
CHECKS = (
    ("ruff check", ["-m", "ruff", "check", "."]),
    ("ruff format --check", ["-m", "ruff", "format", "--check", "."]),
    ("mypy", ["-m", "mypy"]),
    ("import contracts (lint-imports)", ["-m", "importlinter.cli"]),
)


def run_checks(args: list[str]) -> int:
    if args:
        say(f"check takes no arguments (got {' '.join(args)})")
        return 2
    ensure_venv()
    failed = []
    for name, command in CHECKS:
        say(f"checking: {name}")
        if subprocess.call([str(PYTHON), *command], cwd=ROOT) != 0:
            failed.append(name)
    if failed:
        say("FAILED: " + ", ".join(failed))
        return 1
    say("all checks passed")
    return 0


def run_benchmarks(args: list[str]) -> int:
    ensure_venv()
    say("running the benchmarks (several minutes)")
    script = ROOT / "tests" / "benchmarks" / "run_all.py"
    return subprocess.call([str(PYTHON), str(script), *args], cwd=ROOT, env=offscreen_env())


COMMANDS = {"run": run_app, "test": run_tests, "check": run_checks, "bench": run_benchmarks}


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        if len(sys.argv) >= 2:
            print(f"dev.py: unknown command {sys.argv[1]!r}\n", file=sys.stderr)
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
