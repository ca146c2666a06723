"""Alerts, once: the alert half of the pipeline, as ``aiwatch check`` runs it.

store ─▶ subscribers, timeline, revisions, recent news items
      ─▶ plan.plan                 (pure: notifications with idempotency keys)
      ─▶ deliver.outbox.enqueue    (unique key: planning twice inserts nothing)
      ─▶ deliver.dispatch          (unless not sending: claim, send, record, retry later)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select

from aiwatch.deliver.dispatch import DeliveryLimits, deliver_due
from aiwatch.deliver.outbox import enqueue
from aiwatch.models import Item, Outbox, Revision, Source, Subscriber
from aiwatch.plan import NewsView, RevisionView, SubscriberView, plan
from aiwatch.settings import Settings
from aiwatch.store import Store
from aiwatch.views import read_timeline

NEWS_WINDOW = dt.timedelta(days=30)  # items older than this are not news any more


@dataclass(frozen=True)
class AlertReport:
    planned: int
    sent: int
    failed: int
    dead: int
    pending: int

    def to_json(self) -> dict[str, int]:
        return {
            "planned": self.planned, "sent": self.sent, "failed": self.failed,
            "pending": self.pending, "dead": self.dead,
        }  # fmt: skip


def subscriber_view(row: Subscriber) -> SubscriberView:
    assert row.id is not None
    return SubscriberView(
        id=row.id, roles=frozenset(row.roles), topics=frozenset(row.topics),
        labels=frozenset(row.labels), langs=frozenset(row.langs), leads=tuple(row.leads),
        tz=row.tz, send_at=dt.time.fromisoformat(row.send_at), news=row.news,
        created_at=row.created_at,
    )  # fmt: skip


def run_alerts(store: Store, settings: Settings, now: dt.datetime, send: bool) -> AlertReport:
    inserted, timeline_dates = plan_and_enqueue(store, now)
    counts = deliver(store, settings, now, timeline_dates) if send else {}
    return AlertReport(
        planned=inserted, sent=counts.get("sent", 0), failed=counts.get("failed", 0),
        dead=counts.get("dead", 0), pending=pending_count(store),
    )  # fmt: skip


def plan_and_enqueue(store: Store, now: dt.datetime) -> tuple[int, dict[str, str]]:
    """Plan for every active subscriber and enqueue what is new. Returns how many rows were new,
    and the current date of every lineage (deliveries cancel reminders for moved dates)."""
    with store.session() as session:
        subscribers = [
            subscriber_view(s) for s in session.exec(select(Subscriber).where(Subscriber.active))
        ]
    if not subscribers:
        return 0, {}  # nobody to tell: an idle tick ends here
    with store.session() as session:
        revisions = [
            RevisionView(
                r.id or 0,
                r.entry_id,
                r.entry_type,
                r.change,
                r.seen_at,
                r.old_date,
                r.new_date,
                r.old_status,
                r.new_status,
            )
            for r in session.exec(select(Revision).where(col(Revision.change) != "removed"))
        ]
        news = [
            NewsView(
                item.id or 0,
                item.title,
                item.url,
                item.label,
                item.lang,
                item.first_seen_at,
                tuple(item.mentioned_dates),
                name,
            )
            for item, name in session.exec(
                select(Item, Source.name)
                .join(Source, col(Source.id) == col(Item.source_id))
                .where(Item.baseline == False, col(Item.first_seen_at) >= now - NEWS_WINDOW)  # noqa: E712
            )
        ]
    timeline = read_timeline(store, now.date())
    planned = plan(subscribers, timeline, revisions, news, now) if subscribers else []
    with store.session() as session:
        inserted = enqueue(session, planned, now)
    return inserted, {item.root_id: item.date.isoformat() for item in timeline}


def deliver(
    store: Store,
    settings: Settings,
    now: dt.datetime,
    current_dates: dict[str, str] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Send what is due in the outbox (any instance may: rows are claimed with a lease)."""

    def dates_now() -> dict[str, str]:
        return {i.root_id: i.date.isoformat() for i in read_timeline(store, now.date())}

    limits = DeliveryLimits(
        allow_private_targets=settings.allow_private_targets,
        timeout=settings.webhook_timeout_seconds,
        smtp=settings.smtp(),
        lease=dt.timedelta(seconds=settings.delivery_lease_seconds),
    )
    dates = current_dates if current_dates is not None else dates_now
    return deliver_due(store, now, limits, dates, should_stop).to_json()


def pending_count(store: Store) -> int:
    with store.session() as session:
        return session.exec(
            select(func.count())
            .select_from(Outbox)
            .where(col(Outbox.status).in_(("pending", "failed", "delivering")))
        ).one()


def outbox_rows(store: Store, status: str | None) -> list[dict[str, Any]]:
    with store.session() as session:
        statement = (
            select(Outbox, Subscriber.name)
            .join(Subscriber, col(Subscriber.id) == col(Outbox.subscriber_id))
            .order_by(col(Outbox.id))
        )
        if status:
            statement = statement.where(Outbox.status == status)
        return [
            {
                "id": row.id,
                "key": row.key,
                "subscriber": name,
                "kind": row.kind,
                "status": row.status,
                "attempts": row.attempts,
                "next_attempt_at": row.next_attempt_at.isoformat(),
                "last_error": row.last_error,
            }
            for row, name in session.exec(statement)
        ]
