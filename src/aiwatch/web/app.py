"""The web app: ``/calendar.ics``, ``/calendars/{token}.ics``, ``/healthz``.

Calendars are answered with a strong ETag and Last-Modified; a matching If-None-Match gets 304 with
no body. The rendered bytes come from ``CalendarCache``, so an unchanged calendar costs one cheap
freshness query and no rendering.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from email.utils import format_datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from aiwatch.calendar import CalendarOptions, parse_days
from aiwatch.calendars import (
    CalendarCache,
    CalendarRequest,
    RenderedCalendar,
    TokenResolver,
    no_subscribers,
)
from aiwatch.clock import utcnow
from aiwatch.store import Store
from aiwatch.timeline import Filters
from aiwatch.vocabulary import EVENT_KINDS, MILESTONE_KINDS, ROLES, TOPICS

ICS_TYPE = "text/calendar; charset=utf-8"
# Tokens are random, at least 128 bits: 22 or more URL-safe base64 characters.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")
KINDS = {"milestone": "", "event": "", **MILESTONE_KINDS, **EVENT_KINDS}
NOT_FOUND = PlainTextResponse("Not Found", status_code=404)


class BadQuery(ValueError):
    """A query parameter a user can fix; answered with 400 and the message."""


def _values(request: Request, name: str, allowed: dict[str, str]) -> frozenset[str]:
    values = frozenset(v for raw in request.query_params.getlist(name) for v in raw.split(",") if v)
    unknown = sorted(values - allowed.keys())
    if unknown:
        raise BadQuery(f"unknown {name} '{unknown[0]}'; valid: {', '.join(allowed)}")
    return values


def parse_calendar_query(request: Request) -> CalendarRequest:
    """The public calendar's filters, from ``?role=&topic=&kind=&lead=&past_days=``."""
    known = {"role", "topic", "kind", "lead", "past_days"}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise BadQuery(f"unknown parameter '{unknown[0]}'; valid: {', '.join(sorted(known))}")
    filters = Filters(
        roles=_values(request, "role", ROLES),
        topics=_values(request, "topic", TOPICS),
        kinds=_values(request, "kind", KINDS),
    )
    try:
        leads = parse_days(request.query_params.getlist("lead"))
    except ValueError as exc:
        raise BadQuery(f"lead: {exc}") from exc
    past = request.query_params.get("past_days", "365")
    if not past.isdigit():
        raise BadQuery(f"past_days: '{past}' is not a number of days")
    return CalendarRequest(filters, CalendarOptions(leads=leads), int(past))


def calendar_response(request: Request, rendered: RenderedCalendar, ttl: int) -> Response:
    headers = {
        "ETag": rendered.etag,
        "Cache-Control": f"public, max-age={ttl}",
    }
    if rendered.last_modified is not None:
        headers["Last-Modified"] = format_datetime(rendered.last_modified, usegmt=True)
    if_none_match = request.headers.get("if-none-match", "")
    if rendered.etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*":
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(rendered.body))
        return Response(status_code=200, headers=headers, media_type=ICS_TYPE)
    return Response(rendered.body, headers=headers, media_type=ICS_TYPE)


def create_app(
    store: Store,
    resolve_token: TokenResolver = no_subscribers,
    clock: Callable[[], dt.datetime] = utcnow,
) -> FastAPI:
    """The app over an open, synced store. ``resolve_token`` is the personal-calendar hook."""
    app = FastAPI(title="aiwatch", docs_url=None, redoc_url=None, openapi_url=None)
    cache = CalendarCache(store)
    app.state.cache = cache
    ttl = int(CalendarOptions().refresh.total_seconds())

    @app.exception_handler(BadQuery)
    def _bad_query(_request: Request, exc: BadQuery) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=400)

    @app.api_route("/calendar.ics", methods=["GET", "HEAD"])
    def public_calendar(request: Request) -> Response:
        rendered = cache.get(parse_calendar_query(request), clock().date())
        return calendar_response(request, rendered, ttl)

    @app.api_route("/calendars/{token}.ics", methods=["GET", "HEAD"])
    def personal_calendar(request: Request, token: str) -> Response:
        wanted = resolve_token(token) if TOKEN_RE.match(token) else None
        if wanted is None:
            return NOT_FOUND
        return calendar_response(request, cache.get(wanted, clock().date()), ttl)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app
