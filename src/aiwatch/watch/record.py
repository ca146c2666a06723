"""Storing what a poll found: items (unique per source and key), events derived from them, and the
source's state (validators, failures, next poll). Everything for one source in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from aiwatch.clock import as_utc, iso_utc
from aiwatch.models import DerivedEvent, Item, Source
from aiwatch.watch.extract import MentionedDate
from aiwatch.watch.fetch import FetchResult
from aiwatch.watch.parse import ParsedItem
from aiwatch.watch.sources import SourceSpec

MAX_BACKOFF = dt.timedelta(hours=24)
LABEL_TOPICS = {
    "consultation": ["consultation"],
    "guideline": ["guidelines"],
    "code-of-practice": ["codes-of-practice"],
    "board-meeting": ["ai-board"],
    "legislation": ["legislation"],
    "appointment": ["governance"],
}


@dataclass(frozen=True)
class ProcessedItem:
    item: ParsedItem
    label: str
    rule: str
    dates: tuple[MentionedDate, ...]


@dataclass
class SourceReport:
    name: str
    url: str
    status: str  # ok | not-modified | error | backoff
    http_status: int | None = None
    items: int = 0
    new: int = 0
    error: str | None = None
    next_poll: dt.datetime | None = None
    stale: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "status": self.status,
            "http_status": self.http_status,
            "items": self.items,
            "new": self.new,
            "error": self.error,
            "next_poll": iso_utc(self.next_poll) if self.next_poll else None,
            "stale": self.stale,
        }


def event_id(source_name: str, key: str, day: dt.date) -> str:
    digest = hashlib.sha1(f"{source_name}\0{key}".encode()).hexdigest()[:12]
    return f"news-{digest}-{day.isoformat()}"


def source_row(session: Session, spec: SourceSpec) -> Source:
    row = session.exec(select(Source).where(Source.name == spec.name)).first()
    if row is None:
        row = Source(name=spec.name, url=spec.url)
        session.add(row)
        session.flush()
    elif row.url != spec.url:  # a new address is a new feed: start over, with a new baseline
        row.url, row.etag, row.last_modified, row.baseline_done = spec.url, None, None, False
        session.add(row)
    return row


def source_rows(session: Session, specs: list[SourceSpec]) -> dict[str, Source]:
    """Every source's row, created where missing, in one query."""
    names = [spec.name for spec in specs]
    rows = {r.name: r for r in session.exec(select(Source).where(col(Source.name).in_(names)))}
    for spec in specs:
        row = rows.get(spec.name)
        if row is None or row.url != spec.url:
            rows[spec.name] = source_row(session, spec)
    return rows


def backoff_report(spec: SourceSpec, row: Source, now: dt.datetime) -> SourceReport:
    return SourceReport(
        spec.name, spec.url, "backoff", row.last_http_status, row.items, 0, row.last_error,
        row.next_poll_at, is_stale(row, spec, now),
    )  # fmt: skip


def record_not_modified(
    session: Session, answers: list[tuple[SourceSpec, Source, FetchResult]], now: dt.datetime
) -> list[SourceReport]:
    """Many 304 answers in one UPDATE: an unchanged feed costs next to nothing."""
    if not answers:
        return []
    updates, reports = [], []
    for spec, row, fetched in answers:
        values = {
            "id": row.id, "last_poll_at": now, "last_success_at": now,
            "last_status": "not-modified", "last_http_status": fetched.http_status,
            "failures": 0, "last_error": None, "next_poll_at": now + spec.every,
        }  # fmt: skip
        updates.append(values)
        row.last_success_at, row.next_poll_at = now, now + spec.every
        reports.append(
            SourceReport(
                spec.name,
                spec.url,
                "not-modified",
                fetched.http_status,
                row.items,
                0,
                None,
                row.next_poll_at,
                is_stale(row, spec, now),
            )
        )
    session.execute(update(Source), updates)
    return reports


def record_failure(
    session: Session,
    spec: SourceSpec,
    row: Source,
    result: FetchResult,
    error: str,
    now: dt.datetime,
) -> SourceReport:
    row.failures += 1
    wait = min(spec.every * 2 ** (row.failures - 1), MAX_BACKOFF)
    if result.retry_after is not None:
        wait = max(wait, result.retry_after)
    row.last_poll_at, row.last_status, row.last_error = now, "error", error
    row.last_http_status = result.http_status
    row.next_poll_at = now + wait
    session.add(row)
    return SourceReport(
        spec.name, spec.url, "error", result.http_status, row.items, 0, error, row.next_poll_at,
    )  # fmt: skip


def record_success(
    session: Session,
    spec: SourceSpec,
    row: Source,
    result: FetchResult,
    processed: list[ProcessedItem] | None,
    warnings: list[str],
    now: dt.datetime,
) -> tuple[SourceReport, list[tuple[Item, list[str]]]]:
    """Store a 200 (``processed``) or a 304 (``processed`` None). Returns the report and the new
    items with their derived event ids."""
    new_items: list[tuple[Item, list[str]]] = []
    wrote = False
    if processed is not None:
        new_items, wrote = _store_items(session, spec, row, processed, now)
        row.last_change_at = now if wrote or row.last_change_at is None else row.last_change_at
        row.baseline_done = True
        row.etag, row.last_modified = result.etag, result.last_modified
    row.failures, row.last_error = 0, None
    row.last_poll_at = row.last_success_at = now
    row.last_status = "ok" if processed is not None else "not-modified"
    row.last_http_status = result.http_status
    row.next_poll_at = now + spec.every
    if new_items:
        row.last_new_item_at = now
    if processed is not None:
        _update_cadence(session, row)
    session.add(row)
    report = SourceReport(
        spec.name, spec.url, row.last_status, result.http_status, row.items,
        len(new_items), None, row.next_poll_at, is_stale(row, spec, now), warnings,
    )  # fmt: skip
    return report, new_items


