"""Serving calendars: conditional GET, HEAD, filters, personal tokens, and the render cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aiwatch.calendar import CalendarOptions
from aiwatch.calendars import CalendarRequest
from aiwatch.catalog.loader import load_catalog
from aiwatch.store import Store
from aiwatch.sync import sync_catalog
from aiwatch.timeline import Filters
from aiwatch.web.app import create_app
from asgi_client import AsgiClient
from catalog_factory import milestone, write_catalog

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TOKEN = "k3Jx9_QpZr7LmN2vTcYw4A"  # 22 URL-safe characters: 132 bits


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return write_catalog(
        tmp_path / "c",
        [
            milestone("deployer-duty", date="2027-01-10", roles=["deployer"]),
            milestone("provider-duty", date="2027-02-10", roles=["provider"]),
            milestone("long-ago", date="2024-08-01", roles=["everyone"]),
        ],
    )


@pytest.fixture
def synced(store: Store, catalog_dir: Path) -> Store:
    with store.session() as session:
        sync_catalog(session, load_catalog(catalog_dir), NOW)
    return store


def personal(token: str) -> CalendarRequest | None:
    if token != TOKEN:
        return None
    return CalendarRequest(
        Filters(roles=frozenset({"deployer"})), CalendarOptions(name="Ours", alarms=(30, 7))
    )


@pytest.fixture
def client(synced: Store) -> AsgiClient:
    return AsgiClient(create_app(synced, personal, clock=lambda: NOW, freshness_interval=0))


def test_calendar_headers_and_conditional_get(client: AsgiClient) -> None:
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["cache-control"] == "public, max-age=21600"
    assert "Last-Modified" not in response.headers or response.headers["last-modified"]
    assert b"BEGIN:VCALENDAR" in response.content
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/calendar.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_head_has_no_body_but_the_length(client: AsgiClient) -> None:
    full = client.get("/calendar.ics?role=deployer")
    head = client.head("/calendar.ics?role=deployer")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(full.content))
    assert head.headers["etag"] == full.headers["etag"]


def test_filters_and_past_window(client: AsgiClient) -> None:
    body = client.get("/calendar.ics?role=deployer").text
    assert "UID:deployer-duty@" in body and "UID:provider-duty@" not in body
    # The default window reaches one year back; long-ago (2024-08-01) is older than that.
    assert "UID:long-ago@" not in body
    wider = client.get("/calendar.ics?role=deployer&past_days=1000").text
    assert "UID:long-ago@" in wider  # an entry for everyone matches the deployer filter


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("role=ceo", "unknown role 'ceo'; valid: provider, deployer"),
        ("topic=cats", "unknown topic 'cats'"),
        ("kind=party", "unknown kind 'party'"),
        ("lead=soon", "lead: 'soon' is not a number of days"),
        ("colour=red", "unknown parameter 'colour'"),
    ],
)
def test_bad_filters_are_400_with_the_valid_values(
    client: AsgiClient, query: str, message: str
) -> None:
    response = client.get(f"/calendar.ics?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_lead_events_on_request(client: AsgiClient) -> None:
    body = client.get("/calendar.ics?lead=30,7").text
    assert "UID:deployer-duty-lead-30@" in body and "UID:deployer-duty-lead-7@" in body


def test_personal_calendar_has_alarms_and_unknown_tokens_reveal_nothing(
    client: AsgiClient,
) -> None:
    mine = client.get(f"/calendars/{TOKEN}.ics")
    assert mine.status_code == 200
    assert "BEGIN:VALARM" in mine.text and "TRIGGER:-P29DT15H" in mine.text
    assert "UID:provider-duty@" not in mine.text
    unknown = client.get("/calendars/AAAAAAAAAAAAAAAAAAAAAAAA.ics")
    malformed = client.get("/calendars/x.ics")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.text == malformed.text == "Not Found"
    assert unknown.headers.get("content-length") == malformed.headers.get("content-length")


def test_unchanged_data_is_not_rendered_again(
    client: AsgiClient, store: Store, catalog_dir: Path
) -> None:
    cache = client.app.cache
    first = client.get("/calendar.ics")
    for _ in range(5):
        assert client.get("/calendar.ics").status_code == 200
        assert (
            client.get(
                "/calendar.ics", headers={"If-None-Match": first.headers["etag"]}
            ).status_code
            == 304
        )
    assert cache.renders == 1
    # The data changes: the next request renders anew, with a new ETag.
    write_catalog(catalog_dir, [milestone("deployer-duty", date="2027-01-20", roles=["deployer"])])
    with store.session() as session:
        sync_catalog(session, load_catalog(catalog_dir), NOW + dt.timedelta(hours=1))
    changed = client.get("/calendar.ics", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
    assert "DTSTART;VALUE=DATE:20270120" in changed.text
    assert cache.renders == 2


def test_healthz(client: AsgiClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
