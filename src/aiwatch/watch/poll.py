"""Polling: the watch pipeline, run once over a set of sources.

    sources.SourceSpec ─▶ fetch.fetch_feed   (async, bounded concurrency, conditional GET)
                       ─▶ parse.parse_feed   (bytes -> items; unsafe or non-feeds refused)
                       ─▶ classify           (label + rule per item)
                       ─▶ extract            (mentioned deadlines and event dates)
                       ─▶ record             (items, derived events, source state; one
                                              transaction per source)

One failing source is a result on its row and in the report; it never stops the others. A source
in back-off (after failures or a Retry-After) is not polled before its ``next_poll_at``.

Parsing is the costly stage (feedparser is pure Python), so a large poll parses in a small pool of
worker processes while the main process fetches and records; a small one parses in place.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from aiwatch.models import Item, Source
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
    record_not_modified,
    record_success,
    source_row,
    source_rows,
)
from aiwatch.watch.sources import SourceSpec


@dataclass(frozen=True)
class NewItem:
    source: str
    item: Item
    event_ids: list[str]


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
    due_only: bool = False,
) -> PollReport:
    """Poll every source not in back-off; with ``due_only`` (the daemon), only those whose
    ``next_poll_at`` has come."""
    limits = limits or FetchLimits()
    report = PollReport()
    due: list[SourceSpec] = []
    with store.session() as session:
        rows = source_rows(session, specs)
    for spec in specs:
        row = rows[spec.name]
        waiting = row.next_poll_at is not None and row.next_poll_at > now
        if waiting and row.failures:
            report.sources.append(backoff_report(spec, row, now))
        elif not (waiting and due_only):
            due.append(spec)
    not_modified: list[tuple[SourceSpec, Source, FetchResult]] = []
    semaphore = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()
    pool = _parse_pool() if len(due) >= POOL_THRESHOLD else None

    async with make_client(limits, concurrency) as client:

        async def one(spec: SourceSpec) -> tuple[SourceSpec, FetchResult, Processed]:
            etag, modified = rows[spec.name].etag, rows[spec.name].last_modified
            async with semaphore:
                fetched = await fetch_feed(
                    client, spec.url, now, etag, modified, limits, spec.compressed
                )
            if fetched.status != "ok":
                return spec, fetched, None
            args = (fetched.body or b"", spec, fetched.final_url or spec.url, classifier, now)
            if pool is None:
                return spec, fetched, _process_or_reject(*args)
            return spec, fetched, await loop.run_in_executor(pool, _process_or_reject, *args)

        try:
            for next_done in asyncio.as_completed([one(spec) for spec in due]):
                spec, fetched, processed = await next_done
                if fetched.status == "not-modified":
                    not_modified.append((spec, rows[spec.name], fetched))
                    if on_done is not None:
                        on_done(SourceReport(spec.name, spec.url, "not-modified"))
                    continue
                source_report = _record(store, spec, fetched, processed, now, report)
                report.sources.append(source_report)
                if on_done is not None:
                    on_done(source_report)
            with store.session() as session:
                report.sources.extend(record_not_modified(session, not_modified, now))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    order = {spec.name: index for index, spec in enumerate(specs)}
    report.sources.sort(key=lambda s: order[s.name])
    return report


# (items and warnings) or the reason the body was refused; None when nothing was fetched
Processed = tuple[list[ProcessedItem], list[str]] | str | None
POOL_THRESHOLD = 16  # sources due at once before parsing moves to worker processes


def _process_or_reject(
    body: bytes, spec: SourceSpec, url: str, classifier: Classifier, now: dt.datetime
) -> tuple[list[ProcessedItem], list[str]] | str:
    try:
        return process(body, spec, url, classifier, now)
    except FeedRejected as exc:
        return str(exc)


def _parse_pool() -> ProcessPoolExecutor:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    workers = max(1, min(4, os.cpu_count() or 1))
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


def _record(
    store: Store,
    spec: SourceSpec,
    fetched: FetchResult,
    outcome: Processed,
    now: dt.datetime,
    report: PollReport,
) -> SourceReport:
    processed = None
    warnings: list[str] = []
    error = fetched.error
    if isinstance(outcome, str):
        error = outcome
    elif outcome is not None:
        processed, warnings = outcome
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
    due_only: bool = False,
) -> PollReport:
    """Poll every source that is not in back-off, once."""
    classifier = load_classifier(rules)
    return asyncio.run(
        poll_sources_async(store, specs, now, classifier, limits, concurrency, on_done, due_only)
    )
