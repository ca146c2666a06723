"""Calendar speed, as ratios against floors measured in the same run (these machines are noisy).

1. Rendering 5,000 entries: aiwatch's render stage (and read + render from SQLite) against the
   floor, a plain loop that builds the same VEVENTs with icalendar and serialises them.
   Target (issue 4): render within 1.2x of the floor.
2. Serving with a warm cache, requests per second measured with wrk (a separate process): a 304
   and a full body of /calendar.ics from aiwatch's app, against the same uvicorn serving a
   constant 200-byte response. Target: 304s at least 50% of the floor.

Run: `make bench` or `.venv/bin/python bench/calendar_speed.py [--entries N] [--seconds S]`.
Needs `wrk` on PATH for part 2 (Debian package wrk; `.ci/run` does not need it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from icalendar import Calendar, Event

from aiwatch.calendar import CalendarOptions, describe, render_calendar, summary, uid
from aiwatch.catalog.loader import load_catalog
from aiwatch.settings import load_settings
from aiwatch.store import Store
from aiwatch.sync import prepare_store, sync_catalog
from aiwatch.views import read_timeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from catalog_factory import milestone, write_catalog

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def build_store(folder: Path, entries: int) -> Store:
    start = dt.date(2025, 1, 1)
    rows = [
        milestone(
            f"entry-{i}",
            title=f"Obligation {i}; applies, to providers",
            date=(start + dt.timedelta(days=i % 1500)).isoformat(),
            summary=f"What applies from this date for entry {i}.",
            roles=["provider", "deployer"],
            topics=["high-risk"],
        )
        for i in range(entries)
    ]
    write_catalog(folder / "catalog", rows)
    store = Store(f"sqlite:///{folder / 'bench.db'}")
    store.upgrade()
    with store.session() as session:
        sync_catalog(session, load_catalog(folder / "catalog"), NOW)
    return store


def floor_render(items: list) -> bytes:  # type: ignore[type-arg]
    """The same VEVENTs, built with icalendar from precomputed text: the least any tool must do."""
    calendar = Calendar()
    calendar.add("prodid", "-//floor//EN")
    calendar.add("version", "2.0")
    for item, text in items:
        event = Event()
        event.add("uid", text[0])
        event.add("dtstamp", NOW)
        event.add("last-modified", NOW)
        event.add("sequence", 0)
        event.add("summary", text[1])
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
        event.add("description", text[2])
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        event.add("url", item.row.sources[0])
        event.add("categories", [*item.row.roles, *item.row.topics])
        calendar.add_component(event)
    return calendar.to_ical()


def median_seconds(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_render(entries: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp), entries)
        items = read_timeline(store, TODAY)
        prepared = [(i, (uid(i), summary(i), describe(i))) for i in items]
        options = CalendarOptions()
        results = {}
        # Interleave so that drift in machine load hits all three alike.
        samples: dict[str, list[float]] = {"floor": [], "render": [], "read+render": []}
        for _ in range(runs):
            samples["floor"].append(median_seconds(lambda: floor_render(prepared), 1))
            samples["render"].append(median_seconds(lambda: render_calendar(items, options), 1))
            samples["read+render"].append(
                median_seconds(lambda: render_calendar(read_timeline(store, TODAY), options), 1)
            )
        store.close()
    results = {name: statistics.median(values) for name, values in samples.items()}
    floor = results["floor"]
    print(f"\nRendering {entries} entries (median of {runs})")
    print(f"{'what':<46} {'ms':>8} {'ratio':>7}")
    labels = {
        "floor": "floor: plain icalendar loop, same VEVENTs",
        "render": "aiwatch render_calendar",
        "read+render": "aiwatch read from SQLite + render",
    }
    for name, seconds in results.items():
        print(f"{labels[name]:<46} {seconds * 1000:>8.0f} {seconds / floor:>7.2f}")
    ratio = results["render"] / floor
    print(f"render/floor {ratio:.2f} (target <= 1.2): {'OK' if ratio <= 1.2 else 'OVER TARGET'}")


FLOOR_APP = textwrap.dedent(
    """
    import sys, uvicorn
    BODY = b"x" * 200
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"),
                                (b"content-length", b"200")]})
        await send({"type": "http.response.body", "body": BODY})
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
    """
)
AIWATCH_APP = textwrap.dedent(
    """
    import datetime as dt, sys, uvicorn
    from aiwatch.settings import load_settings
    from aiwatch.sync import prepare_store
    from aiwatch.web.app import create_app
    store = prepare_store(load_settings(database_url=sys.argv[2]), dt.datetime.now(dt.UTC))
    uvicorn.run(create_app(store), host="127.0.0.1", port=int(sys.argv[1]),
                log_level="warning", access_log=False)
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(code: str, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", code, str(port), *args])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server on {url} did not start")


def wrk(url: str, seconds: int, header: str | None = None) -> float:
    cmd = ["wrk", "-t1", "-c16", f"-d{seconds}s", url]
    if header:
        cmd[1:1] = ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    return float(line.split()[1])


def bench_http(seconds: int) -> None:
    if shutil.which("wrk") is None:
        print("\nServing: skipped (wrk not on PATH; apt-get install wrk)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/serve.db"
        prepare_store(load_settings(database_url=db_url), NOW).close()
        floor_proc, floor_url = start_server(FLOOR_APP)
        app_proc, app_url = start_server(AIWATCH_APP, db_url)
        try:
            import httpx

            warm = httpx.get(f"{app_url}/calendar.ics")
            etag = warm.headers["etag"]
            rounds: dict[str, list[float]] = {"floor": [], "304": [], "200": []}
            for _ in range(3):  # interleaved rounds; the median of each is reported
                rounds["floor"].append(wrk(f"{floor_url}/", seconds))
                rounds["304"].append(
                    wrk(f"{app_url}/calendar.ics", seconds, f"If-None-Match: {etag}")
                )
                rounds["200"].append(wrk(f"{app_url}/calendar.ics", seconds))
        finally:
            for proc in (floor_proc, app_proc):
                proc.terminate()
                proc.wait(timeout=10)
    rps = {name: statistics.median(values) for name, values in rounds.items()}
    floor = rps["floor"]
    print(f"\nServing with a warm cache (wrk -t1 -c16, {seconds}s x 3 rounds, median)")
    print(f"{'what':<52} {'req/s':>8} {'of floor':>9}")
    print(f"{'floor: uvicorn, constant 200-byte response':<52} {floor:>8.0f} {1:>9.2f}")
    print(f"{'aiwatch /calendar.ics, If-None-Match -> 304':<52} {rps['304']:>8.0f} "
          f"{rps['304'] / floor:>9.2f}")  # fmt: skip
    print(f"{f'aiwatch /calendar.ics, full body ({len(warm.content)} bytes)':<52} "
          f"{rps['200']:>8.0f} {rps['200'] / floor:>9.2f}")  # fmt: skip
    share = rps["304"] / floor
    print(f"304/floor {share:.2f} (target >= 0.5): {'OK' if share >= 0.5 else 'UNDER TARGET'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    bench_render(args.entries, args.runs)
    bench_http(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
