"""Subscribers: validated, stored, listed, removed. The CLI's `subscribers` commands call these."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select

from aiwatch.calendar import CalendarOptions
from aiwatch.calendars import CalendarRequest
from aiwatch.deliver.webhook import new_secret
from aiwatch.errors import ConfigError
from aiwatch.models import Subscriber
from aiwatch.store import Store
from aiwatch.timeline import Filters
from aiwatch.vocabulary import ROLES, TOPICS
from aiwatch.watch.classify import LABELS

NEWS_MODES = ("immediate", "daily", "weekly")
TIME_RE = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
NAME_RE = re.compile(r"^[\w][\w .@-]{0,99}$")


CHANNELS = ("webhook", "email", "apprise")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class SubscriberSpec:
    name: str
    target: str
    secret: str | None = None
    roles: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    leads: list[int] = field(default_factory=lambda: [90, 30, 7, 1])
    tz: str = "Europe/Brussels"
    send_at: str = "09:00"
    news: str = "immediate"
    channel: str = "webhook"


def validate(spec: SubscriberSpec) -> list[str]:
    """Every problem with a subscriber, in words a user can act on."""
    problems = []
    if not NAME_RE.match(spec.name):
        problems.append(f"name '{spec.name}' must be 1-100 letters, digits, spaces, . @ - _")
    if spec.channel not in CHANNELS:
        problems.append(f"channel '{spec.channel}' must be one of {', '.join(CHANNELS)}")
    elif spec.channel == "webhook" and not re.match(r"^https?://[^\s/]+", spec.target):
        problems.append(f"webhook '{spec.target}' is not an http(s) URL")
    elif spec.channel == "email" and not EMAIL_RE.match(spec.target):
        problems.append(f"'{spec.target}' is not an email address")
    elif spec.channel == "apprise" and "://" not in spec.target:
        problems.append(f"'{spec.target}' is not an Apprise URL (scheme://...)")
    if spec.secret is not None and not spec.secret.startswith("whsec_"):
        problems.append("secret must start with whsec_ (Standard Webhooks)")
    for values, allowed, what in (
        (spec.roles, ROLES, "role"), (spec.topics, TOPICS, "topic"),
        (spec.labels, dict.fromkeys(LABELS[:-1]), "label"),
    ):  # fmt: skip
        for value in values:
            if value not in allowed:
                problems.append(f"unknown {what} '{value}'; valid: {', '.join(allowed)}")
    for lang in spec.langs:
        if not re.match(r"^[a-z]{2}$", lang):
            problems.append(f"language '{lang}' must be a two-letter code")
    if not spec.leads or any(not 0 <= lead <= 3650 for lead in spec.leads):
        problems.append("lead times must be days from 0 to 3650, e.g. 90,30,7,1")
    try:
        ZoneInfo(spec.tz)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"unknown time zone '{spec.tz}'")
    if not TIME_RE.match(spec.send_at):
        problems.append(f"send time '{spec.send_at}' must be HH:MM")
    if spec.news not in NEWS_MODES:
        problems.append(f"news mode '{spec.news}' must be one of {', '.join(NEWS_MODES)}")
    return problems


def _row(spec: SubscriberSpec, now: dt.datetime) -> tuple[Subscriber, str | None]:
    generated = None if spec.secret or spec.channel != "webhook" else new_secret()
    row = Subscriber(
        name=spec.name, channel=spec.channel, target=spec.target,
        secret=spec.secret or generated,
        roles=spec.roles, topics=spec.topics, labels=spec.labels, langs=spec.langs,
        leads=sorted(set(spec.leads), reverse=True), tz=spec.tz, send_at=spec.send_at,
        news=spec.news, active=True, calendar_token=secrets.token_urlsafe(24), created_at=now,
    )  # fmt: skip
    return row, generated


def add(store: Store, spec: SubscriberSpec, now: dt.datetime) -> tuple[Subscriber, str | None]:
    """Store a subscriber. Returns it and the secret if one was generated (shown once)."""
    problems = validate(spec)
    if problems:
        raise ConfigError("; ".join(problems))
    row, generated = _row(spec, now)
    with store.session() as session:
        if session.exec(select(Subscriber).where(Subscriber.name == spec.name)).first():
            raise ConfigError(f"a subscriber named '{spec.name}' exists already")
        session.add(row)
    return row, generated


IMPORT_FIELDS = {"name", "webhook", "email", "apprise", "secret", "roles", "topics", "labels",
                 "langs", "lead", "tz", "at", "news"}  # fmt: skip


def _list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


def spec_from_record(record: dict[str, object]) -> SubscriberSpec:
    """One imported row (a JSON object or a CSV line) as a spec; ValueError says what is wrong."""
    unknown = sorted(set(record) - IMPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown field '{unknown[0]}'; known: {', '.join(sorted(IMPORT_FIELDS))}")
    channels = [(c, record.get(c)) for c in CHANNELS if record.get(c)]
    if len(channels) != 1:
        raise ValueError("give exactly one of webhook, email, apprise")
    try:
        leads = [int(v) for v in _list(record.get("lead") or "90,30,7,1")]
    except ValueError as exc:
        raise ValueError(f"lead: {exc}") from exc
    return SubscriberSpec(
        name=str(record.get("name") or ""), target=str(channels[0][1]),
        secret=str(record["secret"]) if record.get("secret") else None,
        roles=_list(record.get("roles")), topics=_list(record.get("topics")),
        labels=_list(record.get("labels")), langs=_list(record.get("langs")), leads=leads,
        tz=str(record.get("tz") or "Europe/Brussels"), send_at=str(record.get("at") or "09:00"),
        news=str(record.get("news") or "immediate"), channel=channels[0][0],
    )  # fmt: skip


def read_import(path: Path) -> list[tuple[str, dict[str, object]]]:
    """(where, record) pairs from a .json list or a .csv with a header line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ConfigError("a JSON import is a list of objects", path)
        return [(f"entry {n}", record) for n, record in enumerate(data, start=1)]
    reader = csv.DictReader(io.StringIO(text))
    return [(f"line {reader.line_num}", {k: v for k, v in row.items() if k}) for row in reader]


