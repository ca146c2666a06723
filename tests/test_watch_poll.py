"""Polling real HTTP on 127.0.0.1: baseline, new items, dedup, edits, conditional GET, back-off,
limits, hostile documents. One bad source never stops the others."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from aiwatch.models import DerivedEvent, Item, Source
from aiwatch.settings import bundled_config_dir
from aiwatch.store import Store
from aiwatch.views import read_timeline
from aiwatch.watch.fetch import FetchLimits
from aiwatch.watch.poll import PollReport, poll_sources
from aiwatch.watch.sources import load_sources
from feedserver import Answer, FeedServer, fixture, rss, running

RULES = bundled_config_dir() / "classify.toml"
T0 = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running() as srv:
        yield srv


def sources(tmp_path: Path, **urls: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        "".join(
            f'[[source]]\nname = "{name.replace("_", "-")}"\nurl = "{url}"\ninterval = "1 hour"\n\n'
            for name, url in urls.items()
        )
    )
    return path


def poll(store: Store, file: Path, now: dt.datetime, **limits: Any) -> PollReport:
    fetch_limits = FetchLimits(**limits) if limits else None
    return poll_sources(store, load_sources(file), now, RULES, fetch_limits)


def by_name(report: PollReport) -> dict[str, Any]:
    return {s.name: s for s in report.sources}


def stored_items(store: Store) -> list[Item]:
    with store.session() as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def test_first_poll_is_a_baseline_then_only_new_items_are_new(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    url = server.serve("/ds.xml", Answer(body=fixture("digital-strategy.xml")))
    file = sources(tmp_path, ds=url)
    first = poll(store, file, T0)
    assert by_name(first)["ds"].status == "ok"
    assert first.new_items == []  # the back catalogue floods no one
    items = stored_items(store)
    assert len(items) == 5  # six entries, one a duplicate guid
    assert all(item.baseline for item in items)

    def label(prefix: str) -> str:
        (found,) = [item.label for item in items if item.title.startswith(prefix)]
        return found

    assert label("Commission opens consultation") == "consultation"
    assert label("Commission publishes guidelines") == "guideline"
    assert label("Commission appoints the members") == "appointment"
    assert label("Webinar on the AI Act") == "event"
    assert label("Chips Act") == "unrelated"
    consultation = items[0]
    assert consultation.url == (
        url.rsplit("/", 1)[0] + "/en/consultations/targeted-consultation-draft-guidelines-high-risk"
    )  # relative link made absolute against the feed's address
    assert "<p>" not in consultation.summary and "draft guidelines" in consultation.summary
    assert consultation.mentioned_dates == ["2027-01-15"]
    webinar = next(i for i in items if i.title.startswith("Webinar"))
    assert webinar.published is None  # missing dates are kept as unknown

    # The derived closing date is on the timeline even for a baseline item.
    timeline = read_timeline(store, T0.date())
    derived = [i for i in timeline if i.row.kind == "consultation-deadline"]
    assert [i.date.isoformat() for i in derived] == ["2027-01-15"]
    assert derived[0].row.title.startswith("Closing date: Commission opens consultation")

    # The feed gains one item: only that one is new, with its label, dates and event.
    body = fixture("digital-strategy.xml").replace(
        b"<item>",
        b"<item><title>AI Office launches call for experts to join the Advisory Forum</title>"
        b"<link>/en/news/advisory-forum-call</link><guid>ds-node-1002</guid>"
        b"<pubDate>Sat, 21 Nov 2026 09:00:00 +0100</pubDate></item><item>",
        1,
    )
    server.serve("/ds.xml", Answer(body=body))
    second = poll(store, file, T0 + dt.timedelta(hours=1))
    assert [(n.item.title, n.item.label) for n in second.new_items] == [
        ("AI Office launches call for experts to join the Advisory Forum", "appointment")
    ]
    assert by_name(second)["ds"].new == 1 and len(stored_items(store)) == 6


def test_an_edited_item_is_updated_not_new(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    item = {"title": "Commission publishes guidelines on AI literacy", "guid": "g-1",
            "link": "https://digital-strategy.ec.europa.eu/en/library/literacy"}  # fmt: skip
    server.serve("/f.xml", Answer(body=rss([item])))
    file = sources(tmp_path, f=server.url("/f.xml"))
    poll(store, file, T0)
    item["title"] = "Commission publishes guidelines and Q&A on AI literacy"
    server.serve("/f.xml", Answer(body=rss([item])))
    report = poll(store, file, T0 + dt.timedelta(hours=1))
    assert report.new_items == []
    (stored,) = stored_items(store)
    assert stored.title == "Commission publishes guidelines and Q&A on AI literacy"


def test_conditional_get_and_304(store: Store, server: FeedServer, tmp_path: Path) -> None:
    def answer(seen: Any) -> Answer:
        if seen.headers.get("if-none-match") == '"v1"':
            return Answer(304, headers={"ETag": '"v1"'})
        return Answer(body=rss([{"title": "AI Act news", "guid": "1"}]), headers={"ETag": '"v1"'})

    file = sources(tmp_path, f=server.serve("/f.xml", answer))
    poll(store, file, T0)
    report = poll(store, file, T0 + dt.timedelta(hours=1))
    assert by_name(report)["f"].status == "not-modified"
    assert by_name(report)["f"].http_status == 304
    assert server.hits("/f.xml")[1].headers["if-none-match"] == '"v1"'


def test_retry_after_and_backoff_one_bad_source_never_stops_the_others(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    server.serve("/busy.xml", Answer(429, b"slow down", {"Retry-After": "7200"}))
    server.serve("/down.xml", Answer(503, b"down"))
    server.serve("/good.xml", Answer(body=rss([{"title": "AI Office news", "guid": "1"}])))
    file = sources(
        tmp_path, busy=server.url("/busy.xml"), down=server.url("/down.xml"),
        good=server.url("/good.xml"),
    )  # fmt: skip
    report = by_name(poll(store, file, T0))
    assert report["good"].status == "ok"
    assert report["busy"].status == "error" and report["busy"].error == "HTTP 429 Too Many Requests"
    assert report["busy"].next_poll == T0 + dt.timedelta(hours=2)  # Retry-After honoured
    assert report["down"].next_poll == T0 + dt.timedelta(hours=1)  # first failure: one interval
    # Half an hour later: both failing sources are in back-off and are not fetched.
    later = by_name(poll(store, file, T0 + dt.timedelta(minutes=30)))
    assert later["busy"].status == later["down"].status == "backoff"
    assert len(server.hits("/busy.xml")) == 1
    # Failing again doubles the wait.
    again = by_name(poll(store, file, T0 + dt.timedelta(hours=3)))
    assert again["down"].next_poll == T0 + dt.timedelta(hours=3) + dt.timedelta(hours=2)
    with store.session() as session:
        down = session.exec(select(Source).where(Source.name == "down")).one()
        assert down.failures == 2 and down.last_error == "HTTP 503 Service Unavailable"


def test_redirects_are_followed_within_a_limit(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    server.serve("/moved.xml", Answer(301, headers={"Location": "/new.xml"}))
    server.serve("/new.xml", Answer(body=rss([{"title": "AI Act news", "guid": "1"}])))
    for hop in range(8):
        server.serve(f"/loop{hop}.xml", Answer(302, headers={"Location": f"/loop{hop + 1}.xml"}))
    file = sources(tmp_path, moved=server.url("/moved.xml"), loop=server.url("/loop0.xml"))
    report = by_name(poll(store, file, T0))
    assert report["moved"].status == "ok"
    assert report["loop"].status == "error" and "redirects" in (report["loop"].error or "")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Answer(body=fixture("not-a-feed.html"), headers={"Content-Type": "text/html"}),
            "HTML page",
        ),
        (Answer(body=b""), "empty body"),
        (Answer(body=b"just some text"), "not an RSS or Atom feed"),
        (Answer(body=fixture("billion-laughs.xml")), "declares XML entities"),
        (Answer(body=fixture("external-entity.xml")), "declares XML entities"),
    ],
)
def test_non_feeds_are_errors_not_zero_items(
    store: Store, server: FeedServer, tmp_path: Path, answer: Answer, message: str
) -> None:
    file = sources(tmp_path, bad=server.serve("/bad", answer))
    report = by_name(poll(store, file, T0))["bad"]
    assert report.status == "error" and message in (report.error or "")
    assert stored_items(store) == []


def test_size_limits_hold_after_decompression(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    huge = b"<rss>" + b" " * 30_000_000 + b"</rss>"  # 30 MB that gzip squeezes to ~30 KB
    bomb = gzip.compress(huge)
    del huge
    server.serve("/bomb.xml", Answer(body=bomb, headers={"Content-Encoding": "gzip"}))
    server.serve("/big.xml", Answer(body=b"x" * 2_000_000))
    file = sources(tmp_path, bomb=server.url("/bomb.xml"), big=server.url("/big.xml"))
    tracemalloc.start()
    report = by_name(poll(store, file, T0, max_bytes=1_000_000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report["bomb"].error == "body larger than 1000000 bytes"
    assert report["big"].error == "body larger than 1000000 bytes"
    assert peak < 20_000_000  # never held the expanded 30 MB


def test_a_server_that_never_answers_times_out_alone(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    server.serve("/slow.xml", Answer(body=b"", delay=5))
    server.serve("/good.xml", Answer(body=rss([{"title": "AI Act news", "guid": "1"}])))
    file = sources(tmp_path, slow=server.url("/slow.xml"), good=server.url("/good.xml"))
    report = by_name(poll(store, file, T0, read_timeout=0.5, total_timeout=1.0))
    assert report["good"].status == "ok"
    assert report["slow"].status == "error" and "timed out" in (report["slow"].error or "")


def test_malformed_feed_keeps_what_parses(store: Store, server: FeedServer, tmp_path: Path) -> None:
    file = sources(tmp_path, m=server.serve("/m.xml", Answer(body=fixture("malformed.xml"))))
    report = by_name(poll(store, file, T0))["m"]
    assert report.status == "ok"
    assert report.warnings and "malformed" in report.warnings[0]
    # A guid is a permalink unless it says otherwise: feedparser resolves it against the feed.
    assert stored_items(store)[0].key.endswith("/m-1")


def test_non_english_feeds(store: Store, server: FeedServer, tmp_path: Path) -> None:
    file = sources(
        tmp_path, de=server.serve("/de.xml", Answer(body=fixture("presscorner-de.xml"))),
        fr=server.serve("/fr.xml", Answer(body=fixture("atom-fr.xml"))),
    )  # fmt: skip
    poll(store, file, T0)
    found = {item.title[:30]: item for item in stored_items(store)}
    de = found["KI-Verordnung: Kommission leit"]
    assert (de.lang, de.label, de.mentioned_dates) == ("de", "consultation", ["2027-01-15"])
    assert found["Kommission genehmigt staatlich"].label == "unrelated"
    board = found["Le Comité européen de l'intell"]
    assert (board.lang, board.label, board.mentioned_dates) == (
        "fr",
        "board-meeting",
        ["2026-12-10"],
    )
    code = found["Code de bonnes pratiques sur l"]
    assert code.label == "code-of-practice"
    assert (
        code.key == "https://digital-strategy.ec.europa.eu/fr/library/code-marquage-deuxieme-projet"
    )
    with store.session() as session:
        kinds = sorted(e.kind for e in session.exec(select(DerivedEvent)))
    assert kinds == ["consultation-deadline", "event"]


def test_check_reports_new_items_and_sources(cli: Any, server: FeedServer, tmp_path: Path) -> None:
    feed = [{"title": "AI Act news", "guid": "1"}]
    server.serve("/f.xml", Answer(body=rss(feed)))
    server.serve("/gone.xml", Answer(404, b"no"))
    file = sources(tmp_path, f=server.url("/f.xml"), gone=server.url("/gone.xml"))
    first = cli("check", "--format", "json", "--sources", str(file))
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["new_items"] == []
    assert [(s["name"], s["status"], s["http_status"]) for s in report["sources"]] == [
        ("f", "ok", 200), ("gone", "error", 404),
    ]  # fmt: skip
    assert set(report["sources"][0]) >= {
        "name", "url", "status", "http_status", "items", "new", "error", "next_poll"
    }  # fmt: skip
    title = "Commission opens consultation on AI Act guidelines until 15 January 2099"
    feed.insert(0, {"title": title, "guid": "2", "link": "https://digital-strategy.ec.europa.eu/c"})
    server.serve("/f.xml", Answer(body=rss(feed)))
    second = cli("check", "--format", "json", "--sources", str(file), "--fail-on", "new:guideline")
    assert second.exit_code == 0  # new, but not a guideline
    (new,) = json.loads(second.stdout)["new_items"]
    assert (new["label"], new["mentioned_dates"], new["source"]) == (
        "consultation", ["2099-01-15"], "f",
    )  # fmt: skip
    assert new["event_ids"] and new["event_ids"][0].endswith("-2099-01-15")
    assert set(new) >= {"source", "key", "title", "url", "published", "lang", "label", "rule",
                        "mentioned_dates", "event_ids"}  # fmt: skip
    feed.insert(0, {"title": "Commission publishes guidelines on AI literacy", "guid": "3"})
    server.serve("/f.xml", Answer(body=rss(feed)))
    third = cli("check", "--sources", str(file), "--fail-on", "new:guideline,consultation")
    assert third.exit_code == 1
    strict = cli("check", "--sources", str(file), "--strict")
    assert strict.exit_code == 3  # the 404 source, now in back-off


def test_sources_test_command(cli: Any, server: FeedServer) -> None:
    url = server.serve("/ds.xml", Answer(body=fixture("digital-strategy.xml")))
    result = cli("sources", "test", url, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"url", "status", "http_status", "error", "items"}
    assert data["status"] == "ok" and data["http_status"] == 200
    first = data["items"][0]
    assert set(first) == {"title", "url", "published", "lang", "label", "rule", "mentioned_dates"}
    assert first["mentioned_dates"] == ["2027-01-15"]
    html = server.serve("/page", Answer(body=fixture("not-a-feed.html")))
    refused = cli("sources", "test", html, "--format", "json")
    assert refused.exit_code == 3
    assert "HTML page" in json.loads(refused.stdout)["error"]
    assert cli("sources", "test", server.url("/missing")).exit_code == 3


def test_sources_list_shows_health(cli: Any, server: FeedServer, tmp_path: Path) -> None:
    file = sources(
        tmp_path, ok=server.serve("/ok.xml", Answer(body=rss([{"title": "AI Act", "guid": "1"}]))),
        bad=server.serve("/bad.xml", Answer(500, b"oops")),
    )  # fmt: skip
    cli("check", "--sources", str(file))
    result = cli("sources", "list", "--sources", str(file), "--format", "json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["ok"]["status"] == "ok" and rows["ok"]["items"] == 1
    assert rows["bad"]["status"] == "backoff"
    assert rows["bad"]["last_error"] == "HTTP 500 Internal Server Error"
    assert rows["bad"]["next_poll"] and rows["ok"]["last_poll"]


def test_many_sources_are_parsed_in_worker_processes(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    from aiwatch.watch.poll import POOL_THRESHOLD

    count = POOL_THRESHOLD + 4
    urls = {
        f"feed_{n}": server.serve(
            f"/p{n}.xml", Answer(body=rss([{"title": f"AI Act news {n}", "guid": f"{n}"}]))
        )
        for n in range(count)
    }
    urls["broken"] = server.serve("/broken.xml", Answer(body=fixture("billion-laughs.xml")))
    report = by_name(poll(store, sources(tmp_path, **urls), T0))
    assert sum(r.status == "ok" for r in report.values()) == count
    assert "declares XML entities" in (report["broken"].error or "")
    assert len(stored_items(store)) == count
