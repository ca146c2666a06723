"""Apprise: Slack, Teams, Matrix, Discord, ntfy and the rest, through the subscriber's Apprise URL.
They get a short title and body."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiwatch.deliver.email import message_lines, subject
from aiwatch.deliver.outbox import Outcome


def _notify(url: str, title: str, body: str) -> tuple[bool, str | None]:
    import apprise  # imported here: only subscribers on Apprise pay for it

    sender = apprise.Apprise()
    if not sender.add(url):
        return False, "not a valid Apprise URL"
    return bool(sender.notify(title=title, body=body)), None


async def send_apprise(url: str, payload: dict[str, Any]) -> Outcome:
    kind, data = payload["type"], payload["data"]
    body = "\n".join(message_lines(kind, data))[:2000]
    started = time.perf_counter()
    ok, invalid = await asyncio.to_thread(_notify, url, subject(kind, data), body)
    ms = int((time.perf_counter() - started) * 1000)
    if invalid:
        return Outcome(False, error=invalid, permanent=True, duration_ms=ms)
    return Outcome(ok, error=None if ok else "the Apprise service refused the message",
                   duration_ms=ms)  # fmt: skip
