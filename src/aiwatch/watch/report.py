"""What the CLI asks of the watch pipeline: poll the configured sources, and list new items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from aiwatch.clock import iso_utc
from aiwatch.models import DerivedEvent, Item, Source
from aiwatch.settings import Settings, bundled_config_dir
from aiwatch.store import Store
from aiwatch.watch.classify import RULES_FILE
from aiwatch.watch.sources import SOURCES_FILE

if TYPE_CHECKING:
    from aiwatch.watch.poll import PollReport
    from aiwatch.watch.record import SourceReport

# Items stored but never reported: not about the AI Act.
NOT_REPORTED = ("unrelated",)


@dataclass(frozen=True)
class PollOptions:
    sources_file: Path | None = None  # None: sources.toml in the catalog folder
    on_done: Callable[[SourceReport], None] | None = None
    on_start: Callable[[int], None] | None = None
    due_only: bool = False  # the daemon polls each source at its interval


def run_poll(
    store: Store, settings: Settings, now: dt.datetime, options: PollOptions
) -> PollReport:
    from aiwatch.watch.fetch import FetchLimits
    from aiwatch.watch.poll import poll_sources
    from aiwatch.watch.sources import load_sources

    specs = load_sources(options.sources_file or config_file(settings, SOURCES_FILE))
    if options.on_start is not None:
        options.on_start(len(specs))
    limits = FetchLimits(
        max_bytes=settings.max_feed_bytes, total_timeout=settings.fetch_timeout_seconds
    )
    return poll_sources(
        store, specs, now, config_file(settings, RULES_FILE), limits, settings.poll_concurrency,
        options.on_done, options.due_only,
    )  # fmt: skip


def config_file(settings: Settings, name: str) -> Path:
    """``name`` in the configured folder, or the bundled one when that folder has none: a catalog
    folder of your own still polls the Commission with the shipped rules."""
    own = settings.config / name
    return own if own.exists() else bundled_config_dir() / name


def item_json(item: Item, source: str, event_ids: list[str]) -> dict[str, Any]:
    return {
        "source": source,
        "key": item.key,
        "title": item.title,
        "url": item.url,
        "published": iso_utc(item.published) if item.published else None,
        "lang": item.lang,
        "label": item.label,
        "rule": item.rule,
        "mentioned_dates": list(item.mentioned_dates),
        "event_ids": event_ids,
    }


def new_items(session: Session, since: dt.datetime | None) -> list[dict[str, Any]]:
    """Items first seen after ``since`` that are news: not baseline, about the AI Act."""
    statement = (
        select(Item, Source.name)
        .join(Source, col(Source.id) == col(Item.source_id))
        .where(Item.baseline == False, col(Item.label).not_in(NOT_REPORTED))  # noqa: E712
        .order_by(col(Item.first_seen_at), col(Item.id))
    )
    if since is not None:
        statement = statement.where(col(Item.first_seen_at) > since)
    rows = list(session.exec(statement))
    events: dict[int, list[str]] = {}
    ids = [item.id for item, _ in rows]
    if ids:
        for event_id, item_id in session.exec(
            select(DerivedEvent.id, DerivedEvent.item_id).where(col(DerivedEvent.item_id).in_(ids))
        ):
            events.setdefault(item_id, []).append(event_id)
    return [item_json(item, name, sorted(events.get(item.id or 0, []))) for item, name in rows]
