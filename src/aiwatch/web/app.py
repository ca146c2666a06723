"""The web app: ``/calendar.ics``, ``/calendars/{token}.ics``, ``/healthz``.

Calendars are the hot path (every subscribed client polls them), so they are answered by a small
ASGI handler in front of FastAPI, which keeps the other routes. A calendar request costs a parse of
its query (cached by the raw query string), a look at the data version (read from the database at
most once per ``freshness_interval`` seconds, in a worker thread) and a dict lookup; rendering
happens only when the data or the day changed, also in a worker thread. Answers carry a strong
ETag, Last-Modified and Cache-Control; a matching If-None-Match gets 304 with no body.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from aiwatch.calendar import CalendarOptions, parse_days
from aiwatch.calendars import (
    DEFAULT_PAST_DAYS,
    CalendarCache,
    CalendarRequest,
    RenderedCalendar,
    TokenResolver,
    no_subscribers,
)
from aiwatch.clock import utcnow
from aiwatch.store import Store
from aiwatch.timeline import Filters
from aiwatch.vocabulary import ENTRY_KINDS, ROLES, TOPICS

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

ICS_TYPE = b"text/calendar; charset=utf-8"
# Tokens are random, at least 128 bits: 22 or more URL-safe base64 characters.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")
QUERY_KEYS = ("kind", "lead", "past_days", "role", "topic")
PERSONAL_PREFIX, ICS_SUFFIX = "/calendars/", ".ics"


class BadQuery(ValueError):
    """A query parameter a user can fix; answered with 400 and the message."""


def _values(query: dict[str, list[str]], name: str, allowed: dict[str, str]) -> frozenset[str]:
    values = frozenset(v for raw in query.get(name, ()) for v in raw.split(",") if v)
    unknown = sorted(values - allowed.keys())
    if unknown:
        raise BadQuery(f"unknown {name} '{unknown[0]}'; valid: {', '.join(allowed)}")
    return values


def parse_calendar_query(query_string: bytes) -> CalendarRequest:
    """The public calendar's content, from ``?role=&topic=&kind=&lead=&past_days=``."""
    query = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    unknown = sorted(set(query) - set(QUERY_KEYS))
    if unknown:
        raise BadQuery(f"unknown parameter '{unknown[0]}'; valid: {', '.join(QUERY_KEYS)}")
    filters = Filters(
        roles=_values(query, "role", ROLES),
        topics=_values(query, "topic", TOPICS),
        kinds=_values(query, "kind", ENTRY_KINDS),
    )
    try:
        leads = parse_days(query.get("lead", []))
    except ValueError as exc:
        raise BadQuery(f"lead: {exc}") from exc
    past = query.get("past_days", [str(DEFAULT_PAST_DAYS)])[-1]
    if not past.isdigit():
        raise BadQuery(f"past_days: '{past}' is not a number of days")
    return CalendarRequest(filters, CalendarOptions(leads=leads), int(past))


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _text(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await _answer(send, status, headers, body)


class CalendarApp:
    """ASGI: answers the calendar paths itself and hands everything else to ``fallback``."""

    def __init__(
        self,
        store: Store,
        fallback: Callable[[Scope, Receive, Send], Awaitable[None]],
        resolve_token: TokenResolver = no_subscribers,
        clock: Callable[[], dt.datetime] = utcnow,
        freshness_interval: float = 1.0,
    ) -> None:
        self.store = store
        self.fallback = fallback
        self.resolve_token = resolve_token
        self.clock = clock
        self.freshness_interval = freshness_interval
        self.cache = CalendarCache(store)
        self.ttl = int(CalendarOptions().refresh.total_seconds())
        self._queries: dict[bytes, CalendarRequest | BadQuery] = {}
        self._version: str | None = None
        self._version_read_at = -float("inf")
        self._version_lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if path == "/calendar.ics":
                await self._public(scope, send)
                return
            if path.startswith(PERSONAL_PREFIX) and path.endswith(ICS_SUFFIX):
                await self._personal(scope, send, path[len(PERSONAL_PREFIX) : -len(ICS_SUFFIX)])
                return
        await self.fallback(scope, receive, send)

    async def _public(self, scope: Scope, send: Send) -> None:
        raw = scope["query_string"]
        wanted = self._queries.get(raw)
        if wanted is None:
            try:
                wanted = parse_calendar_query(raw)
            except BadQuery as exc:
                wanted = exc
            if len(self._queries) >= 1024:
                self._queries.clear()
            self._queries[raw] = wanted
        if isinstance(wanted, BadQuery):
            await _text(send, 400, str(wanted))
            return
        await self._calendar(scope, send, wanted)

    async def _personal(self, scope: Scope, send: Send, token: str) -> None:
        token = unquote(token)
        wanted = None
        if TOKEN_RE.match(token):
            wanted = await asyncio.to_thread(self.resolve_token, token)
        if wanted is None:
            await _text(send, 404, "Not Found")  # the same for unknown and malformed tokens
            return
        await self._calendar(scope, send, wanted)

    async def _data_version(self) -> str | None:
        if time.monotonic() - self._version_read_at >= self.freshness_interval:
            async with self._version_lock:
                if time.monotonic() - self._version_read_at >= self.freshness_interval:
                    self._version = await asyncio.to_thread(self.store.data_version)
                    self._version_read_at = time.monotonic()
        return self._version

    async def _calendar(self, scope: Scope, send: Send, wanted: CalendarRequest) -> None:
        version = await self._data_version()
        today = self.clock().date()
        rendered = self.cache.lookup(wanted, today, version)
        if rendered is None:
            rendered = await asyncio.to_thread(self.cache.render, wanted, today, version)
        await self._send_calendar(scope, send, rendered)

    async def _send_calendar(self, scope: Scope, send: Send, rendered: RenderedCalendar) -> None:
        headers = [
            (b"etag", rendered.etag.encode()),
            (b"cache-control", f"public, max-age={self.ttl}".encode()),
        ]
        if rendered.last_modified is not None:
            stamp = format_datetime(rendered.last_modified, usegmt=True)
            headers.append((b"last-modified", stamp.encode()))
        if_none_match = _header(scope, b"if-none-match")
        if if_none_match and (
            if_none_match == b"*"
            or rendered.etag.encode() in (tag.strip() for tag in if_none_match.split(b","))
        ):
            await _answer(send, 304, headers, b"")
            return
        headers.append((b"content-type", ICS_TYPE))
        headers.append((b"content-length", str(len(rendered.body)).encode()))
        body = b"" if scope["method"] == "HEAD" else rendered.body
        await _answer(send, 200, headers, body)


def create_app(
    store: Store,
    resolve_token: TokenResolver = no_subscribers,
    clock: Callable[[], dt.datetime] = utcnow,
    freshness_interval: float = 1.0,
    readiness: Callable[[], tuple[bool, dict[str, object]]] | None = None,
    metrics: Callable[[], bytes] | None = None,
) -> CalendarApp:
    """The app over an open, synced store. ``resolve_token`` is the personal-calendar hook;
    the daemon passes ``readiness`` (for /readyz) and ``metrics`` (for /metrics)."""
    api = FastAPI(title="aiwatch", docs_url=None, redoc_url=None, openapi_url=None)

    @api.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    if readiness is not None:

        @api.get("/readyz")
        def readyz() -> JSONResponse:
            ready, details = readiness()
            return JSONResponse(details, status_code=200 if ready else 503)

    if metrics is not None:

        @api.get("/metrics")
        def metrics_endpoint() -> Response:
            return Response(metrics(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return CalendarApp(store, api, resolve_token, clock, freshness_interval)
