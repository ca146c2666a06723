"""The sync stage: make the database match the catalog, writing a revision for every change of a
date or a status and nothing at all for an unchanged entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from aiwatch.catalog.fingerprint import catalog_fingerprint
from aiwatch.clock import as_utc
from aiwatch.models import EntryRow, Event, Milestone, Revision
from aiwatch.settings import Settings
from aiwatch.store import (
    FINGERPRINT_KEY,
    SCHEMA_REVISION,
    Store,
    bump_data_version,
    set_meta,
)

if TYPE_CHECKING:
    from aiwatch.catalog.loader import Catalog, CatalogEntry

# Columns copied from a catalog entry; a change to date or status also writes a revision.
COPIED = (
    "title", "kind", "legal_basis", "instrument", "roles", "topics", "status", "summary",
    "sources", "supersedes", "duty_of", "met_on", "met_source", "note",
)  # fmt: skip
EVENT_ONLY = ("time", "end_time", "tz")


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # date or status changed
    updated: list[str] = field(default_factory=list)  # other fields only: no revision
    removed: list[str] = field(default_factory=list)

    @property
    def wrote_anything(self) -> bool:
        return bool(self.added or self.changed or self.updated or self.removed)


def changed_by(entry: CatalogEntry) -> str:
    return f"{entry.instrument}, {entry.legal_basis}"


def sync_catalog(session: Session, catalog: Catalog, now: dt.datetime) -> SyncResult:
    """Apply ``catalog`` to the database in the caller's transaction."""
    seen_at = as_utc(now)
    result = SyncResult()
    rows: dict[tuple[str, str], EntryRow] = {}
    for table in (Milestone, Event):
        for stored in session.exec(select(table)):
            rows[(str(table.__tablename__), stored.id)] = stored

    for entry in catalog.entries.values():
        table = Milestone if entry.entry_type == "milestone" else Event
        row = rows.pop((entry.entry_type, entry.id), None)
        values = _values(entry)
        if row is None:
            session.add(table(**values, updated_at=seen_at))
            session.add(_revision(entry, "created", None, None, seen_at))
            result.added.append(entry.id)
            continue
        date_or_status_moved = row.date != entry.date or row.status != entry.status
        if date_or_status_moved or not row.in_catalog:
            change = "restored" if not row.in_catalog else "changed"
            session.add(_revision(entry, change, row.date, row.status, seen_at))
            (result.changed if change == "changed" else result.added).append(entry.id)
        elif any(getattr(row, name) != value for name, value in values.items()):
            result.updated.append(entry.id)
        else:
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.in_catalog = True
        row.updated_at = seen_at
        session.add(row)

    # Entries that left the catalog stay in the database, marked, with a revision saying so.
    for (entry_type, entry_id), row in rows.items():
        if row.in_catalog:
            row.in_catalog = False
            row.updated_at = seen_at
            session.add(row)
            session.add(
                Revision(
                    entry_type=entry_type,
                    entry_id=entry_id,
                    change="removed",
                    seen_at=seen_at,
                    old_date=row.date,
                    old_status=row.status,
                    changed_by="removed from the catalog",
                )
            )
            result.removed.append(entry_id)
    set_meta(session, FINGERPRINT_KEY, catalog.fingerprint)
    if result.wrote_anything:
        bump_data_version(session, seen_at)
    return result


def _values(entry: CatalogEntry) -> dict[str, Any]:
    names = COPIED + (EVENT_ONLY if entry.entry_type == "event" else ())
    values: dict[str, Any] = {name: getattr(entry.spec, name) for name in names}
    values.update(id=entry.id, date=entry.date, derivation=entry.derivation, in_catalog=True)
    return values


def _revision(
    entry: CatalogEntry,
    change: str,
    old_date: dt.date | None,
    old_status: str | None,
    seen_at: dt.datetime,
) -> Revision:
    return Revision(
        entry_type=entry.entry_type,
        entry_id=entry.id,
        change=change,
        seen_at=seen_at,
        old_date=old_date,
        new_date=entry.date,
        old_status=old_status,
        new_status=entry.status,
        changed_by=changed_by(entry),
    )


def prepare_store(settings: Settings, now: dt.datetime) -> Store:
    """An open store at the newest schema holding the current catalog.

    The catalog is read and validated only when its files changed since the last sync (their
    fingerprint is kept in the database); a catalog with errors raises before anything is written.
    """
    config_dir = settings.config
    store = Store(settings.effective_database_url)
    try:
        revision = store.schema_revision()
        fingerprint = catalog_fingerprint(config_dir)
        if revision == SCHEMA_REVISION and store.get_meta(FINGERPRINT_KEY) == fingerprint:
            return store
        from aiwatch.catalog.loader import load_catalog

        catalog = load_catalog(config_dir)
        if revision != SCHEMA_REVISION:
            store.upgrade()
        with store.session() as session:
            sync_catalog(session, catalog, now)
    except BaseException:
        store.close()
        raise
    return store
