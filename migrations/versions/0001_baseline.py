"""Baseline: the schema as `create_all` made it before there were migrations.

Revision ID: 0001_baseline
Revises: -
Created: 2026-11-25 18:05:15.727555
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house", sa.String(length=20), nullable=False),
        sa.Column("apartment", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "delivery_id", name="uq_channel_delivery"),
    )
    op.create_index(
        "ix_channel_deliveries_claimed_at", "channel_deliveries", ["claimed_at"], unique=False
    )

    op.create_table(
        "channel_keyboards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=False),
        sa.Column("updated_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "sender_id", name="uq_channel_keyboard"),
    )
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_event_kind_time", "conversation_events", ["kind", "occurred_at"], unique=False
    )

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

    op.create_table(
        "messenger_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "sender_id", name="uq_messenger_user"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("price_uah", core.db.types.ExactDecimal(precision=12, scale=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "window_overrides",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=True),
        sa.Column("last_day", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("period"),
    )
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "sender_id", "account_id", name="uq_link"),
    )
    op.create_index("ix_link_sender", "account_links", ["channel", "sender_id"], unique=False)

    op.create_table(
        "meters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("heat", "hot_water", name="meter_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "serial", name="uq_meter_account_serial"),
    )
    op.create_index("ix_meters_account_id", "meters", ["account_id"], unique=False)

    op.create_table(
        "readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("value", core.db.types.ExactDecimal(precision=14, scale=4), nullable=False),
        sa.Column("submitted_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum("assistant", "billing", name="reading_source", native_enum=False),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("in_force", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meter_id"],
            ["meters.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_readings_meter_id", "readings", ["meter_id"], unique=False)
    op.create_index(
        "uq_reading_in_force",
        "readings",
        ["meter_id", "period"],
        unique=True,
        sqlite_where=sa.text("in_force"),
        postgresql_where=sa.text("in_force"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_reading_in_force",
        "readings",
        sqlite_where=sa.text("in_force"),
        postgresql_where=sa.text("in_force"),
    )
    op.drop_index("ix_readings_meter_id", "readings")

    op.drop_table("readings")
    op.drop_index("ix_meters_account_id", "meters")

    op.drop_table("meters")
    op.drop_index("ix_link_sender", "account_links")

    op.drop_table("account_links")
    op.drop_table("window_overrides")
    op.drop_table("tariffs")
    op.drop_table("settings")
    op.drop_table("messenger_users")
    op.drop_index("ix_lookup_sender_time", "lookup_failures")

    op.drop_table("lookup_failures")
    op.drop_index("ix_event_kind_time", "conversation_events")

    op.drop_table("conversation_events")
    op.drop_table("channel_keyboards")
    op.drop_index("ix_channel_deliveries_claimed_at", "channel_deliveries")

    op.drop_table("channel_deliveries")
    op.drop_table("accounts")
