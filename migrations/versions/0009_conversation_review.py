"""Conversation review (issue 22): admins' tags, «переглянуто» and saved test stories.

Revision ID: 0009_conversation_review
Revises: 0008_bill_links
Created: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0009_conversation_review"
down_revision = "0008_bill_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_event_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("started_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=60), nullable=True),
        sa.Column("reviewed_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("story_file", sa.String(length=300), nullable=True),
        sa.Column("story_saved_by", sa.String(length=60), nullable=True),
        sa.Column("story_saved_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("first_event_id"),
    )
    with op.batch_alter_table("conversation_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_review_sender", ["channel", "sender_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversation_reviews_started_at"), ["started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_reviews_started_at"))
        batch_op.drop_index("ix_review_sender")
    op.drop_table("conversation_reviews")
