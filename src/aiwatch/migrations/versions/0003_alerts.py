"""Alerts: subscribers, the outbox, delivery attempts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", TEXT(length=100), nullable=False, unique=True),
        sa.Column("channel", TEXT(length=10), nullable=False),
        sa.Column("target", TEXT(), nullable=False),
        sa.Column("secret", TEXT(), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("langs", sa.JSON(), nullable=False),
        sa.Column("leads", sa.JSON(), nullable=False),
        sa.Column("tz", TEXT(length=64), nullable=False),
        sa.Column("send_at", TEXT(length=5), nullable=False),
        sa.Column("news", TEXT(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("calendar_token", TEXT(length=64), nullable=False, unique=True),
        sa.Column("created_at", MOMENT(), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", TEXT(length=300), nullable=False, unique=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("kind", TEXT(length=30), nullable=False),
        sa.Column("subject", TEXT(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", TEXT(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", MOMENT(), nullable=False),
        sa.Column("lease_until", MOMENT(), nullable=True),
        sa.Column("last_error", TEXT(), nullable=True),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("delivered_at", MOMENT(), nullable=True),
    )
    op.create_index("ix_outbox_subscriber_id", "outbox", ["subscriber_id"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), nullable=False),
        sa.Column("at", MOMENT(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", TEXT(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
    )
    op.create_index("ix_delivery_attempt_outbox_id", "delivery_attempt", ["outbox_id"])


def downgrade() -> None:
    for table in ("delivery_attempt", "outbox", "subscriber"):
        op.drop_table(table)
