"""The console's retraining page (labels, runs) and who handled an account flag (issue 12).

Revision ID: 0005_console_training
Revises: 0004_ownership_proof
Created: 2026-11-25 21:10:41.931023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0005_console_training"
down_revision = "0004_ownership_proof"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_by", sa.String(length=60), nullable=False),
        sa.Column("started_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("log_path", sa.String(length=500), nullable=False),
        sa.Column("progress", sa.String(length=300), nullable=False),
        sa.Column("log_tail", sa.Text(), nullable=False),
        sa.Column("merged", sa.Text(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=60), nullable=False),
        sa.Column("decided_at", core.db.types.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("training_runs", schema=None) as batch_op:
        batch_op.create_index("ix_training_run_status", ["status"], unique=False)

    op.create_table(
        "training_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase_key", sa.String(length=500), nullable=False),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=80), nullable=True),
        sa.Column("labelled_by", sa.String(length=60), nullable=False),
        sa.Column("labelled_at", core.db.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["training_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phrase_key"),
    )
    with op.batch_alter_table("account_flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account_flags", schema=None) as batch_op:
        batch_op.drop_column("resolved_by")

    op.drop_table("training_labels")
    with op.batch_alter_table("training_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_training_run_status")

    op.drop_table("training_runs")