def import_file(store: Store, path: Path, now: dt.datetime) -> list[tuple[Subscriber, str | None]]:
    """All subscribers of a file, or none: every bad row is reported with its line."""
    try:
        records = read_import(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise ConfigError(f"cannot read: {exc}", path) from exc
    problems, specs = [], []
    names: set[str] = set()
    with store.session() as session:
        existing = {s.name for s in session.exec(select(Subscriber))}
    for where, record in records:
        try:
            spec = spec_from_record(record)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        issues = validate(spec)
        if spec.name in names or spec.name in existing:
            issues.append(f"name '{spec.name}' is taken")
        names.add(spec.name)
        problems.extend(f"{where}: {issue}" for issue in issues)
        specs.append(spec)
    if problems:
        raise ConfigError("nothing imported:\n" + "\n".join(problems), path)
    added = []
    with store.session() as session:
        for spec in specs:
            row, generated = _row(spec, now)
            session.add(row)
            added.append((row, generated))
    return added


def find(store: Store, name: str) -> Subscriber:
    with store.session() as session:
        row = session.exec(select(Subscriber).where(Subscriber.name == name)).first()
    if row is None:
        raise ConfigError(f"no subscriber named '{name}'")
    return row


def listing(store: Store) -> list[Subscriber]:
    with store.session() as session:
        return list(session.exec(select(Subscriber).order_by(Subscriber.name)))


def calendar_resolver(store: Store) -> Callable[[str], CalendarRequest | None]:
    """The web app's hook: a token to the subscriber's calendar, with their reminders as alarms."""

    def resolve(token: str) -> CalendarRequest | None:
        with store.session() as session:
            row = session.exec(
                select(Subscriber).where(
                    Subscriber.calendar_token == token,
                    Subscriber.active == True,  # noqa: E712
                )
            ).first()
        if row is None:
            return None
        options = CalendarOptions(
            name=f"EU AI Act: {row.name}", alarms=tuple(row.leads),
            alarm_time=dt.time.fromisoformat(row.send_at),
        )  # fmt: skip
        filters = Filters(roles=frozenset(row.roles), topics=frozenset(row.topics))
        return CalendarRequest(filters, options)

    return resolve


def remove(store: Store, name: str) -> None:
    """Deactivate: the row and its delivery history stay; nothing more is sent."""
    with store.session() as session:
        row = session.exec(select(Subscriber).where(Subscriber.name == name)).first()
        if row is None:
            raise ConfigError(f"no subscriber named '{name}'")
        row.active = False
        session.add(row)
