"""`aiwatch run`: the pipeline on a clock, with the HTTP app in the same process.

    APScheduler (AsyncIOScheduler), a few jobs that ask the database what is due:
      poll     every tick   leader only: sources whose next_poll_at has come (watch.report)
      alerts   every tick   leader plans and enqueues; every instance delivers (alerts)
      reload   every tick   catalog files changed (or SIGHUP): validate, then sync; a broken
                            catalog is logged and the previous one kept
      leader   every tick   PostgreSQL: hold or try pg_try_advisory_lock on its own connection
      cleanup  daily        delivery attempts older than 90 days are pruned
    uvicorn serves the calendars, /healthz, /readyz and /metrics in the same event loop.

The database is the only state: restarting, crashing or adding instances changes nothing about
what gets sent. On SQLite a second instance refuses to start (a file lock); on PostgreSQL any
number may run and one leader, chosen by an advisory lock, polls and plans.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiwatch.clock import utcnow
from aiwatch.errors import AiwatchError, StoreError
from aiwatch.settings import Settings
from aiwatch.store import Store, display_url, sqlite_path

log = logging.getLogger("aiwatch")
LEADER_LOCK_KEY = 0x_A1_3A_7C_4  # pg_try_advisory_lock key: one leader per database
PLAN_EVERY = 60.0  # seconds: the safety interval of planning when no data changed


@dataclass
class DaemonState:
    """What /readyz and /metrics report."""

    role: str = "starting"  # single | leader | follower
    started: float = field(default_factory=time.monotonic)
    scheduler_running: bool = False
    counters: dict[str, int] = field(default_factory=dict)
    last_errors: dict[str, str] = field(default_factory=dict)

    def count(self, name: str, value: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for chatty in ("apscheduler", "alembic", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


class SingleInstanceLock:
    """SQLite: one daemon per database file, or the second one refuses clearly."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".run.lock")
        self.handle: Any = None

    def acquire(self) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")  # noqa: SIM115 (held for the process's life)
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self.handle.close()
            raise StoreError(
                f"another `aiwatch run` is using {self.path.with_suffix('').with_suffix('')}; "
                "SQLite serves one daemon (use PostgreSQL for several)"
            ) from exc
        self.handle.truncate(0)
        self.handle.write(str(os.getpid()))
        self.handle.flush()


