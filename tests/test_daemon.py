"""`aiwatch run` as a real process: health, readiness, metrics, a catalog change delivered as a
signed webhook, SIGTERM, a second instance refused on SQLite, and kill -9 at random moments
while 2,000 notifications go out: every one arrives, duplicates only for what was in flight."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aiwatch.catalog.loader import load_catalog
from aiwatch.deliver.webhook import new_secret
from aiwatch.models import Subscriber
from aiwatch.settings import bundled_config_dir
from aiwatch.store import Store
from aiwatch.sync import sync_catalog
from catalog_factory import milestone, write_catalog
from receiver import Receiver, receiving
from reports import SUMMARY

pytestmark = pytest.mark.slow
EXE = Path(sys.executable).parent / "aiwatch"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def daemon_env(tmp_path: Path, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIWATCH_")}
    env.update(
        HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), AIWATCH_CONFIG=str(config),
        AIWATCH_TICK_SECONDS="0.5", AIWATCH_ALLOW_PRIVATE_TARGETS="true",
        AIWATCH_DELIVERY_LEASE_SECONDS="2", AIWATCH_SHUTDOWN_SECONDS="5",
        AIWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'aiwatch.db'}",
    )  # fmt: skip
    return env


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(EXE), "run", "--port", str(port)], env=env, stdout=handle, stderr=handle
        )


def wait_until(predicate, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def seed(store: Store, config: Path, hook: Receiver, count: int, today: dt.datetime) -> None:
    """The catalog, and ``count`` webhook subscribers whose 30-day reminder is due."""
    with store.session() as session:
        sync_catalog(session, load_catalog(config), today - dt.timedelta(days=5))
        for i in range(count):
            session.add(Subscriber(
                name=f"s{i}", channel="webhook", target=hook.url, secret=hook.secret, roles=[],
                topics=[], labels=[], langs=[], leads=[30, 7], tz="UTC", send_at="09:00",
                news="immediate", active=True, calendar_token=f"token-{i:026d}",
                created_at=today - dt.timedelta(days=3),
            ))  # fmt: skip
    store.close()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    shutil.copy(bundled_config_dir() / "classify.toml", folder)
    (folder / "sources.toml").write_text("")
    write_catalog(folder, [milestone("wave", date="2031-06-01", roles=["deployer"])])
    return folder


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiving(new_secret()) as receiver:
        yield receiver


def test_daemon_serves_reloads_delivers_and_stops(
    tmp_path: Path, config: Path, hook: Receiver
) -> None:
    env = daemon_env(tmp_path, config)
    added = subprocess.run([str(EXE), "subscribers", "add", "team", "--webhook", hook.url,
                            "--secret", hook.secret, "--role", "deployer"],
                           env=env, capture_output=True, text=True)  # fmt: skip
    assert added.returncode == 0, added.stderr
    port, log = free_port(), tmp_path / "daemon.log"
    daemon = start(env, port, log)
    try:
        wait_until(lambda: ready(port), 30, "readiness")
        readiness = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert readiness == {"ready": True, "database": True, "scheduler": True, "role": "single"}
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
        assert b"BEGIN:VCALENDAR" in httpx.get(f"http://127.0.0.1:{port}/calendar.ics").content
        # A second daemon on the same SQLite file refuses, clearly.
        second = subprocess.run([str(EXE), "run", "--port", str(free_port())], env=env,
                                capture_output=True, text=True, timeout=30)  # fmt: skip
        assert second.returncode == 2 and "SQLite serves one daemon" in second.stderr
        # The catalog changes on disk: the daemon reloads it and alerts the subscriber once.
        write_catalog(config, [milestone("wave", date="2031-09-01", roles=["deployer"])])
        wait_until(lambda: len(hook.received) >= 1, 30, "the deadline.changed webhook")
        time.sleep(1.5)  # a few more ticks: nothing is sent twice
        assert [r.body["type"] for r in hook.received] == ["deadline.changed"]
        assert hook.received[0].verified
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'aiwatch_outbox_depth{status="delivered"} 1.0' in metrics
        assert "aiwatch_leader 1.0" in metrics
        # A broken catalog is reported and the previous one kept.
        (config / "milestones.toml").write_text("[[milestone]]\nid = 'broken'\n")
        wait_until(lambda: "catalog not reloaded" in log.read_text(), 30, "the reload error")
        assert ready(port)
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
    assert code == 0
    assert "stopped" in log.read_text()


def test_kill_9_loses_nothing(tmp_path: Path, config: Path, hook: Receiver) -> None:
    env = daemon_env(tmp_path, config)
    count = 2000
    today = dt.datetime.now(dt.UTC)
    write_catalog(
        config, [milestone("wave", date=(today + dt.timedelta(days=29)).date().isoformat())]
    )
    store = Store(env["AIWATCH_DATABASE_URL"])
    store.upgrade()
    seed(store, config, hook, count, today)
    rng = random.Random(20261123)
    port, log = free_port(), tmp_path / "daemon.log"
    kills = 0
    daemon = start(env, port, log)
    try:
        for threshold in sorted(rng.sample(range(200, count - 200), 3)):
            wait_until(lambda t=threshold: len(hook.received) >= t, 120, f"{threshold} webhooks")
            time.sleep(rng.random() * 0.2)
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(timeout=10)
            kills += 1
            daemon = start(env, port, log)
        wait_until(lambda: len({r.webhook_id for r in hook.received}) >= count, 180, "all webhooks")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    ids = Counter(r.webhook_id for r in hook.received)
    assert len(ids) == count  # every notification arrived
    assert all(r.verified for r in hook.received)
    duplicates = sum(n - 1 for n in ids.values())
    SUMMARY.append(
        f"kill -9 test: {count} notifications, {kills} kills, all delivered, "
        f"{duplicates} received twice (in flight at a kill)"
    )
    # Only what was in flight at a kill can come twice: at most the sender's concurrency (16)
    # for each kill.
    assert duplicates <= 16 * kills, (duplicates, kills)


@pytest.mark.postgres
def test_three_instances_on_postgresql_with_the_leader_killed(
    tmp_path: Path, config: Path, hook: Receiver, postgres_url: str
) -> None:
    from feedserver import Answer, rss
    from feedserver import running as feed_server

    count = 600
    today = dt.datetime.now(dt.UTC)
    day = (today + dt.timedelta(days=29)).date().isoformat()
    write_catalog(config, [milestone("wave", date=day)])
    store = Store(postgres_url)
    store.upgrade()
    seed(store, config, hook, count, today)
    with feed_server() as feeds:
        feed = feeds.serve("/ai.xml", Answer(body=rss([{"title": "AI Act news", "guid": "1"}])))
        (config / "sources.toml").write_text(
            f'[[source]]\nname = "ec"\nurl = "{feed}"\ninterval = "1 hour"\n'
        )
        env = daemon_env(tmp_path, config)
        env["AIWATCH_DATABASE_URL"] = postgres_url
        ports = [free_port() for _ in range(3)]
        logs = [tmp_path / f"d{n}.log" for n in range(3)]
        daemons = [start(env, port, log) for port, log in zip(ports, logs, strict=True)]
        try:
            for port in ports:
                wait_until(lambda p=port: ready(p), 60, f"instance on {port}")

            def roles() -> list[str]:
                found = []
                for port, process in zip(ports, daemons, strict=True):
                    if process.poll() is None:
                        found.append(httpx.get(f"http://127.0.0.1:{port}/readyz").json()["role"])
                return found

            wait_until(
                lambda: sorted(roles()) == ["follower", "follower", "leader"], 30, "a leader"
            )
            wait_until(lambda: len(hook.received) >= 100, 60, "deliveries under way")
            leader = roles().index("leader")
            daemons[leader].send_signal(signal.SIGKILL)
            daemons[leader].wait(timeout=10)
            started = time.monotonic()
            wait_until(lambda: sorted(roles()) == ["follower", "leader"], 60, "a new leader")
            takeover = time.monotonic() - started
            wait_until(lambda: len({r.webhook_id for r in hook.received}) >= count, 120, "all")
        finally:
            for process in daemons:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            codes = [process.wait(timeout=30) for process in daemons]
        hits = len(feeds.hits("/ai.xml"))
    ids = Counter(r.webhook_id for r in hook.received)
    duplicates = sum(n - 1 for n in ids.values())
    SUMMARY.append(
        f"PostgreSQL, 3 instances: {count} notifications, leader killed, new leader after "
        f"{takeover:.1f} s, {duplicates} received twice, feed fetched {hits} time(s)"
    )
    assert len(ids) == count and all(r.verified for r in hook.received)
    assert duplicates <= 16  # only what was in flight at the kill
    assert takeover < 60
    assert hits == 1  # one poll per interval, whichever instance leads
    assert codes.count(0) == 2  # the survivors stop cleanly; the killed one reports SIGKILL
