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


def test_serve_answers_calendars_over_http(tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exe = Path(sys.executable).parent / "aiwatch"
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "aiwatch serve did not start"
                time.sleep(0.1)
        response = httpx.get(f"{base}/calendar.ics?role=deployer")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert b"UID:high-risk-annex-iii-apply@aiwatch.eu-ai-act" in response.content
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr:
            server.stderr.close()


def test_calendar_export_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    first = run("calendar", "export", str(tmp_path / "feeds"), env=env)
    assert first.returncode == 0, first.stderr
    assert "42 written, 0 unchanged, 0 removed" in first.stdout
    second = run("calendar", "export", str(tmp_path / "feeds"), env=env)
    assert "0 written, 42 unchanged, 0 removed" in second.stdout


def test_serve_on_a_busy_port_is_a_usage_error(tmp_path: Path) -> None:
    import socket

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), env=env)
    assert result.returncode == 2
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr
