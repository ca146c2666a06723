"""The outbox: planned notifications as rows that move pending → delivering → delivered, or
failed (with ``next_attempt_at``) and at last dead. A unique key makes a duplicate impossible
however often planning runs; a claimed row carries a lease, so a crashed sender's rows are picked
up again (with the same key, which receivers de-duplicate on)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from aiwatch.clock import as_utc
from aiwatch.models import DeliveryAttempt, Outbox, Subscriber
from aiwatch.plan import Notification

# Waits after the 1st, 2nd, ... failure; after the last one the row is dead.
BACKOFF = (
    dt.timedelta(seconds=5), dt.timedelta(minutes=1), dt.timedelta(minutes=5),
    dt.timedelta(minutes=30), dt.timedelta(hours=2), dt.timedelta(hours=6),
    dt.timedelta(hours=12), dt.timedelta(hours=24),
)  # fmt: skip
LEASE = dt.timedelta(minutes=2)
PENDING_STATES = ("pending", "failed")


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: delivered, or an error with what the receiver said."""

    delivered: bool
    status_code: int | None = None
    error: str | None = None
    retry_after: dt.timedelta | None = None
    gone: bool = False  # 410: the subscriber asked to be removed
    permanent: bool = False  # no retry can help (refused target, bad configuration)
    duration_ms: int = 0


def enqueue(session: Session, planned: Sequence[Notification], now: dt.datetime) -> int:
    """Insert what is not there yet; returns how many rows were new."""
    if not planned:
        return 0
    rows = [
        {
            "key": n.key,
            "subscriber_id": n.subscriber_id,
            "kind": n.kind,
            "subject": n.subject[:200],
            "payload": n.payload(),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": as_utc(now),
            "created_at": as_utc(now),
        }
        for n in planned
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    inserted = 0
    for start in range(0, len(rows), 1000):
        statement = insert(Outbox).on_conflict_do_nothing(index_elements=["key"])
        # RETURNING lists only the rows really inserted: the count of new notifications.
        result = session.execute(statement.returning(col(Outbox.id)), rows[start : start + 1000])
        inserted += len(result.all())
    return inserted


def claim(
    session: Session, now: dt.datetime, limit: int = 200, lease: dt.timedelta = LEASE
) -> list[Outbox]:
    """Rows due for an attempt, marked delivering with a lease. On PostgreSQL, rows another
    instance holds are skipped (FOR UPDATE SKIP LOCKED)."""
    statement = (
        select(Outbox)
        .where(
            or_(
                col(Outbox.status).in_(PENDING_STATES) & (col(Outbox.next_attempt_at) <= now),
                (col(Outbox.status) == "delivering") & (col(Outbox.lease_until) < now),
            )
        )
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    rows = list(session.exec(statement))
    for row in rows:
        row.status, row.lease_until = "delivering", now + lease
        session.add(row)
    return rows


def next_state(attempts_before: int, outcome: Outcome, now: dt.datetime) -> dict[str, object]:
    """The columns an attempt's outcome sets (pure): delivered, failed with a back-off, or dead."""
    attempts = attempts_before + 1
    values: dict[str, object] = {"attempts": attempts, "lease_until": None}
    if outcome.delivered:
        values.update(status="delivered", delivered_at=now, last_error=None)
    elif outcome.gone or outcome.permanent or attempts >= len(BACKOFF) + 1:
        values.update(status="dead", last_error=outcome.error)
    else:
        wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)] * random.uniform(0.9, 1.1)
        if outcome.retry_after is not None:
            wait = max(wait, outcome.retry_after)
        values.update(status="failed", last_error=outcome.error, next_attempt_at=now + wait)
    return values


def record_outcome(connection: Any, row: Outbox, outcome: Outcome, now: dt.datetime) -> str:
    """Write one attempt and the row's new state with two statements (no ORM round trips):
    the delivery loop calls this the moment each answer arrives."""
    values = next_state(row.attempts, outcome, now)
    connection.execute(update(Outbox).where(col(Outbox.id) == row.id).values(**values))
    connection.execute(
        insert(DeliveryAttempt).values(
            outbox_id=row.id, at=now, status_code=outcome.status_code, error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
    )  # fmt: skip
    if outcome.gone:
        connection.execute(
            update(Subscriber).where(col(Subscriber.id) == row.subscriber_id).values(active=False)
        )
    return str(values["status"])


def requeue(session: Session, now: dt.datetime, row_id: int | None) -> int:
    """A failed or dead row (or every dead one when ``row_id`` is None) due again now."""
    statement = select(Outbox).where(col(Outbox.status).in_(("failed", "dead")))
    if row_id is None:
        statement = select(Outbox).where(Outbox.status == "dead")
    else:
        statement = statement.where(Outbox.id == row_id)
    rows = list(session.exec(statement))
    for row in rows:
        row.status, row.next_attempt_at, row.attempts = "pending", now, 0
        session.add(row)
    return len(rows)


def cancel(session: Session, row: Outbox, reason: str) -> None:
    row.status, row.lease_until, row.last_error = "cancelled", None, reason
    session.add(row)
