"""Calendars as the product serves and exports them: which items, which options, and a cache that
renders a calendar again only when the data under it changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiwatch.calendar import CalendarOptions, render_calendar
from aiwatch.store import Store
from aiwatch.timeline import Filters
from aiwatch.views import read_timeline
from aiwatch.vocabulary import ROLES, TOPICS

DEFAULT_PAST_DAYS = 365


@dataclass(frozen=True)
class CalendarRequest:
    """Everything that decides a calendar's content, hashable so it can key the cache."""

    filters: Filters = field(default_factory=Filters)
    options: CalendarOptions = field(default_factory=CalendarOptions)
    past_days: int | None = DEFAULT_PAST_DAYS  # None: no past window (exports)


@dataclass(frozen=True)
class RenderedCalendar:
    body: bytes
    etag: str
    last_modified: dt.datetime | None
    data_version: str | None
    day: dt.date


# Personal calendars: the alerts issue stores subscribers; it hands the web app a resolver that
# turns a token into that subscriber's calendar, or None for an unknown token.
TokenResolver = Callable[[str], CalendarRequest | None]


def no_subscribers(_token: str) -> CalendarRequest | None:
    return None


def render_request(store: Store, request: CalendarRequest, today: dt.date) -> RenderedCalendar:
    version = store.data_version()
    filters = request.filters
    if request.past_days is not None:
        date_from = today - dt.timedelta(days=request.past_days)
        if filters.date_from is None or filters.date_from < date_from:
            filters = Filters(
                filters.roles, filters.topics, filters.kinds, date_from, filters.date_to
            )
    items = read_timeline(store, today, filters)
    body = render_calendar(items, request.options)
    changed = [item.last_modified for item in items if item.last_modified]
    return RenderedCalendar(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:40] + '"',
        last_modified=max(changed, default=None),
        data_version=version,
        day=today,
    )


class CalendarCache:
    """Rendered calendars, each kept until the store's data version or the day changes. The caller
    reads the data version (the cheap freshness check) and passes it in."""

    def __init__(self, store: Store, max_entries: int = 256) -> None:
        self.store = store
        self.max_entries = max_entries
        self._entries: dict[CalendarRequest, RenderedCalendar] = {}
        self._lock = threading.Lock()
        self.renders = 0

    def lookup(
        self, request: CalendarRequest, today: dt.date, version: str | None
    ) -> RenderedCalendar | None:
        cached = self._entries.get(request)
        if cached is not None and cached.data_version == version and cached.day == today:
            return cached
        return None

    def render(
        self, request: CalendarRequest, today: dt.date, version: str | None
    ) -> RenderedCalendar:
        with self._lock:  # one render at a time; a request that waited finds it done
            cached = self.lookup(request, today, version)
            if cached is not None:
                return cached
            rendered = render_request(self.store, request, today)
            self.renders += 1
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[request] = rendered
            return rendered


def export_requests() -> dict[str, CalendarRequest]:
    """The files `aiwatch calendar export` writes: everything, one per role, one per topic."""
    requests = {"aiact.ics": CalendarRequest(past_days=None)}
    for role in ROLES:
        requests[f"aiact-role-{role}.ics"] = CalendarRequest(
            Filters(roles=frozenset({role})),
            CalendarOptions(name=f"EU AI Act: {ROLES[role]}"),
            past_days=None,
        )
    for topic in TOPICS:
        requests[f"aiact-topic-{topic}.ics"] = CalendarRequest(
            Filters(topics=frozenset({topic})),
            CalendarOptions(name=f"EU AI Act: {TOPICS[topic]}"),
            past_days=None,
        )
    return requests
