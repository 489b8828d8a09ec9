"""Ownership proof, second round (issue 19): the subscriber's phone on the account,
proof challenges taken by the channels, used-up proofs, suspended links and the
«Це не я» report's notice on its flag, the found account on each lookup.

Revision ID: 0008_trust_proof
Revises: 0007_attachments
Created: 2026-12-03 08:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0008_trust_proof"
down_revision = "0007_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (SQLite too): rebuilding these tables would trip the
    # foreign keys that point at them.
    op.add_column(
        "accounts",
        sa.Column("phone", sa.String(length=13), server_default=sa.text("NULL"), nullable=True),
    )
    op.add_column(
        "account_links",
        sa.Column("suspended_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
    )
    op.add_column("account_lookups", sa.Column("account_id", sa.Integer(), nullable=True))
    op.add_column(
        "ownership_proofs",
        sa.Column("method", sa.String(length=10), server_default="digits", nullable=False),
    )
    op.add_column(
        "ownership_proofs",
        sa.Column("used_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
    )
    op.add_column("account_flags", sa.Column("notice_id", sa.Integer(), nullable=True))
    op.create_table(
        "proof_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("blocked_until", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "sender_id", name="uq_proof_challenge"),
    )


def downgrade() -> None:
    op.drop_table("proof_challenges")
    with op.batch_alter_table("account_flags", schema=None) as batch_op:
        batch_op.drop_column("notice_id")
    with op.batch_alter_table("ownership_proofs", schema=None) as batch_op:
        batch_op.drop_column("used_at")
        batch_op.drop_column("method")
    with op.batch_alter_table("account_lookups", schema=None) as batch_op:
        batch_op.drop_column("account_id")
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.drop_column("suspended_at")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("phone")
