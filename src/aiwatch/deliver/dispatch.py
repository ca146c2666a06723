"""Sending what the outbox holds: claim due rows, send each through its subscriber's channel with a
global and a per-endpoint concurrency limit, record every attempt. One dead endpoint never holds
up the others."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import col, select

from aiwatch.deliver.apprise import send_apprise
from aiwatch.deliver.email import send_email
from aiwatch.deliver.outbox import LEASE, Outcome, cancel, claim, record_outcome
from aiwatch.deliver.webhook import send_webhook
from aiwatch.models import Outbox, Subscriber
from aiwatch.store import Store


@dataclass(frozen=True)
class DeliveryLimits:
    allow_private_targets: bool = False
    timeout: float = 10.0
    concurrency: int = 16
    per_endpoint: int = 4
    smtp: dict[str, Any] = field(default_factory=dict, hash=False)
    lease: dt.timedelta = LEASE


@dataclass
class DeliveryReport:
    counts: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, int]:
        return {k: self.counts[k] for k in ("sent", "failed", "dead", "cancelled")}


async def _send(
    client: httpx.AsyncClient, row: Outbox, subscriber: Subscriber, now: dt.datetime,
    limits: DeliveryLimits,
) -> Outcome:  # fmt: skip
    if not subscriber.active:
        return Outcome(False, error="subscriber is inactive", permanent=True)
    if subscriber.channel == "webhook" and subscriber.secret:
        return await send_webhook(
            client, subscriber.target, subscriber.secret, row.key, row.payload, now,
            limits.allow_private_targets, limits.timeout,
        )  # fmt: skip
    if subscriber.channel == "email":
        return await send_email(subscriber.target, row.key, row.payload, now, limits.smtp)
    if subscriber.channel == "apprise":
        return await send_apprise(subscriber.target, row.payload)
    return Outcome(False, error=f"channel '{subscriber.channel}' cannot deliver", permanent=True)


def send_test(subscriber: Subscriber, now: dt.datetime, limits: DeliveryLimits) -> Outcome:
    """A signed ``test`` event straight to the subscriber's channel, outside the outbox."""
    payload: dict[str, object] = {
        "type": "test",
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": {"message": "aiwatch test event", "subscriber": subscriber.name,
                 "title": "aiwatch test event", "date": now.date().isoformat(),
                 "legal_basis": "-", "status": "-", "sources": []},
    }  # fmt: skip
    row = Outbox(
        key=f"test:{subscriber.id}:{int(now.timestamp())}",
        subscriber_id=subscriber.id or 0,
        kind="test",
        subject="test",
        payload=payload,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )

    async def go() -> Outcome:
        async with httpx.AsyncClient(follow_redirects=False) as client:
            return await _send(client, row, subscriber, now, limits)

    return asyncio.run(go())


def deliver_due(
    store: Store,
    now: dt.datetime,
    limits: DeliveryLimits,
    current_dates: dict[str, str] | Callable[[], dict[str, str]],
    should_stop: Callable[[], bool] = lambda: False,
) -> DeliveryReport:
    """One pass over the due rows. ``current_dates`` maps each lineage root to its date today:
    a reminder planned for a date that has since moved is cancelled, not sent."""
    report = DeliveryReport()
    while not should_stop():
        with store.session() as session:
            rows = claim(session, now, lease=limits.lease)
            subscribers = {
                s.id: s
                for s in session.exec(
                    select(Subscriber).where(
                        col(Subscriber.id).in_({r.subscriber_id for r in rows})
                    )
                )
            }
        if not rows:
            return report
        if callable(current_dates):  # read the timeline only when there is something to send
            current_dates = current_dates()
        sendable = []
        with store.session() as session:
            for row in rows:
                data: dict[str, Any] = dict(row.payload.get("data") or {})  # type: ignore[call-overload]
                if row.kind == "deadline.reminder" and current_dates.get(
                    str(data.get("root_id"))
                ) not in (None, data.get("date")):
                    cancel(session, session.merge(row), "the date moved; reminders follow it")
                    report.counts["cancelled"] += 1
                else:
                    sendable.append(row)

        def record(row: Outbox, outcome: Outcome) -> None:
            # Each outcome is committed the moment it is known: after a crash, only requests
            # that were truly in flight are sent again (with the same webhook-id).
            with store.engine.begin() as connection:
                status = record_outcome(connection, row, outcome, now)
            report.counts[
                "sent" if outcome.delivered else ("dead" if status == "dead" else "failed")
            ] += 1

        asyncio.run(_send_all(sendable, subscribers, now, limits, record))
        if len(rows) < 200:
            return report
    return report


async def _send_all(
    rows: list[Outbox], subscribers: dict[int | None, Subscriber], now: dt.datetime,
    limits: DeliveryLimits, record: Callable[[Outbox, Outcome], None],
) -> None:  # fmt: skip
    overall = asyncio.Semaphore(limits.concurrency)
    per_host: dict[str, asyncio.Semaphore] = {}
    async with httpx.AsyncClient(follow_redirects=False) as client:

        async def one(row: Outbox) -> Outcome:
            subscriber = subscribers[row.subscriber_id]
            host = urlsplit(subscriber.target).netloc or subscriber.target
            endpoint = per_host.setdefault(host, asyncio.Semaphore(limits.per_endpoint))
            async with overall, endpoint:
                outcome = await _send(client, row, subscriber, now, limits)
                await asyncio.to_thread(record, row, outcome)
                return outcome

        await asyncio.gather(*(one(row) for row in rows))
