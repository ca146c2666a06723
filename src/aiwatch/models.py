"""The database tables. Moments are aware UTC datetimes (SQLModel's UTCDateTime, any back end)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class EntryRow(SQLModel):
    """Columns shared by milestones and events: the catalog entry as last synced."""

    id: str = Field(primary_key=True, max_length=100)
    title: str
    date: dt.date = Field(index=True)
    kind: str = Field(max_length=40)
    legal_basis: str
    instrument: str
    roles: list[str] = Field(sa_type=JSON)
    topics: list[str] = Field(sa_type=JSON)
    status: str = Field(max_length=20)
    summary: str = ""
    sources: list[str] = Field(sa_type=JSON)
    derivation: str
    supersedes: str | None = Field(default=None, max_length=100)
    duty_of: str | None = Field(default=None, max_length=20)
    met_on: dt.date | None = None
    met_source: str | None = None
    note: str | None = None
    in_catalog: bool = True
    updated_at: dt.datetime


class Milestone(EntryRow, table=True):
    """A dated milestone of the Act or of a law that amends it."""


class Event(EntryRow, table=True):
    """A governance event; ``time`` set means a timed event in ``tz``."""

    time: str | None = Field(default=None, max_length=5)
    end_time: str | None = Field(default=None, max_length=5)
    tz: str | None = Field(default=None, max_length=64)


class Revision(SQLModel, table=True):
    """One change of an entry's date or status as the database saw it. ``change`` is ``created``,
    ``changed``, ``removed`` (left the catalog) or ``restored`` (came back)."""

    __table_args__ = (Index("ix_revision_entry", "entry_type", "entry_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_type: str = Field(max_length=10)
    entry_id: str = Field(max_length=100)
    change: str = Field(max_length=10)
    seen_at: dt.datetime = Field(index=True)
    old_date: dt.date | None = None
    new_date: dt.date | None = None
    old_status: str | None = Field(default=None, max_length=20)
    new_status: str | None = Field(default=None, max_length=20)
    changed_by: str


class CheckRun(SQLModel, table=True):
    """A run of ``aiwatch check``: "changes since the last check" count from the newest one."""

    __tablename__ = "check_run"

    id: int | None = Field(default=None, primary_key=True)
    ran_at: dt.datetime = Field(index=True)
    as_of: dt.date


class Meta(SQLModel, table=True):
    """Small facts about the database itself, such as the fingerprint of the last synced catalog."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Source(SQLModel, table=True):
    """A news feed and its polling state. Scheduling reads ``next_poll_at``; nothing is kept only
    in memory."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_change_at: dt.datetime | None = None  # the last 200 whose body differed
    last_new_item_at: dt.datetime | None = None
    last_status: str | None = Field(default=None, max_length=20)
    last_http_status: int | None = None
    last_error: str | None = None
    failures: int = 0
    next_poll_at: dt.datetime | None = Field(default=None, index=True)
    baseline_done: bool = False
    items: int = 0
    newest_published: dt.datetime | None = None  # the feed's cadence, kept so that a 304 needs
    cadence_seconds: float | None = None  # no query to tell whether the source went silent


class Item(SQLModel, table=True):
    """One feed item. (source, key) is unique: the same item can never be stored twice."""

    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_item_source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    key: str = Field(max_length=512)
    title: str
    url: str | None = None
    summary: str = ""
    lang: str | None = Field(default=None, max_length=16)
    published: dt.datetime | None = None
    first_seen_at: dt.datetime = Field(index=True)
    updated_at: dt.datetime
    baseline: bool = False  # stored by the first poll of its source: never reported or alerted
    label: str = Field(max_length=32)
    rule: str = Field(max_length=100)
    mentioned_dates: list[str] = Field(sa_type=JSON)


class DerivedEvent(EntryRow, table=True):
    """A deadline or event date mentioned in a news item: on the timeline like catalog events."""

    __tablename__ = "derived_event"

    item_id: int = Field(foreign_key="item.id", index=True)


class Subscriber(SQLModel, table=True):
    """Someone who gets alerts through one channel, with the filters and lead times they chose."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    channel: str = Field(max_length=10)  # webhook | email | apprise
    target: str  # the webhook URL, the email address or the Apprise URL
    secret: str | None = None  # whsec_… for webhooks
    roles: list[str] = Field(sa_type=JSON)
    topics: list[str] = Field(sa_type=JSON)
    labels: list[str] = Field(sa_type=JSON)
    langs: list[str] = Field(sa_type=JSON)
    leads: list[int] = Field(sa_type=JSON)
    tz: str = Field(max_length=64)
    send_at: str = Field(max_length=5)
    news: str = Field(max_length=10)  # immediate | daily | weekly
    active: bool = True
    calendar_token: str = Field(max_length=64, unique=True)
    created_at: dt.datetime


class Outbox(SQLModel, table=True):
    """One notification to one subscriber. ``key`` is unique: planning twice cannot send twice, and
    it is the ``webhook-id`` receivers de-duplicate on."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    kind: str = Field(max_length=30)
    subject: str = Field(max_length=200)
    payload: dict[str, object] = Field(sa_type=JSON)
    status: str = Field(
        max_length=12, index=True
    )  # pending|delivering|delivered|failed|dead|cancelled
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(index=True)
    lease_until: dt.datetime | None = None
    last_error: str | None = None
    created_at: dt.datetime
    delivered_at: dt.datetime | None = None


class DeliveryAttempt(SQLModel, table=True):
    """Every attempt at delivering an outbox row: when, what came back, how long it took."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    at: dt.datetime
    status_code: int | None = None
    error: str | None = None
    duration_ms: int
