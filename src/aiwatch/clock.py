"""The one clock every stage reads. Tests freeze it (freezegun) or pass their own ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC. Microseconds are kept: two checks within one
    second must still see each other as before and after."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC: the legal dates of the Act are whole days."""
    return utcnow().date()


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """``2026-11-23T09:00:00Z``: the one way aiwatch writes a moment in JSON."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")
