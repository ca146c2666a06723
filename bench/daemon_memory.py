"""Resident memory of an idle `aiwatch run` (issue 6): with the bundled catalog, and with 10,000
subscribers. Targets: at most 120 MB and 250 MB. Also shows the floor, an idle Python process
that imports sqlmodel, measured the same way in the same run.

Run: `make bench` or `.venv/bin/python bench/daemon_memory.py`. Reads /proc (Linux).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from aiwatch.models import Subscriber
from aiwatch.settings import load_settings
from aiwatch.sync import prepare_store

EXE = Path(sys.executable).parent / "aiwatch"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def idle_daemon_rss(home: Path, subscribers: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    db = f"sqlite:///{home / 'aiwatch.db'}"
    config = home / "config"
    config.mkdir(parents=True)
    bundled = load_settings().config
    for name in ("milestones.toml", "events.toml", "classify.toml", "aiwatch.toml"):
        (config / name).write_bytes((bundled / name).read_bytes())
    (config / "sources.toml").write_text("")  # idle: nothing to fetch
    env.update(HOME=str(home), AIWATCH_DATABASE_URL=db, AIWATCH_CONFIG=str(config))
    now = dt.datetime.now(dt.UTC)
    store = prepare_store(load_settings(config, db), now)
    with store.session() as session:
        for i in range(subscribers):
            session.add(Subscriber(
                name=f"s{i}", channel="webhook", target="https://hooks.example.org/x",
                secret="whsec_" + "A" * 44, roles=["deployer"], topics=[], labels=[], langs=[],
                leads=[90, 30, 7, 1], tz="Europe/Brussels", send_at="09:00", news="daily",
                active=True, calendar_token=f"token-{i:026d}", created_at=now,
            ))  # fmt: skip
    store.close()
    port = free_port()
    process = subprocess.Popen([str(EXE), "run", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        time.sleep(5)  # the first ticks (all jobs run at start), a calendar request, then measure
        httpx.get(f"http://127.0.0.1:{port}/calendar.ics")
        time.sleep(2)
        return rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=90)


def main() -> int:
    floor = subprocess.Popen([sys.executable, "-c", "import sqlmodel, time; time.sleep(30)"])
    time.sleep(3)
    floor_mb = rss_mb(floor.pid)
    floor.kill()
    floor.wait()
    results = []
    for subscribers, target in ((0, 120), (10_000, 250)):
        with tempfile.TemporaryDirectory() as tmp:
            results.append((subscribers, idle_daemon_rss(Path(tmp), subscribers), target))
    print(f"\n{'what':<52} {'RSS MB':>8} {'target':>8}")
    print(f"{'floor: idle python importing sqlmodel':<52} {floor_mb:>8.1f} {'':>8}")
    ok = True
    for subscribers, mb, target in results:
        label = f"aiwatch run, idle, bundled catalog, {subscribers} subscribers"
        print(f"{label:<52} {mb:>8.1f} {target:>8}")
        ok = ok and mb <= target
    print("memory:", "OK" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
