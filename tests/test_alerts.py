"""Alerts end to end: plan, outbox, signed webhooks to a local receiver that verifies them with the
`standardwebhooks` package; retries with the same webhook-id, dead letters, 410, SSRF refusal, a
moved date cancelling its old reminders, and `check` sending nothing twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from aiwatch.alerts import run_alerts
from aiwatch.catalog.loader import load_catalog
from aiwatch.deliver.outbox import requeue
from aiwatch.deliver.webhook import new_secret
from aiwatch.models import DeliveryAttempt, Outbox, Subscriber
from aiwatch.settings import Settings
from aiwatch.store import Store
from aiwatch.subscribers import SubscriberSpec, add
from aiwatch.sync import sync_catalog
from catalog_factory import milestone, write_catalog
from receiver import receiving

NOW = dt.datetime.now(dt.UTC)  # the receiver checks signature timestamps against real time
DEADLINE = (NOW + dt.timedelta(days=29)).date()  # its 30-day reminder came due yesterday


def settings(tmp_path: Path, allow_private: bool = True) -> Settings:
    return Settings(config=tmp_path, allow_private_targets=allow_private)


def setup(store: Store, tmp_path: Path, url: str, secret: str, day: dt.date = DEADLINE) -> None:
    folder = write_catalog(tmp_path / "c", [milestone("wave", date=day.isoformat(),
                                                     roles=["deployer"])])  # fmt: skip
    with store.session() as session:
        sync_catalog(session, load_catalog(folder), NOW - dt.timedelta(days=3))
    spec = SubscriberSpec("team", url, secret, roles=["deployer"], leads=[30, 7])
    add(store, spec, NOW - dt.timedelta(days=2))


def outbox(store: Store) -> list[Outbox]:
    with store.session() as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)))  # type: ignore[arg-type]


def test_a_due_reminder_is_signed_delivered_once(store: Store, tmp_path: Path) -> None:
    secret = new_secret()
    with receiving(secret) as hook:
        setup(store, tmp_path, hook.url, secret)
        first = run_alerts(store, settings(tmp_path), NOW, send=True)
        second = run_alerts(store, settings(tmp_path), NOW + dt.timedelta(minutes=1), send=True)
    assert (first.planned, first.sent, second.planned, second.sent) == (1, 1, 0, 0)
    (got,) = hook.received
    assert got.verified  # standardwebhooks accepted the signature
    (row,) = outbox(store)
    assert got.webhook_id == row.key == f"{row.subscriber_id}:deadline.reminder:wave:{DEADLINE}:30"
    assert got.body["type"] == "deadline.reminder"
    assert got.body["data"]["date"] == DEADLINE.isoformat() and got.body["data"]["lead_days"] == 30
    assert set(got.body) == {"type", "timestamp", "data"}
    assert row.status == "delivered"


def test_500_then_200_retries_with_the_same_webhook_id(store: Store, tmp_path: Path) -> None:
    secret = new_secret()
    with receiving(secret, statuses=[500]) as hook:
        setup(store, tmp_path, hook.url, secret)
        first = run_alerts(store, settings(tmp_path), NOW, send=True)
        (row,) = outbox(store)
        assert (first.failed, row.status, row.last_error) == (1, "failed", "HTTP 500")
        assert dt.timedelta(seconds=4) <= row.next_attempt_at - NOW <= dt.timedelta(seconds=6)
        too_soon = run_alerts(store, settings(tmp_path), NOW + dt.timedelta(seconds=1), send=True)
        assert too_soon.sent == 0 and len(hook.received) == 1
        later = run_alerts(store, settings(tmp_path), NOW + dt.timedelta(seconds=10), send=True)
    assert later.sent == 1
    assert [r.status for r in hook.received] == [500, 200]
    assert hook.received[0].webhook_id == hook.received[1].webhook_id
    with store.session() as session:
        attempts = list(session.exec(select(DeliveryAttempt)))
    assert [a.status_code for a in attempts] == [500, 200]


def test_dead_letter_and_retry(store: Store, tmp_path: Path) -> None:
    secret = new_secret()
    with receiving(secret, statuses=[503] * 9) as hook:
        setup(store, tmp_path, hook.url, secret)
        moment = NOW
        for _ in range(9):
            run_alerts(store, settings(tmp_path), moment, send=True)
            moment += dt.timedelta(days=2)  # longer than any back-off step
        (row,) = outbox(store)
        assert (row.status, row.attempts) == ("dead", 9)
        with store.session() as session:
            assert requeue(session, NOW, None) == 1
        again = run_alerts(store, settings(tmp_path), NOW + dt.timedelta(minutes=5), send=True)
    assert again.sent == 1 and hook.received[-1].status == 200


def test_410_unsubscribes(store: Store, tmp_path: Path) -> None:
    secret = new_secret()
    with receiving(secret, statuses=[410]) as hook:
        setup(store, tmp_path, hook.url, secret)
        report = run_alerts(store, settings(tmp_path), NOW, send=True)
    assert report.dead == 1
    with store.session() as session:
        assert session.exec(select(Subscriber)).one().active is False


def test_private_targets_are_refused_unless_allowed(store: Store, tmp_path: Path) -> None:
    secret = new_secret()
    with receiving(secret) as hook:
        setup(store, tmp_path, hook.url, secret)
        report = run_alerts(store, settings(tmp_path, allow_private=False), NOW, send=True)
    assert report.dead == 1 and hook.received == []
    (row,) = outbox(store)
    assert "non-public address (refused)" in (row.last_error or "")


@pytest.mark.parametrize("address", ["http://169.254.169.254/latest", "http://10.0.0.8/x",
                                     "http://[::1]:8080/x", "ftp://example.invalid/x"])  # fmt: skip
def test_ssrf_guard_addresses(address: str) -> None:
    import asyncio

    from aiwatch.deliver.webhook import refused_target

    assert asyncio.run(refused_target(address, allow_private=False)) is not None


def test_a_moved_date_cancels_the_pending_reminder(store: Store, tmp_path: Path) -> None:
    secret = new_secret()
    with receiving(secret, statuses=[500]) as hook:
        setup(store, tmp_path, hook.url, secret)
        run_alerts(store, settings(tmp_path), NOW, send=True)  # fails, waits for a retry
        moved = DEADLINE + dt.timedelta(days=200)
        folder = write_catalog(tmp_path / "c", [milestone("wave", date=moved.isoformat(),
                                                         roles=["deployer"])])  # fmt: skip
        with store.session() as session:
            sync_catalog(session, load_catalog(folder), NOW + dt.timedelta(seconds=1))
        report = run_alerts(store, settings(tmp_path), NOW + dt.timedelta(seconds=10), send=True)
    rows = {row.kind: row for row in outbox(store)}
    assert rows["deadline.reminder"].status == "cancelled"
    assert rows["deadline.changed"].status == "delivered"
    assert report.sent == 1
    assert [r.body["type"] for r in hook.received] == ["deadline.reminder", "deadline.changed"]
    assert hook.received[-1].body["data"]["new_date"] == moved.isoformat()


def test_check_reports_deliveries_and_sends_nothing_twice(cli: Any, tmp_path: Path) -> None:
    secret = new_secret()
    folder = write_catalog(
        tmp_path / "c",
        [milestone("wave", date=DEADLINE.isoformat())],
        settings="allow_private_targets = true\n",
    )
    (folder / "sources.toml").write_text("")
    with receiving(secret) as hook:
        added = cli("subscribers", "add", "team", "--webhook", hook.url, "--secret", secret,
                    "--lead", "30,7", config=folder)  # fmt: skip
        assert added.exit_code == 0, added.output
        baseline = json.loads(cli("check", "--format", "json", config=folder).stdout)
        assert baseline["deliveries"]["sent"] == 0  # the 30-day reminder was due before joining
        moved = DEADLINE + dt.timedelta(days=100)
        write_catalog(folder, [milestone("wave", date=moved.isoformat())])
        dry = json.loads(cli("check", "--format", "json", "--no-send", config=folder).stdout)
        assert dry["deliveries"]["sent"] == 0 and hook.received == []
        first = json.loads(cli("check", "--format", "json", config=folder).stdout)
        second = json.loads(cli("check", "--format", "json", config=folder).stdout)
    assert set(first["deliveries"]) == {"planned", "sent", "failed", "pending", "dead"}
    assert first["deliveries"]["sent"] == 1 and second["deliveries"]["sent"] == 0
    (got,) = hook.received
    assert got.verified and got.body["type"] == "deadline.changed"
    assert got.body["data"]["new_date"] == moved.isoformat()
    listed = cli("deliveries", "list", "--format", "json", config=folder)
    assert [r["status"] for r in json.loads(listed.stdout)] == ["delivered"]


def test_subscribers_cli_validates_and_shows_the_calendar(cli: Any, tmp_path: Path) -> None:
    bad = cli("subscribers", "add", "x", "--webhook", "https://example.invalid/h", "--role", "ceo",
              "--tz", "Mars/Olympus")  # fmt: skip
    assert bad.exit_code == 2
    assert "unknown role 'ceo'" in bad.stderr and "unknown time zone 'Mars/Olympus'" in bad.stderr
    assert cli("subscribers", "add", "mail", "--email", "a@b.example").exit_code == 0
    not_an_address = cli("subscribers", "add", "y", "--email", "nobody")
    assert (
        not_an_address.exit_code == 2
        and "'nobody' is not an email address" in not_an_address.stderr
    )
    two = cli("subscribers", "add", "z", "--email", "a@b.example", "--webhook", "https://e.invalid")
    assert two.exit_code == 2 and "exactly one channel" in two.stderr
    good = cli("subscribers", "add", "ops", "--webhook", "https://example.invalid/h")
    assert good.exit_code == 0 and "secret (shown once" in good.stdout and "whsec_" in good.stdout
    shown = cli("subscribers", "show", "ops")
    assert "calendar: /calendars/" in shown.stdout
    assert cli("subscribers", "add", "ops", "--webhook", "https://example.invalid/h").exit_code == 2
    assert cli("subscribers", "remove", "ops").exit_code == 0
    listed = json.loads(cli("subscribers", "list", "--format", "json").stdout)
    assert [(s["name"], s["channel"], s["active"]) for s in listed] == [
        ("mail", "email", True), ("ops", "webhook", False)
    ]  # fmt: skip
