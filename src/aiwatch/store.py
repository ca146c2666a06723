"""The database: engine, schema version, and the queries the stages need.

SQLite is the embedded default (WAL, a busy timeout, foreign keys on); PostgreSQL is the path for
several instances. The schema is owned by the Alembic migrations in ``aiwatch/migrations``; opening
a store checks the version with one cheap query and imports Alembic only when an upgrade is due.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlmodel import Session, create_engine, select

from aiwatch.clock import as_utc
from aiwatch.errors import StoreError
from aiwatch.models import CheckRun, DerivedEvent, EntryRow, Event, Meta, Milestone, Revision

# The newest migration in aiwatch/migrations/versions; a test keeps the two in step.
SCHEMA_REVISION = "0003"
FINGERPRINT_KEY = "catalog_fingerprint"
# Changes whenever anything a calendar or report shows changes: caches compare it, nothing else.
DATA_VERSION_KEY = "data_version"


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}", url) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable, fewer fsyncs
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if backend == "postgresql" and parsed.drivername == "postgresql":
        # Plain postgresql:// would ask for psycopg2; aiwatch ships with psycopg 3.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the driver for {display_url(url)} is not installed ({exc.name}); "
            "install aiwatch[postgres]",
            url,
        ) from exc


class Store:
    """An open database whose schema is at ``SCHEMA_REVISION``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except Exception:
                session.rollback()
                raise

    def schema_revision(self) -> str | None:
        """The migration the database is at, or None for a database aiwatch never touched."""
        path = sqlite_path(self.url)
        if path is not None and not path.exists():
            return None  # do not create an empty file just to look
        try:
            with self.engine.connect() as conn:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except DBAPIError as exc:
            if _is_missing_table(exc):
                return None
            raise StoreError(f"cannot open {display_url(self.url)}: {exc.orig}", self.url) from exc
        return row[0] if row else None

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (``aiwatch db upgrade``)."""
        path = sqlite_path(self.url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of {path}: {exc}", self.url) from exc
        from aiwatch.migrate import upgrade_to_head

        try:
            upgrade_to_head(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot migrate {display_url(self.url)}: {exc}", self.url) from exc

    def ensure_schema(self) -> None:
        if self.schema_revision() != SCHEMA_REVISION:
            self.upgrade()

    def data_version(self) -> str | None:
        """One primary-key lookup: the cheap freshness check in front of every cache."""
        return self.get_meta(DATA_VERSION_KEY)

    def get_meta(self, key: str) -> str | None:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(
                    text("SELECT value FROM meta WHERE key = :k"), {"k": key}
                ).first()
        except (OperationalError, ProgrammingError):
            return None
        return row[0] if row else None

    def close(self) -> None:
        self.engine.dispose()


def _is_missing_table(exc: SQLAlchemyError) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in message or "does not exist" in message


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    elif row.value != value:
        row.value = value
        session.add(row)


def bump_data_version(session: Session, now: dt.datetime) -> None:
    """Tell every cache that the data changed (every writer of entries or revisions calls this)."""
    set_meta(session, DATA_VERSION_KEY, f"{as_utc(now).isoformat()}/{uuid.uuid4().hex}")


def has_subscribers(store: Store) -> bool:
    """Cheap: lets a check with no subscribers skip the alert machinery entirely."""
    try:
        with store.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM subscriber LIMIT 1")).first() is not None
    except (OperationalError, ProgrammingError):
        return False


def load_entries(session: Session) -> tuple[list[Milestone], list[EntryRow]]:
    """Milestones, and events: the catalog's and those derived from news items."""
    milestones = list(session.exec(select(Milestone).where(Milestone.in_catalog == True)))  # noqa: E712
    catalog_events = list(session.exec(select(Event).where(Event.in_catalog == True)))  # noqa: E712
    derived = list(session.exec(select(DerivedEvent)))
    return milestones, [*catalog_events, *derived]


def load_revisions(session: Session) -> list[Revision]:
    return list(session.exec(select(Revision).order_by(Revision.id)))  # type: ignore[arg-type]


def last_check(session: Session) -> CheckRun | None:
    statement = select(CheckRun).order_by(CheckRun.id.desc()).limit(1)  # type: ignore[union-attr]
    return session.exec(statement).first()


def record_check(session: Session, ran_at: dt.datetime, as_of: dt.date) -> None:
    session.add(CheckRun(ran_at=as_utc(ran_at), as_of=as_of))
