"""The planner at frozen moments: reminders at each lead time and across DST changes, catch-up
after downtime, moved dates, news. Pure: no database, no clock but the ``now`` passed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiwatch.models import Milestone
from aiwatch.plan import NewsView, RevisionView, SubscriberView, fire_time, plan
from aiwatch.timeline import HistoryPoint, TimelineItem

UTC = dt.UTC
SUBSCRIBED = dt.datetime(2026, 1, 1, tzinfo=UTC)


def subscriber(**fields: Any) -> SubscriberView:
    values: dict[str, Any] = {
        "id": 1, "roles": frozenset({"deployer"}), "topics": frozenset(), "labels": frozenset(),
        "langs": frozenset(), "leads": (90, 30, 7, 1), "tz": "Europe/Brussels",
        "send_at": dt.time(9, 0), "news": "immediate", "created_at": SUBSCRIBED,
    }  # fmt: skip
    values.update(fields)
    return SubscriberView(**values)


def item(
    entry_id: str,
    day: dt.date,
    roles: tuple[str, ...] = ("deployer",),
    lineage: tuple[str, ...] = (),
    status: str = "in-force",
) -> TimelineItem:
    row = Milestone(
        id=entry_id, title=f"Title {entry_id}", date=day, kind="application", legal_basis="Art 113",
        instrument="Regulation (EU) 2024/1689", roles=list(roles), topics=["high-risk"],
        status=status, summary="", sources=["https://eur-lex.europa.eu/eli/reg/2024/1689/oj"],
        derivation="stated", updated_at=SUBSCRIBED,
    )  # fmt: skip
    history = (HistoryPoint(day, status, "x", SUBSCRIBED, entry_id),)
    return TimelineItem("milestone", row, status, 0, history, (), lineage or (entry_id,))


def keys(notifications: list[Any]) -> list[str]:
    return sorted(n.key for n in notifications)


def test_each_lead_time_fires_once_at_nine_in_brussels() -> None:
    deadline = dt.date(2026, 8, 2)
    items = [item("wave", deadline)]
    sub = subscriber()
    # 30 days ahead, 09:00 Brussels summer time is 07:00 UTC.
    just_before = dt.datetime(2026, 7, 3, 6, 59, tzinfo=UTC)
    at_time = dt.datetime(2026, 7, 3, 7, 0, tzinfo=UTC)
    assert keys(plan([sub], items, [], [], just_before)) == [
        "1:deadline.reminder:wave:2026-08-02:90"
    ]
    due = plan([sub], items, [], [], at_time)
    assert keys(due) == ["1:deadline.reminder:wave:2026-08-02:30"]
    assert due[0].due_at == at_time and due[0].data["late"] is False
    assert due[0].data["days_left"] == 30 and due[0].payload()["type"] == "deadline.reminder"
    # Planning again later the same day yields the same key: the outbox keeps one.
    assert keys(plan([sub], items, [], [], at_time + dt.timedelta(hours=5))) == keys(due)


def test_dst_changes_move_the_utc_time_not_the_local_time() -> None:
    # Brussels leaves summer time on 25 October 2026 and enters it on 28 March 2027.
    assert fire_time(dt.date(2026, 10, 31), 7, dt.time(9), "Europe/Brussels") == dt.datetime(
        2026, 10, 24, 7, 0, tzinfo=UTC
    )  # still summer time (UTC+2)
    assert fire_time(dt.date(2026, 11, 1), 7, dt.time(9), "Europe/Brussels") == dt.datetime(
        2026, 10, 25, 8, 0, tzinfo=UTC
    )  # the day of the change: winter time (UTC+1)
    assert fire_time(dt.date(2027, 4, 4), 7, dt.time(9), "Europe/Brussels") == dt.datetime(
        2027, 3, 28, 7, 0, tzinfo=UTC
    )  # spring forward
    assert fire_time(dt.date(2027, 1, 1), 1, dt.time(9), "America/New_York") == dt.datetime(
        2026, 12, 31, 14, 0, tzinfo=UTC
    )  # across the year end, another zone


def test_downtime_sends_the_latest_missed_reminder_once_and_late() -> None:
    items = [item("wave", dt.date(2026, 8, 2))]
    # Down from June to 31 July: the 90-, 30- and 7-day reminders all came due meanwhile.
    back = dt.datetime(2026, 7, 31, 12, 0, tzinfo=UTC)
    due = plan([subscriber()], items, [], [], back)
    assert keys(due) == ["1:deadline.reminder:wave:2026-08-02:7"]  # no backlog
    assert due[0].data["late"] is True
    # Once the deadline has passed, nothing is sent late.
    assert plan([subscriber()], items, [], [], dt.datetime(2026, 8, 3, 12, tzinfo=UTC)) == []


def test_new_subscriber_gets_no_reminder_from_before_it_subscribed() -> None:
    items = [item("wave", dt.date(2026, 8, 2))]
    late_joiner = subscriber(created_at=dt.datetime(2026, 7, 20, tzinfo=UTC))
    assert plan([late_joiner], items, [], [], dt.datetime(2026, 7, 21, 12, tzinfo=UTC)) == []
    assert keys(plan([late_joiner], items, [], [], dt.datetime(2026, 7, 26, 7, 0, tzinfo=UTC))) == [
        "1:deadline.reminder:wave:2026-08-02:7"
    ]


def test_filters_roles_and_everyone() -> None:
    items = [item("providers-only", dt.date(2026, 8, 2), roles=("provider",)),
             item("all", dt.date(2026, 8, 2), roles=("everyone",))]  # fmt: skip
    now = dt.datetime(2026, 8, 1, 7, 0, tzinfo=UTC)
    assert [n.subject for n in plan([subscriber()], items, [], [], now)] == ["all"]


def test_a_moved_date_alerts_once_and_reminders_follow_the_new_date() -> None:
    # The Omnibus moved Annex III from 2 August 2026 to 2 December 2027.
    moved = item(
        "annex-iii-omnibus", dt.date(2027, 12, 2), lineage=("annex-iii", "annex-iii-omnibus")
    )
    revision = RevisionView(7, "annex-iii", "milestone", "changed",
                            dt.datetime(2026, 7, 27, 6, tzinfo=UTC), dt.date(2026, 8, 2),
                            dt.date(2026, 8, 2), "in-force", "superseded")  # fmt: skip
    now = dt.datetime(2026, 7, 27, 8, tzinfo=UTC)
    planned = plan([subscriber()], [moved], [revision], [], now)
    assert keys(planned) == ["1:deadline.changed:annex-iii:7"]
    assert planned[0].subject == "annex-iii"  # the lineage root: one story for the receiver
    assert planned[0].data["date"] == "2027-12-02"
    # The old date's reminders are gone; the new date's come at their time.
    reminder = plan([subscriber()], [moved], [], [], dt.datetime(2027, 9, 3, 7, tzinfo=UTC))
    assert keys(reminder) == ["1:deadline.reminder:annex-iii:2027-12-02:90"]


def test_changes_before_subscribing_are_not_alerted() -> None:
    seen = dt.datetime(2025, 6, 1, tzinfo=UTC)
    revision = RevisionView(3, "wave", "milestone", "changed", seen, dt.date(2026, 8, 2),
                            dt.date(2026, 9, 1), "in-force", "in-force")  # fmt: skip
    items = [item("wave", dt.date(2026, 9, 1))]
    assert plan([subscriber()], items, [revision], [], dt.datetime(2026, 1, 2, tzinfo=UTC)) == []


def news(item_id: int, label: str, seen: dt.datetime, lang: str = "en") -> NewsView:
    return NewsView(item_id, f"News {item_id}", "https://ec.europa.eu/x", label, lang, seen, (),
                    "digital-strategy-en")  # fmt: skip


def test_immediate_news_respects_labels_and_languages() -> None:
    seen = dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
    items = [news(1, "guideline", seen), news(2, "consultation", seen, "de"),
             news(3, "unrelated", seen), news(4, "appointment", seen)]  # fmt: skip
    sub = subscriber(labels=frozenset({"guideline", "consultation"}), langs=frozenset({"en"}))
    assert keys(plan([sub], [], [], items, seen)) == ["1:item.published:1"]
    everything = subscriber()
    assert keys(plan([everything], [], [], items, seen)) == [
        "1:item.published:1", "1:item.published:2", "1:item.published:4"
    ]  # fmt: skip


def test_daily_digest_groups_yesterdays_items_by_label() -> None:
    sub = subscriber(news="daily")
    items = [news(1, "guideline", dt.datetime(2026, 11, 19, 10, tzinfo=UTC)),
             news(2, "guideline", dt.datetime(2026, 11, 20, 6, tzinfo=UTC)),
             news(3, "consultation", dt.datetime(2026, 11, 19, 20, tzinfo=UTC)),
             news(4, "guideline", dt.datetime(2026, 11, 20, 9, tzinfo=UTC))]  # fmt: skip
    # 20 November 09:00 Brussels = 08:00 UTC: the digest covers the 24 hours before it.
    digest = plan([sub], [], [], items, dt.datetime(2026, 11, 20, 8, 30, tzinfo=UTC))
    assert keys(digest) == ["1:digest:daily:2026-11-20"]
    grouped = digest[0].data["items"]
    assert [i["item_id"] for i in grouped["guideline"]] == [1, 2]
    assert [i["item_id"] for i in grouped["consultation"]] == [3]
    # Before 09:00 the last digest is yesterday's (already keyed, so sent at most once).
    earlier = plan([sub], [], [], items, dt.datetime(2026, 11, 20, 7, 30, tzinfo=UTC))
    assert keys(earlier) in ([], ["1:digest:daily:2026-11-19"])
