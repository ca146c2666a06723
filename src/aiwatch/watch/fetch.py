"""The fetch stage: one feed over HTTP, conditionally, within limits. Touches the network; every
httpx error becomes a ``FetchResult`` with ``status="error"`` and a message naming the URL here,
and nowhere else.

Limits are enforced while the body streams in: connect, read and total timeouts; a maximum body
size counted after decompression (so a gzip bomb stops at the limit, not at the end of memory); a
bounded number of redirects. 429 and 503 answers carry their Retry-After back to the caller.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

from aiwatch import __version__

USER_AGENT = f"aiwatch/{__version__} (EU AI Act tracker; polite feed reader)"
FetchStatus = Literal["ok", "not-modified", "error"]


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 10_000_000
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_redirects: int = 5


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: FetchStatus
    http_status: int | None = None
    body: bytes | None = None
    final_url: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: dt.timedelta | None = None


class BodyTooLarge(Exception):
    pass


async def _read_bounded(response: httpx.Response, compressed: bool, max_bytes: int) -> bytes:
    """The body, decompressed here in steps of at most ``max_bytes``: a gzip bomb is stopped at
    the limit without ever expanding further in memory (httpx would expand a whole chunk)."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32) if compressed else None
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            pending = raw
            while pending:
                if inflater is None:
                    out, pending = pending, b""
                else:
                    out = inflater.decompress(pending, max_bytes - size + 1)
                    pending = inflater.unconsumed_tail
                size += len(out)
                if size > max_bytes:
                    raise BodyTooLarge
                chunks.append(out)
    except zlib.error as exc:
        raise httpx.DecodingError(f"bad compressed body: {exc}") from exc
    return b"".join(chunks)


def make_client(limits: FetchLimits, concurrency: int = 8) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=limits.connect_timeout,
            read=limits.read_timeout,
            write=limits.read_timeout,
            pool=limits.total_timeout,
        ),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                 "Accept": "application/rss+xml, application/atom+xml, "
                 "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )  # fmt: skip


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    now: dt.datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
    compressed: bool = True,
) -> FetchResult:
    """GET ``url`` with If-None-Match / If-Modified-Since from the previous answer."""
    headers = {} if compressed else {"Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        return await asyncio.wait_for(
            _fetch(client, url, headers, now, limits), timeout=limits.total_timeout
        )
    except TimeoutError:
        return FetchResult(
            url, "error", error=f"no complete answer within {limits.total_timeout:g} s"
        )
    except httpx.TooManyRedirects:
        return FetchResult(url, "error", error=f"more than {limits.max_redirects} redirects")
    except httpx.TimeoutException as exc:
        return FetchResult(url, "error", error=f"timed out ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return FetchResult(url, "error", error=f"{type(exc).__name__}: {exc}")
    except BodyTooLarge:
        return FetchResult(url, "error", error=f"body larger than {limits.max_bytes} bytes")


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    now: dt.datetime,
    limits: FetchLimits,
) -> FetchResult:
    async with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        common = {
            "http_status": status,
            "final_url": str(response.url),
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        if status == 304:
            return FetchResult(url, "not-modified", **common)
        if status >= 400 or status < 200:
            retry = parse_retry_after(response.headers.get("retry-after"), now)
            reason = response.reason_phrase or ""
            return FetchResult(
                url, "error", error=f"HTTP {status} {reason}".strip(), retry_after=retry,
                **common,
            )  # fmt: skip
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise BodyTooLarge
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            return FetchResult(url, "error", error=f"unsupported Content-Encoding '{encoding}'",
                               **common)  # fmt: skip
        body = await _read_bounded(response, encoding != "identity", limits.max_bytes)
        return FetchResult(
            url, "ok", body=body, content_type=response.headers.get("content-type"),
            **common,
        )  # fmt: skip
