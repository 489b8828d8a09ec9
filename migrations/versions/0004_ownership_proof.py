"""Proof of ownership before an account is linked (issue 9).

Links made before this revision keep `proved_at` empty: they were made by
knowing a number, so they open nothing until the user proves the account once.

Revision ID: 0004_ownership_proof
Revises: 0003_outbox_console
Created: 2026-11-25 21:05:10.159384
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0004_ownership_proof"
down_revision = "0003_outbox_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ownership_proofs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.String(length=80), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ownership_proofs", schema=None) as batch_op:
        batch_op.create_index("ix_proof_account_time", ["account_id", "attempted_at"], unique=False)
        batch_op.create_index(
            "ix_proof_sender", ["channel", "sender_id", "account_id"], unique=False
        )

    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proved_at", core.db.types.AwareDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("account_links", schema=None) as batch_op:
        batch_op.drop_column("proved_at")

    with op.batch_alter_table("ownership_proofs", schema=None) as batch_op:
        batch_op.drop_index("ix_proof_sender")
        batch_op.drop_index("ix_proof_account_time")

    op.drop_table("ownership_proofs")
