"""Photos and documents consumers send (issue 13): one row per file, the file
itself in the attachments folder.

Revision ID: 0007_attachments
Revises: 0006_meter_dial
Created: 2026-11-25 21:12:05.375173
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0007_attachments"
down_revision = "0006_meter_dial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("meter_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["meter_id"], ["meters.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_account", ["account_id", "received_at"], unique=False)
        batch_op.create_index("ix_attachment_sender", ["channel", "sender_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attachments_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_received_at"))
        batch_op.drop_index("ix_attachment_sender")
        batch_op.drop_index("ix_attachment_account")
    op.drop_table("attachments")
