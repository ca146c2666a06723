"""Reading the timeline out of the store: the one path the CLI, the calendar export and the web app
share (store ─▶ timeline.build_timeline)."""

from __future__ import annotations

import datetime as dt

from aiwatch.store import Store, load_entries, load_revisions
from aiwatch.timeline import Filters, TimelineItem, build_timeline


def read_timeline(
    store: Store, as_of: dt.date, filters: Filters | None = None, include_replaced: bool = False
) -> list[TimelineItem]:
    with store.session() as session:
        milestones, events = load_entries(session)
        revisions = load_revisions(session)
    return build_timeline(
        milestones, events, revisions, as_of, filters or Filters(), include_replaced
    )
