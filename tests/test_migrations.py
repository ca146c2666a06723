"""The Alembic migrations build exactly the schema the models describe, on both back ends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from aiwatch.migrate import head_revision
from aiwatch.store import SCHEMA_REVISION, Store


def test_store_knows_the_newest_migration() -> None:
    assert head_revision() == SCHEMA_REVISION


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    store = Store(db_url)
    try:
        assert store.schema_revision() is None
        store.upgrade()
        assert store.schema_revision() == SCHEMA_REVISION
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
        store.upgrade()  # running it again is harmless
        assert store.schema_revision() == SCHEMA_REVISION
    finally:
        store.close()


def test_db_upgrade_command(cli: Any) -> None:
    first = cli("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "schema none -> 0003" in first.stdout
    again = cli("db", "upgrade")
    assert "schema 0003 -> 0003" in again.stdout


def test_unreachable_database_is_a_clear_error() -> None:
    from typer.testing import CliRunner

    from aiwatch.cli import app

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = CliRunner().invoke(app, ["--db", url, "check"])
    assert result.exit_code == 2
    assert "cannot open postgresql+psycopg://nobody@127.0.0.1:1/none" in result.stderr
