"""Meter dial size: integer digits of the display, for rollovers (issue 13).

Revision ID: 0006_meter_dial
Revises: 0005_console_training
Created: 2026-11-25 21:09:12.327205
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_meter_dial"
down_revision = "0005_console_training"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: unknown until billing sends it; then inferred from the previous reading.
    # A plain ADD COLUMN (SQLite too): rebuilding `meters` would trip the readings' foreign key.
    op.add_column(
        "meters",
        sa.Column("display_digits", sa.Integer(), nullable=True, server_default=sa.text("NULL")),
    )


def downgrade() -> None:
    with op.batch_alter_table("meters", schema=None) as batch_op:
        batch_op.drop_column("display_digits")
