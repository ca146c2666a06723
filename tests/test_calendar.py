"""Calendars as clients see them: stable UIDs, SEQUENCE, all-day dates, escaping, time zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar

from aiwatch.calendar import EPOCH, CalendarOptions, render_calendar
from aiwatch.catalog.loader import load_catalog
from aiwatch.store import Store
from aiwatch.sync import sync_catalog
from aiwatch.views import read_timeline
from catalog_factory import event, milestone, write_catalog

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 7, 27, 6, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)


def sync(store: Store, folder: Path, now: dt.datetime) -> None:
    with store.session() as session:
        sync_catalog(session, load_catalog(folder), now)


def render(store: Store, options: CalendarOptions | None = None) -> Calendar:
    ics = render_calendar(read_timeline(store, TODAY), options or CalendarOptions())
    return Calendar.from_ical(ics)


def vevents(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def annex_iii(**original: object) -> list[dict[str, object]]:
    return [milestone("annex-iii", date="2026-08-02", **original)]


def test_moved_date_keeps_its_uid_and_raises_sequence(store: Store, tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "c", annex_iii())
    sync(store, folder, T0)
    before = vevents(render(store))
    assert list(before) == ["annex-iii@aiwatch.eu-ai-act"]
    first = before["annex-iii@aiwatch.eu-ai-act"]
    assert first["SEQUENCE"] == 0
    assert first["DTSTAMP"].dt == EPOCH and first["LAST-MODIFIED"].dt == EPOCH

    # The Omnibus moves the date: a new entry supersedes the original.
    write_catalog(
        folder,
        [
            *annex_iii(status="superseded"),
            milestone("annex-iii-omnibus", date="2027-12-02", supersedes="annex-iii",
                      instrument="Regulation (EU) 2026/1744", legal_basis="Art. 113(c)(i)"),
        ],
    )  # fmt: skip
    sync(store, folder, T1)
    after = vevents(render(store))
    assert list(after) == ["annex-iii@aiwatch.eu-ai-act"]  # moved, not duplicated, not gone
    moved = after["annex-iii@aiwatch.eu-ai-act"]
    assert moved["DTSTART"].dt == dt.date(2027, 12, 2)
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved["LAST-MODIFIED"].dt == T1 and moved["DTSTAMP"].dt == T1
    description = str(moved["DESCRIPTION"])
    assert "Originally 2 August 2026; moved by Regulation (EU) 2026/1744" in description


def test_all_day_events_end_the_next_day(store: Store, tmp_path: Path) -> None:
    sync(store, write_catalog(tmp_path / "c", [milestone("a", date="2026-12-31")]), T0)
    ics = render_calendar(read_timeline(store, TODAY), CalendarOptions()).decode()
    assert "DTSTART;VALUE=DATE:20261231\r\n" in ics
    assert "DTEND;VALUE=DATE:20270101\r\n" in ics  # exclusive, across the year end


def test_hostile_text_is_escaped(store: Store, tmp_path: Path) -> None:
    hostile = "Guidelines; part 1, annex\nline two \\ backslash"
    sync(store, write_catalog(tmp_path / "c", [milestone("a", title=hostile, summary=hostile)]), T0)
    ics = render_calendar(read_timeline(store, TODAY), CalendarOptions()).decode()
    assert "SUMMARY:AI Act: Guidelines\\; part 1\\, annex\\nline two \\\\ backslash" in ics
    parsed = vevents(Calendar.from_ical(ics))["a@aiwatch.eu-ai-act"]
    assert str(parsed["SUMMARY"]) == f"AI Act: {hostile}"
    assert str(parsed["DESCRIPTION"]).startswith(hostile)


def test_timed_event_has_its_time_zone(store: Store, tmp_path: Path) -> None:
    board = event("board", date="2026-03-29", time="10:00", end_time="17:00", tz="Europe/Brussels")
    sync(store, write_catalog(tmp_path / "c", [milestone("a")], [board]), T0)
    calendar = render(store)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    start = vevents(calendar)["board@aiwatch.eu-ai-act"]["DTSTART"].dt
    # 29 March 2026 is the day Brussels moves to summer time: 10:00 local is 08:00 UTC.
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)
    used = {
        str(prop.params["TZID"])
        for e in calendar.walk("VEVENT")
        for prop in (e.get("DTSTART"), e.get("DTEND"))
        if prop is not None and "TZID" in prop.params
    }
    assert used <= {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}


def test_status_and_categories(store: Store, tmp_path: Path) -> None:
    entries = [
        milestone("law", roles=["deployer"], topics=["high-risk"]),
        milestone("plan", status="proposed", date="2027-01-01"),
    ]
    sync(store, write_catalog(tmp_path / "c", entries), T0)
    found = vevents(render(store))
    assert found["law@aiwatch.eu-ai-act"]["STATUS"] == "CONFIRMED"
    assert found["plan@aiwatch.eu-ai-act"]["STATUS"] == "TENTATIVE"
    assert found["law@aiwatch.eu-ai-act"]["CATEGORIES"].cats == ["deployer", "high-risk"]


def test_lead_events_move_with_their_deadline(store: Store, tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "c", [milestone("a", date="2027-01-31")])
    sync(store, folder, T0)
    leads = vevents(render(store, CalendarOptions(leads=(30, 7))))
    lead = leads["a-lead-30@aiwatch.eu-ai-act"]
    assert lead["DTSTART"].dt == dt.date(2027, 1, 1)
    assert str(lead["SUMMARY"]) == "In 30 days: AI Act: Title of a"
    assert str(lead["RELATED-TO"]) == "a@aiwatch.eu-ai-act"
    write_catalog(folder, [milestone("a", date="2027-02-28")])
    sync(store, folder, T1)
    moved = vevents(render(store, CalendarOptions(leads=(30, 7))))
    assert set(moved) == set(leads)
    assert moved["a-lead-30@aiwatch.eu-ai-act"]["DTSTART"].dt == dt.date(2027, 1, 29)


def test_alarms_fire_at_the_send_time_on_the_lead_day(store: Store, tmp_path: Path) -> None:
    sync(store, write_catalog(tmp_path / "c", [milestone("a")]), T0)
    options = CalendarOptions(alarms=(7, 1, 0), alarm_time=dt.time(9, 0))
    alarms = vevents(render(store, options))["a@aiwatch.eu-ai-act"].walk("VALARM")
    triggers = [alarm["TRIGGER"].dt for alarm in alarms]
    # Relative to 00:00 of the day: 09:00 seven days before, the day before, and on the day.
    assert triggers == [
        dt.timedelta(days=-7, hours=9),
        dt.timedelta(days=-1, hours=9),
        dt.timedelta(hours=9),
    ]
    assert [str(a["DESCRIPTION"]) for a in alarms][1] == "Tomorrow: AI Act: Title of a"


def test_same_data_same_bytes(store: Store, tmp_path: Path) -> None:
    sync(store, write_catalog(tmp_path / "c", [milestone("a"), milestone("b")]), T0)
    first = render_calendar(read_timeline(store, TODAY), CalendarOptions(leads=(7,)))
    second = render_calendar(read_timeline(store, TODAY), CalendarOptions(leads=(7,)))
    assert first == second
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in first
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in first
    assert b"METHOD:PUBLISH\r\n" in first and b"NAME:EU AI Act\r\n" in first
