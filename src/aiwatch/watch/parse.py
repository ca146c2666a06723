"""The parse stage (pure): feed bytes in, items out. feedparser reads the bytes; it never fetches.

- A document whose DTD declares entities is refused before parsing: entity-expansion bombs and
  external entities never reach an XML parser, whatever its version (no real feed declares them).
- A malformed feed keeps the items that parse and reports a warning.
- Something that is not a feed (an HTML page, a captive portal, an empty body) is an error, not
  zero items.
- Every item gets a stable key (guid, else the normalised link, else a hash of title and date),
  an absolute link, a plain-text summary, a language and a publication time (or None).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE | re.DOTALL)
LOOKS_LIKE_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S)
SPACE = re.compile(r"\s+")
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
MAX_SUMMARY = 2000


class FeedRejected(ValueError):
    """The bytes are not a feed aiwatch will read; the message says why."""


@dataclass(frozen=True)
class ParsedItem:
    key: str
    title: str
    url: str | None
    summary: str
    lang: str | None
    published: dt.datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: list[ParsedItem]
    warnings: list[str] = field(default_factory=list)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: scripts and styles dropped, tags to spaces, entities
    decoded. Summaries are short fragments, so a pattern does what a parser would, faster."""
    if "<" in markup:
        markup = TAG.sub(" ", SCRIPT_OR_STYLE.sub(" ", markup))
    if "&" in markup:
        markup = html.unescape(markup)
    return SPACE.sub(" ", markup).strip()


def normalise_link(url: str) -> str:
    """Scheme and host lower-cased, fragment dropped, a trailing slash on the path removed."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _published(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                year, month, day, hour, minute, second = value[:6]
                return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
            except (TypeError, ValueError):
                continue
    return None


def item_key(guid: str | None, link: str | None, title: str, published: dt.datetime | None) -> str:
    if guid and guid.strip():
        return guid.strip()[:512]
    if link:
        return normalise_link(link)[:512]
    stamp = published.isoformat() if published else ""
    return "sha256:" + hashlib.sha256(f"{title}\0{stamp}".encode()).hexdigest()


def parse_feed(body: bytes, base_url: str, default_lang: str | None = None) -> ParsedFeed:
    """Items of a feed document. Raises FeedRejected for what is not a (safe) feed."""
    import feedparser  # imported here: a check that polls nothing never pays for it

    if not body.strip():
        raise FeedRejected("empty body")
    head = body[:4096]
    if ENTITY_DECLARATION.search(body[:65536]):
        raise FeedRejected("the document declares XML entities; refused (entity expansion)")
    if LOOKS_LIKE_HTML.match(head):
        raise FeedRejected("an HTML page, not a feed (a login or error page?)")
    parsed = feedparser.parse(
        body,
        response_headers={"content-location": base_url, "content-type": "application/xml"},
        # Summaries become plain text and links are resolved below: feedparser need not
        # sanitise HTML or rewrite URIs inside it.
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise FeedRejected(f"not an RSS or Atom feed ({reason or 'no feed elements'})")
    warnings = []
    if parsed.get("bozo"):
        warnings.append(f"malformed feed, kept what parsed: {parsed.get('bozo_exception')}")
    feed_lang = (parsed.feed.get("language") or default_lang or "").split("-")[0].lower() or None
    items = []
    for entry in parsed.entries:
        title = html_to_text(entry.get("title", "")) or "(untitled)"
        link = entry.get("link")
        if link:
            link = urljoin(base_url, link)
        published = _published(entry)
        summary = html_to_text(entry.get("summary", "") or entry.get("description", ""))
        lang = (entry.get("language") or "").split("-")[0].lower() or feed_lang
        items.append(
            ParsedItem(
                key=item_key(entry.get("id"), link, title, published),
                title=title,
                url=link,
                summary=summary[:MAX_SUMMARY],
                lang=lang,
                published=published,
            )
        )
    return ParsedFeed(html_to_text(parsed.feed.get("title", "")), items, warnings)
