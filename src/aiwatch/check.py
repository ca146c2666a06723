"""The check: one pass over the pipeline, as ``aiwatch check`` runs it.

settings ─▶ sync.prepare_store   (catalog fingerprint; load + validate + sync only when changed)
         ─▶ watch.report.run_poll (unless offline: every source not in back-off, once)
         ─▶ store.load_*         (entries, revisions, the previous check)
         ─▶ timeline.build       (dated items with computed status and history)
         ─▶ changes.since        (what moved since the previous check)
         ─▶ watch.report.new_items (first seen since the previous check, not baseline)
         ─▶ store.record_check   (this check becomes the next one's baseline)
         ─▶ CheckReport          (rendered by the CLI; exit code decided from it)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiwatch.changes import Change, changes_since
from aiwatch.clock import iso_utc
from aiwatch.settings import Settings
from aiwatch.store import has_subscribers, last_check, load_entries, load_revisions, record_check
from aiwatch.sync import prepare_store
from aiwatch.timeline import Filters, TimelineItem, build_timeline
from aiwatch.vocabulary import DEADLINE_KINDS

if TYPE_CHECKING:
    from aiwatch.watch.report import PollOptions

DELIVERY_KEYS = ("planned", "sent", "failed", "pending", "dead")


@dataclass(frozen=True)
class CheckReport:
    generated_at: dt.datetime
    as_of: dt.date
    within_days: int
    upcoming: list[TimelineItem]
    changes: list[Change]
    previous_check: dt.datetime | None
    timeline: list[TimelineItem] = field(repr=False)
    new_items: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    deliveries: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DELIVERY_KEYS, 0))

    def due_within(self, days: int) -> list[TimelineItem]:
        """Deadlines that are law (not tentative) and fall within ``days`` of ``as_of``."""
        return [
            item
            for item in self.timeline
            if 0 <= item.days_left <= days
            and not item.tentative
            and item.row.kind in DEADLINE_KINDS
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": iso_utc(self.generated_at),
            "as_of": self.as_of.isoformat(),
            "within_days": self.within_days,
            "previous_check": (iso_utc(self.previous_check) if self.previous_check else None),
            "upcoming": [_upcoming_json(item) for item in self.upcoming],
            "changes": [change.to_json() for change in self.changes],
            "new_items": self.new_items,
            "sources": self.sources,
            "deliveries": self.deliveries,
        }


UPCOMING_KEYS = (
    "id", "type", "title", "date", "days_left", "kind", "legal_basis", "status", "tentative",
    "roles", "topics", "sources", "original_date", "summary",
)  # fmt: skip


def _upcoming_json(item: TimelineItem) -> dict[str, Any]:
    full = item.to_json()
    return {key: full[key] for key in UPCOMING_KEYS}


def run_check(
    settings: Settings,
    now: dt.datetime,
    as_of: dt.date | None = None,
    within_days: int | None = None,
    filters: Filters | None = None,
    poll: PollOptions | None = None,
    send: bool = True,
) -> CheckReport:
    """One check. ``poll`` None means offline: no source is fetched. Alerts are planned when
    there are subscribers, and sent when ``send`` (and not offline)."""
    filters = filters or Filters()
    as_of = as_of or now.date()
    within = settings.check_within_days if within_days is None else within_days
    store = prepare_store(settings, now)
    from aiwatch.watch.report import new_items, run_poll

    sources: list[dict[str, Any]] = []
    try:
        if poll is not None:
            sources = [s.to_json() for s in run_poll(store, settings, now, poll).sources]
        deliveries = None
        if has_subscribers(store):
            from aiwatch.alerts import run_alerts

            deliveries = run_alerts(store, settings, now, send and poll is not None).to_json()
        with store.session() as session:
            milestones, events = load_entries(session)
            revisions = load_revisions(session)
            previous = last_check(session)
            fresh = new_items(session, previous.ran_at if previous else None)
            record_check(session, now, as_of)
    finally:
        store.close()
    timeline = build_timeline(milestones, events, revisions, as_of, filters)
    titles = {row.id: row.title for row in (*milestones, *events)}
    previous_at = previous.ran_at if previous else None
    return CheckReport(
        generated_at=now,
        as_of=as_of,
        within_days=within,
        upcoming=[item for item in timeline if 0 <= item.days_left <= within],
        changes=changes_since(revisions, previous_at, titles),
        previous_check=previous_at,
        timeline=timeline,
        new_items=fresh,
        sources=sources,
        deliveries=deliveries or dict.fromkeys(DELIVERY_KEYS, 0),
    )