class Leadership:
    """PostgreSQL: hold an advisory lock on a connection of its own. Whoever holds it leads;
    if the holder dies, its connection closes, the lock is free, and the next try wins it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.connection: Any = None

    def refresh(self) -> bool:
        from sqlalchemy import text

        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection died: leadership is gone with it
                log.warning("lost the leader connection")
                self.connection = None
        connection = self.store.engine.connect()
        won = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
        ).scalar()
        connection.commit()
        if won:
            self.connection = connection
            log.info("this instance is the leader")
            return True
        connection.close()
        return False


class Daemon:
    def __init__(self, settings: Settings, host: str, port: int, http: bool) -> None:
        self.settings = settings
        self.host, self.port, self.http = host, port, http
        self.state = DaemonState()
        self.store: Store | None = None
        self.leadership: Leadership | None = None
        self.reload_requested = threading.Event()
        self.stopping = asyncio.Event()
        self.stop_flag = threading.Event()  # seen by job threads
        self.running_jobs = 0
        self.running_lock = threading.Lock()
        self.planned_version: str | None = None
        self.planned_at = 0.0

    # jobs: plain functions, run by APScheduler in worker threads --------------------------

    def is_leader(self) -> bool:
        return self.state.role in ("single", "leader")

    def job_leader(self) -> None:
        if self.leadership is None:
            return
        leading = self.leadership.refresh()
        role = "leader" if leading else "follower"
        if role != self.state.role:
            log.info("role: %s", role)
        self.state.role = role

    def job_poll(self) -> None:
        if not self.is_leader() or self.store is None:
            return
        from aiwatch.watch.report import PollOptions, run_poll

        report = run_poll(self.store, self.settings, utcnow(), PollOptions(due_only=True))
        for source in report.sources:
            self.state.count(f"polls:{source.name}:{source.status}")
            if source.status == "error":
                log.warning("source %s: %s", source.name, source.error)
        if report.new_items:
            self.state.count("new_items", len(report.new_items))
            log.info("%d new item(s)", len(report.new_items))

    def job_alerts(self) -> None:
        if self.store is None:
            return
        from aiwatch.alerts import deliver, plan_and_enqueue

        now = utcnow()
        dates = None
        version = self.store.data_version()
        # Plan when the data changed, and at least once a minute (reminders come due by the
        # clock alone); otherwise a tick costs a few indexed queries.
        if self.is_leader() and (
            version != self.planned_version or time.monotonic() - self.planned_at >= PLAN_EVERY
        ):
            planned, dates = plan_and_enqueue(self.store, now)
            self.planned_version, self.planned_at = version, time.monotonic()
            if planned:
                log.info("%d notification(s) planned", planned)
        counts = deliver(self.store, self.settings, now, dates, self.stop_flag.is_set)
        for name, value in counts.items():
            if value:
                self.state.count(f"notifications:{name}", value)
        if counts.get("sent") or counts.get("failed"):
            log.info("deliveries: %s", counts)

    def job_reload(self) -> None:
        if self.store is None or not self.is_leader():
            return
        from aiwatch.catalog.fingerprint import catalog_fingerprint
        from aiwatch.store import FINGERPRINT_KEY
        from aiwatch.sync import prepare_store

        forced = self.reload_requested.is_set()
        self.reload_requested.clear()
        if not forced and self.store.get_meta(FINGERPRINT_KEY) == catalog_fingerprint(
            self.settings.config
        ):
            return
        try:
            prepare_store(self.settings, utcnow()).close()  # validates before writing
            log.info("catalog reloaded from %s", self.settings.config)
        except AiwatchError as exc:
            self.state.last_errors["catalog"] = str(exc)
            log.error("catalog not reloaded, the previous one stays: %s", exc)

    def job_cleanup(self) -> None:
        if self.store is None:
            return
        from sqlmodel import col, delete

        from aiwatch.models import DeliveryAttempt

        cutoff = utcnow() - dt.timedelta(days=90)
        with self.store.session() as session:
            session.exec(delete(DeliveryAttempt).where(col(DeliveryAttempt.at) < cutoff))

    # readiness and metrics ---------------------------------------------------------------

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        database = True
        try:
            assert self.store is not None
            with self.store.engine.connect() as conn:
                from sqlalchemy import text

                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means not ready; say which
            database = False
            self.state.last_errors["database"] = str(exc)
        ready = database and self.state.scheduler_running
        return ready, {
            "ready": ready,
            "database": database,
            "scheduler": self.state.scheduler_running,
            "role": self.state.role,
        }

    # the process -------------------------------------------------------------------------

    async def serve(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from aiwatch.sync import prepare_store

        url = self.settings.effective_database_url
        lock = None
        if (path := sqlite_path(url)) is not None:
            lock = SingleInstanceLock(path)
            lock.acquire()
            self.state.role = "single"
        self.store = prepare_store(self.settings, utcnow())
        if lock is None:
            self.leadership = Leadership(self.store)
            self.job_leader()
        log.info("aiwatch run: database %s, role %s", display_url(url), self.state.role)

        tick = self.settings.tick_seconds
        scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
            timezone=dt.UTC,
        )
        now = dt.datetime.now(dt.UTC)
        for name, job, every in (
            ("leader", self.job_leader, tick),
            ("reload", self.job_reload, tick),
            ("poll", self.job_poll, tick),
            ("alerts", self.job_alerts, tick),
            ("cleanup", self.job_cleanup, 86400),
        ):
            scheduler.add_job(
                self._guarded(name, job), "interval", seconds=every, id=name, name=name,
                next_run_time=now, jitter=min(every / 10, 5),
            )  # fmt: skip
        scheduler.start()
        self.state.scheduler_running = True

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload_requested.set)

        server = None
        server_task = None
        if self.http:
            import uvicorn

            from aiwatch.subscribers import calendar_resolver
            from aiwatch.web.app import create_app

            app = create_app(self.store, calendar_resolver(self.store), readiness=self.readiness,
                             metrics=self.metrics_text)  # fmt: skip
            config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning",
                                    lifespan="off")  # fmt: skip
            server = _QuietServer(config)
            server_task = asyncio.create_task(server.serve())
        await self.stopping.wait()
        self.stop_flag.set()
        log.info("stopping: no new work; waiting for running jobs")
        self.state.scheduler_running = False
        scheduler.shutdown(wait=False)
        await asyncio.to_thread(self._wait_for_jobs, self.settings.shutdown_seconds)
        if server is not None and server_task is not None:
            server.should_exit = True
            await server_task
        if self.running_jobs:
            # A job outlived the grace period (a slow receiver, a hanging DNS lookup). Its claimed
            # rows keep their lease and are retried with the same id after a restart: leave now
            # rather than wait for it (Python would otherwise join its thread at exit).
            log.warning("stopped with %d job(s) still running; they resume after restart",
                        self.running_jobs)  # fmt: skip
            logging.shutdown()
            os._exit(0)
        self.store.close()
        log.info("stopped")

    def _guarded(self, name: str, job: Any) -> Any:
        def run() -> None:
            if self.stop_flag.is_set():
                return
            with self.running_lock:
                self.running_jobs += 1
            try:
                job()
            except Exception as exc:  # one failing job run never stops the daemon
                self.state.last_errors[name] = f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed", name)
            finally:
                with self.running_lock:
                    self.running_jobs -= 1

        run.__name__ = f"job_{name}"
        return run

    def _wait_for_jobs(self, seconds: float) -> None:
        """In-flight deliveries finish (up to ``seconds``); an unfinished one keeps its lease and
        is retried, with the same webhook-id, by the next instance that claims it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.running_jobs:
            time.sleep(0.05)

    def metrics_text(self) -> bytes:
        from aiwatch.metrics import render_metrics

        assert self.store is not None
        return render_metrics(self.store, self.state)


def _quiet_server_class() -> type:
    import contextlib

    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn without its own signal handling: the daemon owns SIGTERM, SIGINT and SIGHUP
        and stops the server itself, after the jobs."""

        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            yield

    return QuietServer


def _QuietServer(config: Any) -> Any:
    return _quiet_server_class()(config)


def run(settings: Settings, host: str, port: int, http: bool, log_format: str) -> None:
    configure_logging(log_format)
    asyncio.run(Daemon(settings, host, port, http).serve())
