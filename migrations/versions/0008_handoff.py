"""Cases: a consumer talks to a clerk in the chat (issue 22).

Revision ID: 0008_handoff
Revises: 0008_trust_proof
Created: 2026-12-03 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0008_handoff"
down_revision = "0008_trust_proof"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("accounts", sa.Text(), nullable=False),
        sa.Column("assigned_to", sa.String(length=60), nullable=True),
        sa.Column("opened_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("last_consumer_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("first_reply_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_case_sender", ["channel", "sender_id", "status"], unique=False)
        batch_op.create_index("ix_case_status", ["status", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_opened_at"), ["opened_at"], unique=False)
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=12), nullable=False),
        sa.Column("clerk", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachment_token", sa.String(length=32), nullable=True),
        sa.Column("created_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_messages_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_messages_case_id"))
    op.drop_table("case_messages")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_opened_at"))
        batch_op.drop_index("ix_case_status")
        batch_op.drop_index("ix_case_sender")
    op.drop_table("cases")
