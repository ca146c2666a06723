"""Webhooks, signed per the Standard Webhooks specification: ``webhook-id`` (the outbox key),
``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>``
with the subscriber's ``whsec_`` secret. Redirects are not followed; a target that resolves to a
loopback, private, link-local or metadata address is refused unless allowed by settings."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from aiwatch import __version__
from aiwatch.deliver.outbox import Outcome
from aiwatch.watch.fetch import parse_retry_after

USER_AGENT = f"aiwatch/{__version__} (Standard Webhooks)"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


async def refused_target(url: str, allow_private: bool) -> str | None:
    """Why ``url`` may not be called, or None. Names are resolved first, so a public-looking name
    pointing at an internal address is refused too."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url}"
    if allow_private:
        return None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
            type=socket.SOCK_STREAM,
        )  # fmt: skip
    except OSError as exc:
        return f"cannot resolve {parts.hostname}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified
        ):  # fmt: skip
            return f"{parts.hostname} resolves to {address}, a non-public address (refused)"
    return None


async def send_webhook(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    msg_id: str,
    payload: dict[str, Any],
    now: dt.datetime,
    allow_private: bool,
    timeout: float = 10.0,
) -> Outcome:
    reason = await refused_target(url, allow_private)
    if reason:
        return Outcome(False, error=reason, permanent=True)
    body = body_of(payload)
    now_epoch = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(now_epoch),
        "webhook-signature": sign(secret, msg_id, now_epoch, body),
    }
    started = time.perf_counter()
    try:
        response = await client.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        ms = int((time.perf_counter() - started) * 1000)
        return Outcome(False, error=f"{type(exc).__name__}: {exc}", duration_ms=ms)
    ms = int((time.perf_counter() - started) * 1000)
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, status_code=code, duration_ms=ms)
    error = f"HTTP {code}"
    if 300 <= code < 400:
        error += " (redirects are not followed)"
    retry_after = parse_retry_after(response.headers.get("retry-after"), now)
    return Outcome(
        False, status_code=code, error=error, retry_after=retry_after, gone=code == 410,
        duration_ms=ms,
    )  # fmt: skip
