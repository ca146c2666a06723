"""The timeline stage (pure): stored entries and their revisions in, dated items with their history
out. Entries replaced by a later law are not shown as their own date; their date lives on in the
history of the entry that replaced them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiwatch.catalog.status import effective_status
from aiwatch.clock import iso_utc
from aiwatch.models import EntryRow, Event, Revision
from aiwatch.vocabulary import REPLACED_BY_LAW, TENTATIVE_STATUSES


@dataclass(frozen=True)
class Filters:
    """What a user asked to see. Empty sets mean everything; ``everyone`` entries match any role."""

    roles: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()  # entry kinds, or "milestone" / "event"
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def matches(self, entry_type: str, row: EntryRow) -> bool:
        if self.roles and not (set(row.roles) & (self.roles | {"everyone"})):
            return False
        if self.topics and not (set(row.topics) & self.topics):
            return False
        if self.kinds and row.kind not in self.kinds and entry_type not in self.kinds:
            return False
        if self.date_from and row.date < self.date_from:
            return False
        return not (self.date_to and row.date > self.date_to)


@dataclass(frozen=True)
class HistoryPoint:
    date: dt.date | None
    status: str | None
    changed_by: str
    seen_at: dt.datetime
    entry_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "status": self.status,
            "changed_by": self.changed_by,
            "seen_at": iso_utc(self.seen_at),
            "entry_id": self.entry_id,
        }


@dataclass(frozen=True)
class TimelineItem:
    type: str
    row: EntryRow
    status: str
    days_left: int
    history: tuple[HistoryPoint, ...] = field(default=())
    superseded_by: tuple[str, ...] = field(default=())
    lineage: tuple[str, ...] = field(default=())  # the entries this one replaced, then itself

    @property
    def root_id(self) -> str:
        """The first entry of the lineage: what a calendar keys a moved date on."""
        return self.lineage[0] if self.lineage else self.row.id

    @property
    def revision_count(self) -> int:
        """How often the date or status changed, counting each replacement by a later law."""
        return max(len(self.history) - 1, 0)

    @property
    def last_modified(self) -> dt.datetime | None:
        """When this database last saw the date or status change, or None if it never did: the
        entries of a lineage that were all first seen together count as its starting state."""
        if not self.history:
            return None
        first_seen = self.history[0].seen_at
        return max((p.seen_at for p in self.history if p.seen_at != first_seen), default=None)

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def date(self) -> dt.date:
        return self.row.date

    @property
    def tentative(self) -> bool:
        return self.status in TENTATIVE_STATUSES

    @property
    def original_date(self) -> dt.date | None:
        """The first date this entry (or what it replaced) ever had, when it differs from now."""
        first = next((point.date for point in self.history if point.date is not None), None)
        return first if first is not None and first != self.date else None

    def to_json(self) -> dict[str, Any]:
        row = self.row
        data: dict[str, Any] = {
            "id": row.id,
            "type": self.type,
            "title": row.title,
            "date": row.date.isoformat(),
            "days_left": self.days_left,
            "kind": row.kind,
            "legal_basis": row.legal_basis,
            "instrument": row.instrument,
            "status": self.status,
            "tentative": self.tentative,
            "roles": list(row.roles),
            "topics": list(row.topics),
            "sources": list(row.sources),
            "summary": row.summary,
            "derivation": row.derivation,
            "original_date": self.original_date.isoformat() if self.original_date else None,
            "supersedes": row.supersedes,
            "superseded_by": list(self.superseded_by),
            "duty_of": row.duty_of,
            "met_on": row.met_on.isoformat() if row.met_on else None,
            "met_source": row.met_source,
            "note": row.note,
            "history": [point.to_json() for point in self.history],
        }
        if isinstance(row, Event):
            data.update(time=row.time, end_time=row.end_time, tz=row.tz)
        return data


def build_timeline(
    milestones: Iterable[EntryRow],
    events: Iterable[EntryRow],
    revisions: Sequence[Revision],
    as_of: dt.date,
    filters: Filters = Filters(),
    include_replaced: bool = False,
) -> list[TimelineItem]:
    """Every entry the filters let through, in date order, with its status on ``as_of``."""
    typed: dict[str, tuple[str, EntryRow]] = {}
    for entry_type, rows in (("milestone", milestones), ("event", events)):
        for row in rows:
            typed[row.id] = (entry_type, row)
    successors: dict[str, list[str]] = {}
    for _, row in typed.values():
        if row.supersedes in typed:
            successors.setdefault(row.supersedes, []).append(row.id)
    by_entry: dict[str, list[Revision]] = {}
    for revision in revisions:
        by_entry.setdefault(revision.entry_id, []).append(revision)

    items = []
    for entry_type, row in typed.values():
        replaced = row.status in REPLACED_BY_LAW and row.id in successors
        if replaced and not include_replaced:
            continue
        if not filters.matches(entry_type, row):
            continue
        lineage = _lineage(row, typed)
        history = tuple(
            HistoryPoint(r.new_date, r.new_status, r.changed_by, r.seen_at, r.entry_id)
            for ancestor in lineage
            for r in by_entry.get(ancestor.id, ())
            if r.change != "removed"
        )
        items.append(
            TimelineItem(
                type=entry_type,
                row=row,
                status=effective_status(row, row.date, as_of),
                days_left=(row.date - as_of).days,
                history=history,
                superseded_by=tuple(successors.get(row.id, ())),
                lineage=tuple(ancestor.id for ancestor in lineage),
            )
        )
    items.sort(key=lambda item: (item.date, item.type != "milestone", item.id))
    return items


def _lineage(row: EntryRow, typed: dict[str, tuple[str, EntryRow]]) -> list[EntryRow]:
    chain = [row]
    while chain[0].supersedes in typed and len(chain) <= len(typed):
        chain.insert(0, typed[chain[0].supersedes][1])
    return chain