def _update_cadence(session: Session, row: Source) -> None:
    """How often the feed publishes: the median gap between its latest 20 dated items."""
    session.flush()
    published = sorted(
        (
            as_utc(p)
            for p in session.exec(
                select(Item.published)
                .where(Item.source_id == row.id, col(Item.published).is_not(None))
                .order_by(col(Item.published).desc())
                .limit(20)
            )
            if p is not None
        ),
        reverse=True,
    )
    row.newest_published = published[0] if published else None
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(published)]
    row.cadence_seconds = statistics.median(gaps) if len(gaps) >= 4 else None


def _store_items(
    session: Session,
    spec: SourceSpec,
    row: Source,
    processed: list[ProcessedItem],
    now: dt.datetime,
) -> tuple[list[tuple[Item, list[str]]], bool]:
    existing = {
        item.key: item for item in session.exec(select(Item).where(Item.source_id == row.id))
    }
    baseline = not row.baseline_done
    new_items: list[tuple[Item, list[str]]] = []
    added: list[tuple[dict[str, Any], ProcessedItem]] = []
    seen: set[str] = set()
    wrote = False
    for entry in processed:
        parsed = entry.item
        dates = [d.date.isoformat() for d in entry.dates]
        stored = existing.get(parsed.key)
        if stored is None:
            if parsed.key in seen:
                continue  # the same item twice in one feed
            seen.add(parsed.key)
            values: dict[str, Any] = {
                "source_id": row.id, "key": parsed.key, "title": parsed.title,
                "url": parsed.url, "summary": parsed.summary, "lang": parsed.lang,
                "published": parsed.published, "first_seen_at": now, "updated_at": now,
                "baseline": baseline, "label": entry.label, "rule": entry.rule,
                "mentioned_dates": dates,
            }  # fmt: skip
            added.append((values, entry))
            continue
        edited = (stored.title, stored.url, stored.summary) != (
            parsed.title, parsed.url, parsed.summary,
        )  # fmt: skip
        if edited:  # an edit updates the row; it is not news again
            stored.title, stored.url, stored.summary = parsed.title, parsed.url, parsed.summary
            stored.label, stored.rule, stored.mentioned_dates = entry.label, entry.rule, dates
            stored.updated_at = now
            session.add(stored)
            _derive_events(session, spec, stored, entry, now)
            wrote = True
    if added:
        # One multi-row INSERT (not an ORM object per item): a first poll stores thousands.
        statement = insert(Item).returning(col(Item.id), sort_by_parameter_order=True)
        item_ids = session.execute(statement, [values for values, _ in added]).scalars().all()
        row.items += len(added)
        wrote = True
        for (values, entry), item_id in zip(added, item_ids, strict=True):
            if not entry.dates and baseline:
                continue
            stored = Item(id=item_id, **values)
            ids = _derive_events(session, spec, stored, entry, now, new=True) if entry.dates else []
            if not baseline:
                new_items.append((stored, ids))
    return new_items, wrote


def _derive_events(
    session: Session,
    spec: SourceSpec,
    item: Item,
    entry: ProcessedItem,
    now: dt.datetime,
    new: bool = False,
) -> list[str]:
    wanted = {event_id(spec.name, item.key, d.date): d for d in entry.dates}
    if not new:  # an edited item may no longer mention a date it did
        for old in session.exec(select(DerivedEvent).where(DerivedEvent.item_id == item.id)):
            if old.id not in wanted:
                session.delete(old)
    for identifier, mention in wanted.items():
        what = "Closing date" if mention.kind == "consultation-deadline" else "Event"
        values: dict[str, Any] = {
            "title": f"{what}: {item.title}"[:120],
            "date": mention.date,
            "kind": mention.kind,
            "legal_basis": "Mentioned in a Commission news item",
            "instrument": spec.name,
            "roles": ["everyone"],
            "topics": LABEL_TOPICS.get(item.label, []),
            "status": "scheduled",
            "summary": item.summary[:500],
            "sources": [item.url] if item.url else [spec.url],
            "derivation": f"'{mention.phrase}' in \"{item.title}\" ({spec.name})",
            "updated_at": now,
            "item_id": item.id,
        }
        current = None if new else session.get(DerivedEvent, identifier)
        if current is None:
            session.add(DerivedEvent(id=identifier, **values))
        else:
            for name, value in values.items():
                setattr(current, name, value)
            session.add(current)
    return sorted(wanted)


def is_stale(row: Source, spec: SourceSpec, now: dt.datetime) -> bool:
    """Silence is a signal: no new item for far longer than the feed's usual cadence, or an
    unchanged answer (304 or the same items) for implausibly long."""
    if row.last_success_at is None:
        return False
    if row.last_change_at and now - as_utc(row.last_change_at) > max(
        dt.timedelta(days=30), spec.every * 50
    ):
        return True
    if row.newest_published is not None and row.cadence_seconds is not None:
        cadence = dt.timedelta(seconds=row.cadence_seconds)
        return now - as_utc(row.newest_published) > max(cadence * 10, dt.timedelta(days=14))
    return False
