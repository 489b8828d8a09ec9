"""Links and QR codes for paper bills (issue 23): a random token per account.

Revision ID: 0008_bill_links
Revises: 0008_handoff
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0008_bill_links"
down_revision = "0008_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bill_links",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("issued_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("account_id"),
        sa.UniqueConstraint("token"),
    )


def downgrade() -> None:
    op.drop_table("bill_links")
