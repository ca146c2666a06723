"""`aiwatch sources test URL`: the whole watch pipeline on one URL, storing nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from aiwatch.clock import iso_utc
from aiwatch.settings import Settings
from aiwatch.watch.classify import RULES_FILE, load_classifier
from aiwatch.watch.fetch import FetchLimits, fetch_feed, make_client
from aiwatch.watch.parse import FeedRejected
from aiwatch.watch.poll import process
from aiwatch.watch.report import config_file
from aiwatch.watch.sources import SourceSpec


def trial_fetch(url: str, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """``{url, status, http_status, error, items: [...]}``; status is ``ok`` or ``error``."""
    classifier = load_classifier(config_file(settings, RULES_FILE))
    limits = FetchLimits(
        max_bytes=settings.max_feed_bytes, total_timeout=settings.fetch_timeout_seconds
    )

    async def fetch() -> Any:
        async with make_client(limits, 1) as client:
            return await fetch_feed(client, url, now, limits=limits)

    fetched = asyncio.run(fetch())
    result: dict[str, Any] = {
        "url": url,
        "status": "error",
        "http_status": fetched.http_status,
        "error": fetched.error,
        "items": [],
    }
    if fetched.status != "ok":
        return result
    spec = SourceSpec(name="trial", url=url if url.startswith("http") else "http://invalid")
    try:
        processed, warnings = process(
            fetched.body or b"", spec, fetched.final_url or url, classifier, now
        )
    except FeedRejected as exc:
        result["error"] = str(exc)
        return result
    result["status"] = "ok"
    result["error"] = "; ".join(warnings) or None
    result["items"] = [
        {
            "title": p.item.title,
            "url": p.item.url,
            "published": iso_utc(p.item.published) if p.item.published else None,
            "lang": p.item.lang,
            "label": p.label,
            "rule": p.rule,
            "mentioned_dates": [d.date.isoformat() for d in p.dates],
        }
        for p in processed
    ]
    return result
