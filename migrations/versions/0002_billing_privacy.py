"""Billing hand-over (feed, files, API keys, counters) and privacy tables (issues 9, 14).

Revision ID: 0002_billing_privacy
Revises: 0001_baseline
Created: 2026-11-25 19:16:58.517106
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0002_billing_privacy"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Failed lookups became all lookups (account_lookups). The old rows only
    # served an hour's rate limit: dropped, not copied. Dropped first: on
    # PostgreSQL index names are per schema and the new table reuses one.
    op.drop_index("ix_lookup_sender_time", "lookup_failures")
    op.drop_table("lookup_failures")
    op.create_table(
        "account_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("looked_up_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_lookup_channel_time", "account_lookups", ["channel", "looked_up_at"], unique=False
    )
    op.create_index(
        "ix_lookup_sender_time",
        "account_lookups",
        ["channel", "sender_id", "looked_up_at"],
        unique=False,
    )

    op.create_table(
        "billing_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("last_position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "billing_counters",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("last_position", sa.Integer(), nullable=False),
        sa.Column("last_file_sequence", sa.Integer(), nullable=False),
        sa.Column("last_filed_position", sa.Integer(), nullable=False),
        sa.Column("full_scan_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "billing_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("encoding", sa.String(length=12), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_position", sa.Integer(), nullable=False),
        sa.Column("last_position", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("periods", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_how", sa.String(length=10), nullable=False),
        sa.Column("reoffered_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("sequence"),
    )
    op.create_table(
        "forget_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("requested_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "billing_feed",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("replaces_reading_id", sa.Integer(), nullable=True),
        sa.Column("sequenced_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["readings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replaces_reading_id"],
            ["readings.id"],
        ),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("reading_id"),
    )


def downgrade() -> None:
    op.create_table(
        "lookup_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("failed_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_lookup_sender_time",
        "lookup_failures",
        ["channel", "sender_id", "failed_at"],
        unique=False,
    )

    op.drop_table("billing_feed")
    op.drop_table("forget_requests")
    op.drop_table("billing_files")
    op.drop_table("billing_counters")
    op.drop_table("billing_api_keys")
    op.drop_index("ix_lookup_sender_time", "account_lookups")
    op.drop_index("ix_lookup_channel_time", "account_lookups")

    op.drop_table("account_lookups")
