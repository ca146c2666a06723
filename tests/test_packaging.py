"""What `pip install aiwatch` users get: the wheel carries the catalog and the migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_the_catalog_and_the_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("aiwatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("milestones.toml", "events.toml", "aiwatch.toml"):
        bundled = f"aiwatch/_bundled_config/{name}"
        assert bundled in names
        assert zipfile.ZipFile(wheel).read(bundled) == (ROOT / "config" / name).read_bytes()
    assert "aiwatch/migrations/env.py" in names
    assert "aiwatch/migrations/versions/0001_initial.py" in names
