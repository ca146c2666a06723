"""Polling speed: 500 feeds of 50 items on a local server, as ratios against floors measured in the
same run (these machines are noisy).

Contenders, in one table:
- floor: feedparser parsing the same 500 bodies from memory, no network, no storage;
- aiwatch, first poll (fetch, parse, classify, extract, store in SQLite);
- aiwatch, second poll (every feed answers 304);
- a naive loop: sequential httpx.get + feedparser.parse + INSERT into SQLite;
- the `reader` library updating the same feeds (`pip install -e '.[bench]'`).
Targets (issue 3): first poll within 1.3x of the floor and faster than the naive loop and reader;
the all-304 poll at least 20x faster than the first poll.

The feeds are served by a separate process (uvicorn, a raw ASGI app with ETags), so the server
does not share a GIL with the measured code.
Run: `make bench` or `.venv/bin/python bench/poll_speed.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import feedparser
import httpx

from aiwatch.settings import bundled_config_dir
from aiwatch.store import Store
from aiwatch.watch.poll import poll_sources
from aiwatch.watch.sources import SourceSpec

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TITLES = [
    "Commission publishes guidelines on {x} under the AI Act",
    "Commission opens consultation on {x}; contributions until 15 January 2027",
    "AI Office webinar on {x} on 3 December",
    "Second draft of the code of practice on {x} published",
    "Commission approves state aid for {x}",
    "Digital Services Act: Commission opens proceedings on {x}",
    "Chips Act: new pilot line for {x}",
    "Council agrees position on {x}",
]
TOPICS = ["transparency", "high-risk systems", "general-purpose AI", "AI literacy", "farmers",
          "platforms", "semiconductors", "data spaces", "sandboxes", "incidents"]  # fmt: skip

SERVER = textwrap.dedent(
    """
    import sys, uvicorn
    from pathlib import Path
    root = Path(sys.argv[1])
    bodies = {f"/{p.name}": p.read_bytes() for p in root.glob("*.xml")}
    tags = {k: ('"%x"' % abs(hash(v))).encode() for k, v in bodies.items()}
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        path = scope["path"]
        body = bodies.get(path)
        if body is None:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        tag = tags[path]
        if dict(scope["headers"]).get(b"if-none-match") == tag:
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", tag), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/rss+xml; charset=utf-8"), (b"etag", tag),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
                access_log=False)
    """
)


def make_feed(index: int, items: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Feed {index}</title><link>https://example.invalid/{index}</link>",
        "<description>bench</description><language>en</language>",
    ]
    for n in range(items):
        seed = int(hashlib.sha1(f"{index}-{n}".encode()).hexdigest()[:8], 16)
        title = TITLES[seed % len(TITLES)].format(x=TOPICS[seed // 7 % len(TOPICS)])
        day = dt.datetime(2026, 11, 20) - dt.timedelta(hours=n * 7 + index % 5)
        parts.append(
            f"<item><title>{title.replace('&', '&amp;')}</title>"
            f"<link>/news/{index}/{n}</link><guid isPermaLink='false'>{index}-{n}</guid>"
            f"<pubDate>{day.strftime('%a, %d %b %Y %H:%M:%S')} +0100</pubDate>"
            "<description>&lt;p&gt;The European Commission has today taken a step on "
            f"{TOPICS[seed % len(TOPICS)]}. &lt;a href='/more'&gt;Read more&lt;/a&gt; about the "
            "policy, its background and the next steps.&lt;/p&gt;</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def naive(urls: list[str], db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS item (feed TEXT, key TEXT, title TEXT, link TEXT, "
                 "summary TEXT, published TEXT, UNIQUE (feed, key))")  # fmt: skip
    for url in urls:
        parsed = feedparser.parse(httpx.get(url).content)
        conn.executemany(
            "INSERT OR IGNORE INTO item VALUES (?, ?, ?, ?, ?, ?)",
            [(url, e.get("id"), e.get("title"), e.get("link"), e.get("summary"),
              e.get("published")) for e in parsed.entries],
        )  # fmt: skip
        conn.commit()
    conn.close()


def with_reader(urls: list[str], db: Path) -> float | None:
    try:
        from reader import make_reader
    except ImportError:
        return None
    reader = make_reader(str(db))
    for url in urls:
        reader.add_feed(url)
    elapsed = timed(lambda: reader.update_feeds(workers=8))
    reader.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "feeds").mkdir()
        bodies = []
        for index in range(args.feeds):
            body = make_feed(index, args.items)
            (root / "feeds" / f"f{index}.xml").write_bytes(body)
            bodies.append(body)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(root / "feeds"), str(port)])
        base = f"http://127.0.0.1:{port}"
        urls = [f"{base}/f{index}.xml" for index in range(args.feeds)]
        for _ in range(100):
            try:
                httpx.get(urls[0])
                break
            except httpx.TransportError:
                time.sleep(0.1)
        try:
            floor = timed(lambda: [feedparser.parse(b) for b in bodies])
            store = Store(f"sqlite:///{root / 'aiwatch.db'}")
            store.upgrade()
            specs = [SourceSpec(name=f"f{i}", url=url) for i, url in enumerate(urls)]
            rules = bundled_config_dir() / "classify.toml"
            first = timed(lambda: poll_sources(store, specs, NOW, rules))
            second = timed(lambda: poll_sources(store, specs, NOW + dt.timedelta(hours=1), rules))
            with store.session() as session:
                from sqlmodel import func, select

                from aiwatch.models import Item

                stored = session.exec(select(func.count()).select_from(Item)).one()
            store.close()
            naive_s = timed(lambda: naive(urls, root / "naive.db"))
            reader_s = with_reader(urls, root / "reader.sqlite")
        finally:
            server.terminate()
            server.wait(timeout=10)
    n_items = args.feeds * args.items
    print(f"\n{args.feeds} feeds x {args.items} items on 127.0.0.1 ({stored} items stored)")
    print(f"{'what':<52} {'seconds':>8} {'x floor':>8}")
    rows = [
        ("floor: feedparser on the bodies in memory", floor),
        ("aiwatch first poll (fetch+parse+classify+store)", first),
        ("aiwatch second poll (all 304)", second),
        ("naive loop: httpx.get + feedparser + sqlite", naive_s),
        ("reader.update_feeds(workers=8)", reader_s),
    ]
    for name, seconds in rows:
        if seconds is None:
            print(f"{name:<52} {'n/a (pip install reader)':>17}")
        else:
            print(f"{name:<52} {seconds:>8.2f} {seconds / floor:>8.2f}")
    print(f"items per second, first poll: {n_items / first:.0f}")
    checks = [
        ("first poll <= 1.3x floor", first <= 1.3 * floor),
        ("first poll faster than the naive loop", first < naive_s),
        ("first poll faster than reader", reader_s is None or first < reader_s),
        ("all-304 poll >= 20x faster than the first", first / second >= 20),
    ]
    print(f"first/second poll: {first / second:.1f}x")
    for name, ok in checks:
        print(f"  {'OK  ' if ok else 'MISS'} {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
