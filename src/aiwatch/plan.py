"""The plan stage (pure): who must hear what, now. Subscribers, the timeline, revisions and news
items in; notifications out, each with an idempotency key that a unique constraint in the outbox
turns into "at most once".

- ``deadline.reminder``: at the subscriber's send time, in their time zone, on each lead day.
  After downtime, only the most recent reminder that came due is sent (marked ``late``), and only
  while the deadline is still ahead: never a backlog. Nothing from before the subscription.
- ``deadline.changed``: a date or status changed (seen after the subscription). Reminders are keyed
  by the date, so the old date's reminders stop and the new date's follow.
- ``event.scheduled``: an event added to the catalog after the subscription.
- ``item.published`` (news = immediate) or ``digest`` (daily or weekly, at the send time).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from aiwatch.clock import iso_utc
from aiwatch.timeline import TimelineItem
from aiwatch.vocabulary import DEADLINE_KINDS

LATE_AFTER = dt.timedelta(hours=1)  # a reminder sent later than this after its time says so
NOT_REMINDED = frozenset({"proposed", "agreed", "superseded", "cancelled"})


@dataclass(frozen=True)
class SubscriberView:
    id: int
    roles: frozenset[str]
    topics: frozenset[str]
    labels: frozenset[str]
    langs: frozenset[str]
    leads: tuple[int, ...]
    tz: str
    send_at: dt.time
    news: str
    created_at: dt.datetime

    def wants_entry(self, roles: Iterable[str], topics: Iterable[str]) -> bool:
        roles, topics = set(roles), set(topics)
        if self.roles and not roles & (self.roles | {"everyone"}):
            return False
        return not self.topics or bool(topics & self.topics)

    def wants_item(self, label: str, lang: str | None) -> bool:
        if label == "unrelated":
            return False
        if self.labels and label not in self.labels:
            return False
        return not self.langs or (lang or "") in self.langs


@dataclass(frozen=True)
class RevisionView:
    id: int
    entry_id: str
    entry_type: str
    change: str
    seen_at: dt.datetime
    old_date: dt.date | None
    new_date: dt.date | None
    old_status: str | None
    new_status: str | None


@dataclass(frozen=True)
class NewsView:
    id: int
    title: str
    url: str | None
    label: str
    lang: str | None
    first_seen_at: dt.datetime
    mentioned_dates: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Notification:
    key: str
    subscriber_id: int
    kind: str
    subject: str
    due_at: dt.datetime
    data: dict[str, Any] = field(hash=False)

    def payload(self) -> dict[str, Any]:
        return {"type": self.kind, "timestamp": iso_utc(self.due_at), "data": self.data}


def fire_time(day: dt.date, lead_days: int, send_at: dt.time, tz: str) -> dt.datetime:
    """The moment (UTC) a reminder ``lead_days`` before ``day`` goes out: ``send_at`` local time."""
    local = dt.datetime.combine(day - dt.timedelta(days=lead_days), send_at, ZoneInfo(tz))
    return local.astimezone(dt.UTC)


def plan(
    subscribers: Sequence[SubscriberView],
    timeline: Sequence[TimelineItem],
    revisions: Sequence[RevisionView],
    news: Sequence[NewsView],
    now: dt.datetime,
) -> list[Notification]:
    planned: list[Notification] = []
    remindable = [
        item
        for item in timeline
        if item.row.kind in DEADLINE_KINDS and item.row.status not in NOT_REMINDED
    ]
    entries = {item.id: item for item in timeline}
    # Only changes and new events can alert, in the order they were seen; each subscriber then
    # looks at the ones after its subscription (a bisect, not a scan of the whole history).
    alerting = sorted(
        (
            r
            for r in revisions
            if r.change == "changed" or (r.change == "created" and r.entry_type == "event")
        ),
        key=lambda r: r.seen_at,
    )
    seen_times = [r.seen_at for r in alerting]
    # Subscribers who share filters, lead times, zone and send time share every reminder
    # computation: work grows with the number of distinct profiles, not of subscribers.
    due_by_profile: dict[tuple[Any, ...], list[tuple[TimelineItem, list[tuple[dt.datetime, int]]]]]
    due_by_profile = {}
    for sub in subscribers:
        profile = (sub.roles, sub.topics, sub.leads, sub.tz, sub.send_at)
        due = due_by_profile.get(profile)
        if due is None:
            due = due_by_profile[profile] = _due_reminders(sub, remindable, now)
        planned.extend(_reminders(sub, due, now))
        since = bisect.bisect_right(seen_times, sub.created_at)  # strictly after subscribing
        if since < len(alerting):
            planned.extend(_changes(sub, alerting[since:], entries))
        if news:
            planned.extend(_news(sub, news, now))
    return planned


def _due_reminders(
    sub: SubscriberView, items: Sequence[TimelineItem], now: dt.datetime
) -> list[tuple[TimelineItem, list[tuple[dt.datetime, int]]]]:
    """For one profile: each matching item whose deadline is ahead, with the leads whose fire
    time has come, newest first."""
    today = now.astimezone(ZoneInfo(sub.tz)).date()
    due = []
    for item in items:
        if item.date < today or not sub.wants_entry(item.row.roles, item.row.topics):
            continue
        times = sorted(
            ((at, lead) for lead in sub.leads
             if (at := fire_time(item.date, lead, sub.send_at, sub.tz)) <= now),
            reverse=True,
        )  # fmt: skip
        if times:
            due.append((item, times))
    return due


def _reminders(
    sub: SubscriberView,
    due: list[tuple[TimelineItem, list[tuple[dt.datetime, int]]]],
    now: dt.datetime,
) -> Iterable[Notification]:
    today = now.astimezone(ZoneInfo(sub.tz)).date()
    for item, times in due:
        # The most recent lead whose time has come since the subscription (earlier ones were
        # sent then, or are stale now).
        best = next(((at, lead) for at, lead in times if at >= sub.created_at), None)
        if best is None:
            continue
        at, lead = best
        yield Notification(
            key=f"{sub.id}:deadline.reminder:{item.root_id}:{item.date.isoformat()}:{lead}",
            subscriber_id=sub.id,
            kind="deadline.reminder",
            subject=item.root_id,
            due_at=at,
            data={**_entry_data(item), "lead_days": lead, "days_left": (item.date - today).days,
                  "late": now - at > LATE_AFTER},
        )  # fmt: skip


def _changes(
    sub: SubscriberView, revisions: Sequence[RevisionView], entries: dict[str, TimelineItem]
) -> Iterable[Notification]:
    for revision in revisions:
        if revision.seen_at <= sub.created_at or revision.change not in ("changed", "created"):
            continue
        item = entries.get(revision.entry_id)
        if item is None:  # replaced entries are not on the timeline: find what replaced them
            item = next((i for i in entries.values() if revision.entry_id in i.lineage), None)
        if item is None or not sub.wants_entry(item.row.roles, item.row.topics):
            continue
        if revision.change == "created":
            if revision.entry_type != "event" or item.id != revision.entry_id:
                continue
            kind = "event.scheduled"
        else:
            kind = "deadline.changed"
        yield Notification(
            key=f"{sub.id}:{kind}:{revision.entry_id}:{revision.id}",
            subscriber_id=sub.id,
            kind=kind,
            subject=item.root_id,
            due_at=revision.seen_at,
            data={
                **_entry_data(item),
                "changed_entry": revision.entry_id,
                "old_date": revision.old_date.isoformat() if revision.old_date else None,
                "new_date": revision.new_date.isoformat() if revision.new_date else None,
                "old_status": revision.old_status,
                "new_status": revision.new_status,
            },
        )


def _news(
    sub: SubscriberView, news: Sequence[NewsView], now: dt.datetime
) -> Iterable[Notification]:
    wanted = [
        n for n in news if n.first_seen_at >= sub.created_at and sub.wants_item(n.label, n.lang)
    ]
    if sub.news == "immediate":
        for item in wanted:
            yield Notification(
                key=f"{sub.id}:item.published:{item.id}",
                subscriber_id=sub.id,
                kind="item.published",
                subject=f"item-{item.id}",
                due_at=item.first_seen_at,
                data=_news_data(item),
            )
        return
    period = dt.timedelta(days=7 if sub.news == "weekly" else 1)
    zone = ZoneInfo(sub.tz)
    local_today = now.astimezone(zone).date()
    day = local_today
    if sub.news == "weekly":
        day = local_today - dt.timedelta(days=local_today.weekday())  # Mondays
    at = dt.datetime.combine(day, sub.send_at, zone).astimezone(dt.UTC)
    if at > now:
        at -= period
        day -= period
    since = at - period
    batch = [n for n in wanted if since <= n.first_seen_at < at]
    if not batch or at < sub.created_at:
        return
    by_label: dict[str, list[dict[str, Any]]] = {}
    for item in batch:
        by_label.setdefault(item.label, []).append(_news_data(item))
    yield Notification(
        key=f"{sub.id}:digest:{sub.news}:{day.isoformat()}",
        subscriber_id=sub.id,
        kind="digest",
        subject=f"digest-{day.isoformat()}",
        due_at=at,
        data={"period": sub.news, "from": iso_utc(since), "to": iso_utc(at), "items": by_label},
    )


def _entry_data(item: TimelineItem) -> dict[str, Any]:
    row = item.row
    return {
        "id": row.id,
        "root_id": item.root_id,
        "title": row.title,
        "date": row.date.isoformat(),
        "kind": row.kind,
        "legal_basis": row.legal_basis,
        "status": row.status,
        "sources": list(row.sources),
    }


def _news_data(item: NewsView) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "title": item.title,
        "url": item.url,
        "label": item.label,
        "lang": item.lang,
        "source": item.source,
        "mentioned_dates": list(item.mentioned_dates),
    }
