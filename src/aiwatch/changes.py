"""What changed since the previous check (pure): revisions seen after it, one line per field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiwatch.clock import as_utc, iso_utc


@dataclass(frozen=True)
class Change:
    id: str
    title: str
    field: str  # "date", "status", or "entry" (added to or removed from the catalog)
    old: str | None
    new: str | None
    seen_at: dt.datetime
    changed_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "seen_at": iso_utc(self.seen_at),
            "changed_by": self.changed_by,
        }


def changes_since(
    revisions: Iterable[Any], since: dt.datetime | None, titles: Mapping[str, str]
) -> list[Change]:
    """Changes seen after ``since``. With no previous check there is nothing to compare against:
    the first check is the baseline and reports no changes."""
    if since is None:
        return []
    changes: list[Change] = []
    for r in revisions:
        if as_utc(r.seen_at) <= as_utc(since):
            continue
        title = titles.get(r.entry_id, r.entry_id)

        def add(field: str, old: object, new: object, r: Any = r, title: str = title) -> None:
            changes.append(
                Change(r.entry_id, title, field, _text(old), _text(new), r.seen_at, r.changed_by)
            )

        if r.change in ("created", "restored"):
            add("entry", None, r.new_date)
        elif r.change == "removed":
            add("entry", r.old_date, None)
        else:
            if r.old_date != r.new_date:
                add("date", r.old_date, r.new_date)
            if r.old_status != r.new_status:
                add("status", r.old_status, r.new_status)
    return changes


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)
