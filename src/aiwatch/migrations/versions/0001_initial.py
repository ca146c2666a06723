"""Initial schema: milestones, events, their revisions, check runs, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _entry_columns() -> list[sa.Column]:
    text = sqlmodel.sql.sqltypes.AutoString
    return [
        sa.Column("id", text(length=100), primary_key=True),
        sa.Column("title", text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", text(length=40), nullable=False),
        sa.Column("legal_basis", text(), nullable=False),
        sa.Column("instrument", text(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("status", text(length=20), nullable=False),
        sa.Column("summary", text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("derivation", text(), nullable=False),
        sa.Column("supersedes", text(length=100), nullable=True),
        sa.Column("duty_of", text(length=20), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("met_source", text(), nullable=True),
        sa.Column("note", text(), nullable=True),
        sa.Column("in_catalog", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table("milestone", *_entry_columns())
    op.create_index("ix_milestone_date", "milestone", ["date"])
    op.create_table(
        "event",
        *_entry_columns(),
        sa.Column("time", text(length=5), nullable=True),
        sa.Column("end_time", text(length=5), nullable=True),
        sa.Column("tz", text(length=64), nullable=True),
    )
    op.create_index("ix_event_date", "event", ["date"])
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_type", text(length=10), nullable=False),
        sa.Column("entry_id", text(length=100), nullable=False),
        sa.Column("change", text(length=10), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("old_date", sa.Date(), nullable=True),
        sa.Column("new_date", sa.Date(), nullable=True),
        sa.Column("old_status", text(length=20), nullable=True),
        sa.Column("new_status", text(length=20), nullable=True),
        sa.Column("changed_by", text(), nullable=False),
    )
    op.create_index("ix_revision_seen_at", "revision", ["seen_at"])
    op.create_index("ix_revision_entry", "revision", ["entry_type", "entry_id", "id"])
    op.create_table(
        "check_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ran_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
    )
    op.create_index("ix_check_run_ran_at", "check_run", ["ran_at"])
    op.create_table(
        "meta",
        sa.Column("key", text(length=64), primary_key=True),
        sa.Column("value", text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("meta", "check_run", "revision", "event", "milestone"):
        op.drop_table(table)
