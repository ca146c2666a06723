"""Email through a real SMTP server (aiosmtpd) on 127.0.0.1, and Apprise through its json://
scheme to a local HTTP server."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlmodel import select

from aiwatch.alerts import run_alerts
from aiwatch.catalog.loader import load_catalog
from aiwatch.models import Outbox
from aiwatch.settings import Settings
from aiwatch.store import Store
from aiwatch.subscribers import SubscriberSpec, add
from aiwatch.sync import sync_catalog
from catalog_factory import milestone, write_catalog

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
DEADLINE = dt.date(2026, 12, 22)  # its 30-day reminder came due on 22 November


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def prepare(store: Store, tmp_path: Path, channel: str, target: str, **extra: Any) -> None:
    entry = milestone("wave", date=DEADLINE.isoformat(), title="Annex III; high-risk, rules apply")
    folder = write_catalog(tmp_path / "c", [entry])
    with store.session() as session:
        sync_catalog(session, load_catalog(folder), NOW - dt.timedelta(days=30))
    spec = SubscriberSpec("team", target, channel=channel, leads=[30, 7], **extra)
    add(store, spec, NOW - dt.timedelta(days=20))


def test_a_reminder_email_with_its_calendar_part(
    store: Store, tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    prepare(store, tmp_path, "email", "compliance@example.org")
    settings = Settings(config=tmp_path, smtp_host="127.0.0.1", smtp_port=port,
                        smtp_security="none", smtp_from="aiwatch@example.org")  # fmt: skip
    report = run_alerts(store, settings, NOW, send=True)
    assert report.sent == 1
    (message,) = sink.messages
    assert message["To"] == "compliance@example.org"
    assert (
        message["Subject"] == "AI Act: Annex III; high-risk, rules apply on 2026-12-22 (in 29 days)"
    )
    assert str(message["List-Unsubscribe"]).strip().startswith("<mailto:aiwatch@example.org")
    with store.session() as session:
        assert message["X-Aiwatch-Id"] == session.exec(select(Outbox)).one().key
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    (ics,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "PUBLISH"
    calendar = Calendar.from_ical(ics.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].dt == DEADLINE
    assert str(event["UID"]) == "wave@aiwatch.eu-ai-act"  # the same event as in the feeds
    assert run_alerts(store, settings, NOW + dt.timedelta(minutes=5), send=True).sent == 0


def test_email_without_smtp_settings_fails_and_retries(store: Store, tmp_path: Path) -> None:
    prepare(store, tmp_path, "email", "compliance@example.org")
    report = run_alerts(store, Settings(config=tmp_path), NOW, send=True)
    assert report.failed == 1
    with store.session() as session:
        row = session.exec(select(Outbox)).one()
    assert row.status == "failed" and "SMTP is not configured" in (row.last_error or "")


@pytest.fixture
def json_server() -> Iterator[tuple[list[dict[str, Any]], int]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_apprise_gets_a_title_and_body(
    store: Store, tmp_path: Path, json_server: tuple[list[dict[str, Any]], int]
) -> None:
    received, port = json_server
    prepare(store, tmp_path, "apprise", f"json://127.0.0.1:{port}/notify")
    report = run_alerts(store, Settings(config=tmp_path), NOW, send=True)
    assert report.sent == 1
    (message,) = received
    assert message["title"].startswith("AI Act: Annex III; high-risk, rules apply on 2026-12-22")
    assert "Legal basis: Art. 113" in message["message"]


def test_a_bad_apprise_url_is_dead_at_once(store: Store, tmp_path: Path) -> None:
    prepare(store, tmp_path, "apprise", "nosuchservice://whatever")
    report = run_alerts(store, Settings(config=tmp_path), NOW, send=True)
    assert report.dead == 1
