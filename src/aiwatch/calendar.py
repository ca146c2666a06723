"""The calendar stage (pure): timeline items and options in, an iCalendar document (bytes) out.

Every entry is one VEVENT whose UID is derived from the first entry of its lineage, never from its
date: when a later law moves a date, the same event moves in subscribers' calendars (SEQUENCE goes
up, LAST-MODIFIED follows the change) instead of a second event appearing. Output depends only on
the data, so the same data gives byte-identical calendars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration

from aiwatch import __version__
from aiwatch.models import Event as EventRow
from aiwatch.timeline import TimelineItem

PRODID = f"-//aiwatch//aiwatch {__version__}//EN"
UID_DOMAIN = "aiwatch.eu-ai-act"
# DTSTAMP and LAST-MODIFIED of an entry whose date and status never changed in this database: a
# fixed moment (the AI Act's publication in the OJ), so the same catalog gives byte-identical
# calendars on every machine.
EPOCH = dt.datetime(2024, 7, 12, tzinfo=dt.UTC)

# How a catalog status reads to a calendar client.
CONFIRMED = frozenset({"in-force", "applied", "amended", "adopted", "held", "published"})
TENTATIVE = frozenset({"proposed", "agreed", "scheduled", "postponed"})
CANCELLED = frozenset({"cancelled", "superseded"})


@dataclass(frozen=True)
class CalendarOptions:
    """What a calendar holds besides its events. ``leads`` adds "in N days" events (for clients
    that ignore alarms in subscriptions, such as Google Calendar); ``alarms`` adds VALARMs N days
    ahead at ``alarm_time`` local to the subscriber's calendar (personal calendars)."""

    name: str = "EU AI Act"
    description: str = "Dates of the EU AI Act (Regulation (EU) 2024/1689) and its amendments."
    refresh: dt.timedelta = dt.timedelta(hours=6)
    leads: tuple[int, ...] = ()
    alarms: tuple[int, ...] = ()
    alarm_time: dt.time = dt.time(9, 0)
    url: str | None = None


def uid(item: TimelineItem, lead: int | None = None) -> str:
    suffix = f"-lead-{lead}" if lead is not None else ""
    return f"{item.root_id}{suffix}@{UID_DOMAIN}"


def summary(item: TimelineItem) -> str:
    return f"AI Act: {item.row.title}"


def describe(item: TimelineItem) -> str:
    """The DESCRIPTION: what applies, legal basis, status, history and sources, as plain text."""
    row = item.row
    lines = [row.summary] if row.summary else []
    lines.append(f"Legal basis: {row.legal_basis} ({row.instrument})")
    lines.append(f"Status: {row.status}")
    if row.duty_of and row.met_on:
        lines.append(f"Met on {row.met_on.isoformat()}")
    if item.original_date:
        movers = [p.changed_by for p in item.history if p.date == item.date]
        moved_by = f"; moved by {movers[0]}" if movers else ""
        lines.append(f"Originally {_long_date(item.original_date)}{moved_by}.")
    if not row.derivation.startswith("stated in"):
        lines.append(f"Date: {row.derivation}")
    if row.note:
        lines.append(f"Note: {row.note}")
    lines.append("Sources:")
    lines.extend(f"- {url}" for url in row.sources)
    return "\n".join(lines)


def _in_days(days: int) -> str:
    return {0: "Today", 1: "Tomorrow"}.get(days, f"In {days} days")


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _status(item: TimelineItem) -> str:
    if item.row.status in TENTATIVE:
        return "TENTATIVE"
    if item.row.status in CANCELLED:
        return "CANCELLED"
    return "CONFIRMED"


def _start_end(item: TimelineItem) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
    row = item.row
    if isinstance(row, EventRow) and row.time:
        zone = ZoneInfo(row.tz or "Europe/Brussels")
        start = dt.datetime.combine(row.date, dt.time.fromisoformat(row.time), zone)
        end = None
        if row.end_time:
            end = dt.datetime.combine(row.date, dt.time.fromisoformat(row.end_time), zone)
        return start, end
    return row.date, row.date + dt.timedelta(days=1)


def _alarm_trigger(lead_days: int, at: dt.time) -> dt.timedelta:
    """Fire ``lead_days`` before an all-day event, at ``at`` on that day (local to the viewer)."""
    return dt.timedelta(hours=at.hour, minutes=at.minute) - dt.timedelta(days=lead_days)


def _vevent(
    item: TimelineItem,
    stamp: dt.datetime,
    options: CalendarOptions,
    lead: int | None = None,
) -> Event:
    start, end = _start_end(item)
    event = Event()
    event.add("uid", uid(item, lead))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", item.revision_count)
    if lead is None:
        event.add("summary", summary(item))
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
    else:
        day = item.date - dt.timedelta(days=lead)
        event.add("summary", f"{_in_days(lead)}: {summary(item)}")
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("related-to", uid(item))
    event.add("description", describe(item))
    event.add("status", _status(item))
    event.add("transp", "TRANSPARENT")
    event.add("url", item.row.sources[0])
    categories = [*item.row.roles, *item.row.topics]
    if categories:
        event.add("categories", categories)
    if lead is None:
        for days in options.alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{_in_days(days)}: {summary(item)}")
            alarm.add("trigger", _alarm_trigger(days, options.alarm_time))
            event.add_component(alarm)
    return event


def render_calendar(items: Iterable[TimelineItem], options: CalendarOptions) -> bytes:
    """The whole document. Deterministic: it reads no clock."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", options.name)
    calendar.add("x-wr-calname", options.name)
    calendar.add("description", options.description)
    calendar.add("x-wr-caldesc", options.description)
    calendar.add("refresh-interval", options.refresh, parameters={"VALUE": "DURATION"})
    ttl: bytes = vDuration(options.refresh).to_ical()  # type: ignore[no-untyped-call]
    calendar.add("x-published-ttl", ttl.decode())
    if options.url:
        calendar.add("source", options.url, parameters={"VALUE": "URI"})
        calendar.add("url", options.url, parameters={"VALUE": "URI"})
    has_timed = False
    for item in items:
        stamp = item.last_modified or EPOCH
        calendar.add_component(_vevent(item, stamp, options))
        for lead in options.leads:
            calendar.add_component(_vevent(item, stamp, options, lead))
        has_timed = has_timed or bool(isinstance(item.row, EventRow) and item.row.time)
    if has_timed:
        calendar.add_missing_timezones()
    document: bytes = calendar.to_ical()
    return document


def parse_days(values: Sequence[str]) -> tuple[int, ...]:
    """ "90,30,7" (or repeated values) -> (90, 30, 7); each 0..3650, duplicates dropped."""
    days: list[int] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 0 <= int(part) <= 3650:
                raise ValueError(f"'{part}' is not a number of days from 0 to 3650")
            if int(part) not in days:
                days.append(int(part))
    return tuple(days)
