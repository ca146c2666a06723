"""Polling: the watch pipeline, run once over a set of sources.

    sources.SourceSpec ─▶ fetch.fetch_feed   (async, bounded concurrency, conditional GET)
                       ─▶ parse.parse_feed   (bytes -> items; unsafe or non-feeds refused)
                       ─▶ classify           (label + rule per item)
                       ─▶ extract            (mentioned deadlines and event dates)
                       ─▶ record             (items, derived events, source state; one
                                              transaction per source)

One failing source is a result on its row and in the report; it never stops the others. A source
in back-off (after failures or a Retry-After) is not polled before its ``next_poll_at``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiwatch.clock import iso_utc
from aiwatch.models import Item
from aiwatch.store import Store, bump_data_version
from aiwatch.watch.classify import Classifier, load_classifier
from aiwatch.watch.extract import mentioned_dates
from aiwatch.watch.fetch import FetchLimits, FetchResult, fetch_feed, make_client
from aiwatch.watch.parse import FeedRejected, parse_feed
from aiwatch.watch.record import (
    ProcessedItem,
    SourceReport,
    backoff_report,
    record_failure,
    record_success,
    source_row,
)
from aiwatch.watch.sources import SourceSpec


@dataclass(frozen=True)
class NewItem:
    source: str
    item: Item
    event_ids: list[str]

    def to_json(self) -> dict[str, Any]:
        item = self.item
        return {
            "source": self.source,
            "key": item.key,
            "title": item.title,
            "url": item.url,
            "published": iso_utc(item.published) if item.published else None,
            "lang": item.lang,
            "label": item.label,
            "rule": item.rule,
            "mentioned_dates": list(item.mentioned_dates),
            "event_ids": self.event_ids,
        }


@dataclass
class PollReport:
    sources: list[SourceReport] = field(default_factory=list)
    new_items: list[NewItem] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status in ("error", "backoff")]


def process(
    body: bytes,
    spec: SourceSpec,
    final_url: str,
    classifier: Classifier,
    now: dt.datetime,
) -> tuple[list[ProcessedItem], list[str]]:
    """Parse, filter, classify and extract one feed body (pure)."""
    feed = parse_feed(body, final_url, spec.language)
    processed = []
    for item in feed.items:
        if not spec.keeps(f"{item.title} {item.summary}"):
            continue
        verdict = classifier.classify(item.title, item.summary)
        dates = mentioned_dates(
            item.title, item.summary, verdict.label, item.lang, item.published, now
        )
        processed.append(ProcessedItem(item, verdict.label, verdict.rule, tuple(dates)))
    return processed, feed.warnings


async def poll_sources_async(
    store: Store,
    specs: list[SourceSpec],
    now: dt.datetime,
    classifier: Classifier,
    limits: FetchLimits | None = None,
    concurrency: int = 8,
    on_done: Callable[[SourceReport], None] | None = None,
) -> PollReport:
    limits = limits or FetchLimits()
    report = PollReport()
    due: list[SourceSpec] = []
    states = {}
    with store.session() as session:
        for spec in specs:
            row = source_row(session, spec)
            states[spec.name] = (row.etag, row.last_modified)
            if row.failures and row.next_poll_at and row.next_poll_at > now:
                report.sources.append(backoff_report(spec, row))
            else:
                due.append(spec)
    semaphore = asyncio.Semaphore(concurrency)

    async with make_client(limits, concurrency) as client:

        async def one(spec: SourceSpec) -> tuple[SourceSpec, FetchResult]:
            etag, modified = states[spec.name]
            async with semaphore:
                fetched = await fetch_feed(
                    client, spec.url, now, etag, modified, limits, spec.compressed
                )
            return spec, fetched

        for next_done in asyncio.as_completed([one(spec) for spec in due]):
            spec, fetched = await next_done
            source_report = _record(store, spec, fetched, classifier, now, report)
            report.sources.append(source_report)
            if on_done is not None:
                on_done(source_report)
    order = {spec.name: index for index, spec in enumerate(specs)}
    report.sources.sort(key=lambda s: order[s.name])
    return report


def _record(
    store: Store,
    spec: SourceSpec,
    fetched: FetchResult,
    classifier: Classifier,
    now: dt.datetime,
    report: PollReport,
) -> SourceReport:
    processed = None
    warnings: list[str] = []
    error = fetched.error
    if fetched.status == "ok":
        try:
            processed, warnings = process(
                fetched.body or b"", spec, fetched.final_url or spec.url, classifier, now
            )
        except FeedRejected as exc:
            error = str(exc)
    with store.session() as session:
        row = source_row(session, spec)
        if fetched.status == "error" or error:
            return record_failure(session, spec, row, fetched, error or "unknown error", now)
        source_report, new_items = record_success(
            session, spec, row, fetched, processed, warnings, now
        )
        if processed:
            bump_data_version(session, now)
        report.new_items.extend(NewItem(spec.name, item, ids) for item, ids in new_items)
        return source_report


def poll_sources(
    store: Store,
    specs: list[SourceSpec],
    now: dt.datetime,
    rules: Path,
    limits: FetchLimits | None = None,
    concurrency: int = 8,
    on_done: Callable[[SourceReport], None] | None = None,
) -> PollReport:
    """Poll every source that is not in back-off, once."""
    classifier = load_classifier(rules)
    return asyncio.run(
        poll_sources_async(store, specs, now, classifier, limits, concurrency, on_done)
    )
