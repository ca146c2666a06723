"""Each configured source's health, as `aiwatch sources list` shows it: read from the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import select

from aiwatch.clock import as_utc, iso_utc
from aiwatch.models import Source
from aiwatch.store import Store
from aiwatch.watch.record import is_stale
from aiwatch.watch.sources import load_sources


def source_health(store: Store, sources_file: Path, now: dt.datetime) -> list[dict[str, Any]]:
    specs = load_sources(sources_file)
    rows: list[dict[str, Any]] = []
    with store.session() as session:
        for spec in specs:
            row = session.exec(select(Source).where(Source.name == spec.name)).first()
            if row is None:
                rows.append({"name": spec.name, "url": spec.url, "status": "never polled"})
                continue
            status = row.last_status or "never polled"
            if row.failures and row.next_poll_at and as_utc(row.next_poll_at) > now:
                status = "backoff"
            rows.append(
                {
                    "name": spec.name,
                    "url": spec.url,
                    "status": status,
                    "last_poll": iso_utc(row.last_poll_at) if row.last_poll_at else None,
                    "http_status": row.last_http_status,
                    "items": row.items,
                    "last_error": row.last_error,
                    "next_poll": iso_utc(row.next_poll_at) if row.next_poll_at else None,
                    "stale": is_stale(row, spec, now),
                }
            )
    return rows
