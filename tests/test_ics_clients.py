"""The real test of the calendars: independent clients (../shared/checks/ics-clients runs icalendar,
ical, vobject, ical.js, vdirsyncer + khal over HTTP, and an RFC 5545 lint) read what aiwatch serves
over a real socket, and the exported feeds/."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from aiwatch.calendar import CalendarOptions
from aiwatch.calendars import CalendarRequest
from aiwatch.settings import load_settings
from aiwatch.store import Store
from aiwatch.sync import prepare_store
from aiwatch.timeline import Filters
from aiwatch.web.app import create_app

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
ICS_CLIENTS = ROOT.parent / "shared" / "checks" / "ics-clients"
TOKEN = "pErS0naL-t0ken_0123456789"


def _checker() -> Path:
    if not ICS_CLIENTS.exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"CI must run the independent calendar clients: {ICS_CLIENTS}")
        pytest.skip(f"{ICS_CLIENTS} not found")
    return ICS_CLIENTS


def personal(token: str) -> CalendarRequest | None:
    if token != TOKEN:
        return None
    options = CalendarOptions(name="Deployer reminders", alarms=(90, 30, 7, 1))
    return CalendarRequest(Filters(roles=frozenset({"deployer"})), options)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """aiwatch's app on the bundled catalog, served by uvicorn on a free 127.0.0.1 port."""
    db = tmp_path_factory.mktemp("served") / "aiwatch.db"
    store: Store = prepare_store(
        load_settings(database_url=f"sqlite:///{db}"), dt.datetime.now(dt.UTC)
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(store, personal), log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()


def run_clients(target: str) -> str:
    result = subprocess.run([str(_checker()), target], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    clients = {line.split(":")[0] for line in lines if ": OK" in line}
    assert {"icalendar", "ical", "vobject", "ical.js", "vdirsyncer", "khal", "lint"} <= clients
    return result.stdout


@pytest.mark.parametrize(
    "path",
    [
        "/calendar.ics?past_days=1000&lead=90,30,7",  # everything, with lead-time events
        "/calendar.ics?role=deployer",
        "/calendar.ics?kind=event&past_days=3650",  # the timed event with its VTIMEZONE
        f"/calendars/{TOKEN}.ics",  # a personal calendar with VALARMs
    ],
)
def test_served_calendars_read_by_every_client(server: str, path: str) -> None:
    run_clients(server + path)


def test_exported_feed_read_by_every_client() -> None:
    run_clients(str(ROOT / "feeds" / "aiact.ics"))
