"""dev.py talks to its user, and the test suite keeps the conventions that make it trustworthy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), *args], capture_output=True, text=True, timeout=60
    )


def test_dev_py_alone_prints_usage_and_fails() -> None:
    done = dev()
    assert done.returncode == 2
    assert "usage: python3 dev.py COMMAND" in done.stderr
    for command in ("run", "test", "check", "bench"):
        assert f"\n  {command} " in done.stderr


def test_dev_py_help_prints_usage() -> None:
    done = dev("--help")
    assert done.returncode == 0
    assert "usage: python3 dev.py COMMAND" in done.stdout


def test_dev_py_names_an_unknown_command() -> None:
    done = dev("tset")
    assert done.returncode == 2
    assert "unknown command 'tset'" in done.stderr


def test_ci_runs_the_readme_test_command_and_the_checks() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 dev\.py \w+)", quick_start, flags=re.M)
    assert commands == ["python3 dev.py run", "python3 dev.py test"]
    assert "python3 dev.py test" in ci
    assert "python3 dev.py check" in ci


def test_no_test_undoes_the_whole_monkeypatch() -> None:
    """``monkeypatch.undo()`` also undoes the autouse fixtures that keep tests away from the
    user's real folders (tests/conftest.py): use ``pytest.MonkeyPatch.context()`` instead."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"monkeypatch\.undo\(\)", line) and path != Path(__file__)
    ]
    assert offenders == []
