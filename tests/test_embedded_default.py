"""The installed `aiwatch` command on the embedded default, as `make check` runs it: a real process,
SQLite in the user's data folder, the bundled catalog, no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).parent / "aiwatch"
    exe = str(beside_python) if beside_python.exists() else shutil.which("aiwatch")
    assert exe, "the aiwatch console script is not installed"
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=60)


def test_check_twice_on_a_fresh_machine(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    first = run("check", "--offline", env=env)
    assert first.returncode == 0, first.stderr
    assert "AI Act dates from" in first.stdout
    assert "First check" in first.stdout
    assert (tmp_path / "data" / "aiwatch" / "aiwatch.db").is_file()
    second = run("check", "--offline", env=env)
    assert second.returncode == 0, second.stderr
    assert "Changes since the previous check" in second.stdout
    assert "(none)" in second.stdout
    validate = run("catalog", "validate", env=env)
    assert validate.returncode == 0 and "OK" in validate.stdout
