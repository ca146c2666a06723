"""Watching feeds: sources with their polling state, items, events derived from items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", TEXT(length=100), nullable=False, unique=True),
        sa.Column("url", TEXT(), nullable=False),
        sa.Column("etag", TEXT(), nullable=True),
        sa.Column("last_modified", TEXT(), nullable=True),
        sa.Column("last_poll_at", MOMENT(), nullable=True),
        sa.Column("last_success_at", MOMENT(), nullable=True),
        sa.Column("last_change_at", MOMENT(), nullable=True),
        sa.Column("last_new_item_at", MOMENT(), nullable=True),
        sa.Column("last_status", TEXT(length=20), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_error", TEXT(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", MOMENT(), nullable=True),
        sa.Column("baseline_done", sa.Boolean(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("newest_published", MOMENT(), nullable=True),
        sa.Column("cadence_seconds", sa.Float(), nullable=True),
    )
    op.create_index("ix_source_next_poll_at", "source", ["next_poll_at"])
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.Column("key", TEXT(length=512), nullable=False),
        sa.Column("title", TEXT(), nullable=False),
        sa.Column("url", TEXT(), nullable=True),
        sa.Column("summary", TEXT(), nullable=False),
        sa.Column("lang", TEXT(length=16), nullable=True),
        sa.Column("published", MOMENT(), nullable=True),
        sa.Column("first_seen_at", MOMENT(), nullable=False),
        sa.Column("updated_at", MOMENT(), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("label", TEXT(length=32), nullable=False),
        sa.Column("rule", TEXT(length=100), nullable=False),
        sa.Column("mentioned_dates", sa.JSON(), nullable=False),
        sa.UniqueConstraint("source_id", "key", name="uq_item_source_key"),
    )
    op.create_index("ix_item_source_id", "item", ["source_id"])
    op.create_index("ix_item_first_seen_at", "item", ["first_seen_at"])
    op.create_table(
        "derived_event",
        sa.Column("id", TEXT(length=100), primary_key=True),
        sa.Column("title", TEXT(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", TEXT(length=40), nullable=False),
        sa.Column("legal_basis", TEXT(), nullable=False),
        sa.Column("instrument", TEXT(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("status", TEXT(length=20), nullable=False),
        sa.Column("summary", TEXT(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("derivation", TEXT(), nullable=False),
        sa.Column("supersedes", TEXT(length=100), nullable=True),
        sa.Column("duty_of", TEXT(length=20), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("met_source", TEXT(), nullable=True),
        sa.Column("note", TEXT(), nullable=True),
        sa.Column("in_catalog", sa.Boolean(), nullable=False),
        sa.Column("updated_at", MOMENT(), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("item.id"), nullable=False),
    )
    op.create_index("ix_derived_event_date", "derived_event", ["date"])
    op.create_index("ix_derived_event_item_id", "derived_event", ["item_id"])


def downgrade() -> None:
    for table in ("derived_event", "item", "source"):
        op.drop_table(table)
