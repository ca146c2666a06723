from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

# The CLI imports its stages lazily (start-up time). Import them here, before any test freezes the
# clock: a module first imported under freezegun would take FakeDate for its `date` type.
import aiwatch.alerts
import aiwatch.catalog.loader
import aiwatch.check
import aiwatch.cli
import aiwatch.export
import aiwatch.migrate
import aiwatch.render
import aiwatch.subscribers
import aiwatch.sync
import aiwatch.watch.poll
import aiwatch.watch.report
import aiwatch.watch.trial
import aiwatch.web.app  # noqa: F401
from aiwatch.settings import bundled_config_dir
from aiwatch.store import Store

PG_URL_ENV = "AIWATCH_TEST_POSTGRES_URL"


def _postgres_url() -> str | None:
    url = os.environ.get(PG_URL_ENV)
    if not url and os.environ.get("CI"):
        raise RuntimeError(f"CI must test PostgreSQL for real: set {PG_URL_ENV}")
    return url


LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the internet: any connection or name lookup beyond loopback fails."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def _host(address: object) -> str:
        return str(address[0]) if isinstance(address, tuple) else str(address)

    def guarded_connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _host(address).startswith(
            LOOPBACK
        ):
            raise OSError(f"test tried to reach the internet: {address}")
        real_connect(self, address)  # type: ignore[arg-type]

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host is not None and not str(host).startswith(LOOPBACK):
            raise socket.gaierror(f"test tried to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's settings or writes to their data folder."""
    for name in list(os.environ):
        if name.startswith("AIWATCH_") and name != PG_URL_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'aiwatch.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the real PostgreSQL for one test, dropped afterwards."""
    base = _postgres_url()
    if not base:
        pytest.skip(f"{PG_URL_ENV} not set")
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(base)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Every storage test runs on SQLite and on the real PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated, empty database on each back end."""
    opened = Store(db_url)
    opened.upgrade()
    yield opened
    opened.close()


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    """A copy of the bundled catalog that a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(bundled_config_dir(), target)
    return target


@pytest.fixture
def cli(db_url: str):  # type: ignore[no-untyped-def]
    """Run ``aiwatch`` in-process against the test database; returns the click Result."""
    from aiwatch.cli import app

    runner = CliRunner()

    def run(*args: str, config: Path | None = None):  # type: ignore[no-untyped-def]
        argv = ["--db", db_url]
        if config is not None:
            argv += ["--config", str(config)]
        return runner.invoke(app, [*argv, *args], catch_exceptions=False)

    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from reports import SUMMARY

    if SUMMARY:
        terminalreporter.section("measurements")
        for line in SUMMARY:
            terminalreporter.write_line(line)
