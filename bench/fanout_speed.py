"""Alert fan-out speed, against floors measured in the same run (these machines are noisy).

1. Planning: 100,000 subscribers x 60 milestones x 4 lead times at one `now`, in the pure
   planner. Target (issue 5): seconds, not minutes.
2. Delivery: 10,000 webhook subscribers on one local receiver, one reminder each: aiwatch's plan +
   enqueue + deliver against the floor, a bare asyncio loop of httpx POSTs of the same signed
   bodies at the same concurrency with no database. Target: within 2x of the floor.

The receiver is uvicorn with a raw ASGI app in a separate process.
Run: `make bench` or `.venv/bin/python bench/fanout_speed.py [--subscribers N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

from aiwatch.alerts import run_alerts
from aiwatch.catalog.loader import load_catalog
from aiwatch.deliver.webhook import body_of, new_secret, sign
from aiwatch.models import Milestone, Subscriber
from aiwatch.plan import SubscriberView, plan
from aiwatch.settings import Settings
from aiwatch.store import Store
from aiwatch.sync import sync_catalog
from aiwatch.timeline import HistoryPoint, TimelineItem

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from catalog_factory import milestone, write_catalog

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
RECEIVER = textwrap.dedent(
    """
    import sys, uvicorn
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
    """
)


def bench_planning(subscribers: int) -> None:
    roles = ["provider", "deployer", "importer", "distributor", "gpai-provider"]
    zones = ["Europe/Brussels", "Europe/Lisbon", "Europe/Helsinki", "America/New_York"]
    start = NOW.date() + dt.timedelta(days=1)
    items = []
    for n in range(60):
        day = start + dt.timedelta(days=n * 6)
        row = Milestone(
            id=f"m{n}", title=f"Milestone {n}", date=day, kind="application", legal_basis="x",
            instrument="x", roles=[roles[n % 5]], topics=["high-risk"], status="in-force",
            summary="", sources=["https://eur-lex.europa.eu/"], derivation="x", updated_at=NOW,
        )  # fmt: skip
        history = (HistoryPoint(day, "in-force", "x", NOW, row.id),)
        items.append(TimelineItem("milestone", row, "in-force", 0, history, (), (row.id,)))
    subs = [
        SubscriberView(
            id=i,
            roles=frozenset({roles[i % 5]}),
            topics=frozenset(),
            labels=frozenset(),
            langs=frozenset(),
            leads=(90, 30, 7, 1),
            tz=zones[i % 4],
            send_at=dt.time(9, 0),
            news="immediate",
            created_at=NOW - dt.timedelta(days=400),
        )
        for i in range(subscribers)
    ]
    started = time.perf_counter()
    planned = plan(subs, items, [], [], NOW)
    seconds = time.perf_counter() - started
    print(f"\nPlanning: {subscribers} subscribers x {len(items)} milestones x 4 lead times")
    print(f"  {seconds:.2f} s, {len(planned)} notifications due now "
          f"({'OK' if seconds < 10 else 'SLOW'}: target seconds)")  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def floor_posts(url: str, bodies: list[tuple[str, bytes]], secret: str, conc: int) -> None:
    semaphore = asyncio.Semaphore(conc)
    stamp = int(NOW.timestamp())
    async with httpx.AsyncClient() as client:

        async def one(msg_id: str, body: bytes) -> None:
            headers = {"content-type": "application/json", "webhook-id": msg_id,
                       "webhook-timestamp": str(stamp),
                       "webhook-signature": sign(secret, msg_id, stamp, body)}  # fmt: skip
            async with semaphore:
                response = await client.post(url, content=body, headers=headers)
                response.raise_for_status()

        await asyncio.gather(*(one(m, b) for m, b in bodies))


def bench_delivery(count: int) -> None:
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    url = f"http://127.0.0.1:{port}/hook"
    for _ in range(100):
        try:
            httpx.post(url, content=b"{}")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    secret = new_secret()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            day = (NOW + dt.timedelta(days=29)).date()  # its 30-day reminder is due
            folder = write_catalog(root / "c", [milestone("wave", date=day.isoformat())])
            store = Store(f"sqlite:///{root / 'fanout.db'}")
            store.upgrade()
            with store.session() as session:
                sync_catalog(session, load_catalog(folder), NOW - dt.timedelta(days=5))
                for i in range(count):
                    session.add(Subscriber(
                        name=f"s{i}", channel="webhook", target=url, secret=secret,
                        roles=[], topics=[], labels=[], langs=[], leads=[30, 7], tz="UTC",
                        send_at="09:00", news="immediate", active=True,
                        calendar_token=f"t{i:030d}", created_at=NOW - dt.timedelta(days=3),
                    ))  # fmt: skip
            settings = Settings(config=root, allow_private_targets=True)
            started = time.perf_counter()
            report = run_alerts(store, settings, NOW, send=True)
            ours = time.perf_counter() - started
            with store.session() as session:
                from sqlmodel import select

                from aiwatch.models import Outbox

                bodies = [(row.key, body_of(row.payload)) for row in session.exec(select(Outbox))]
            store.close()
        started = time.perf_counter()
        asyncio.run(floor_posts(url, bodies, secret, 16))
        floor = time.perf_counter() - started
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
    print(f"\nDelivery: {count} webhook subscribers, one reminder each (concurrency 16)")
    print(f"{'what':<58} {'seconds':>8} {'ratio':>6}")
    print(f"{'floor: asyncio + httpx POSTs of the same signed bodies':<58} {floor:>8.2f} {1:>6.2f}")
    print(f"{'aiwatch plan + enqueue + deliver (' + str(report.sent) + ' sent)':<58} "
          f"{ours:>8.2f} {ours / floor:>6.2f}")  # fmt: skip
    print(f"deliver/floor {ours / floor:.2f} (target <= 2): "
          f"{'OK' if ours / floor <= 2 else 'OVER TARGET'}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-subscribers", type=int, default=100_000)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    bench_planning(args.plan_subscribers)
    bench_delivery(args.subscribers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
