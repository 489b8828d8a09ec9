"""The staff web console: staff accounts, login attempts (for throttling), the audit log."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Text

from core.db.types import AwareDateTime, Base


class StaffRole(str, enum.Enum):
    """Clerks view and correct; admins also change month settings, billing data and users."""

    clerk = "clerk"
    admin = "admin"


class StaffUser(Base):
    """A person who signs in to the console; the password only as an argon2 hash."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(60), nullable=False, unique=True)
    full_name = Column(String(200), nullable=False, default="")
    password_hash = Column(String(200), nullable=False)
    role = Column(String(10), nullable=False)  # a StaffRole value
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(AwareDateTime(), nullable=False)
    # Sessions carry the epoch they began in; signing out or a new password bumps it,
    # so a copied cookie stops working although the cookie itself is still validly signed.
    session_epoch = Column(Integer, nullable=False, default=0)


class LoginAttempt(Base):
    """One sign-in attempt, kept in the database so throttling survives restarts."""

    __tablename__ = "staff_login_attempts"
    __table_args__ = (Index("ix_login_attempt_user_time", "username", "attempted_at"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(60), nullable=False)
    client = Column(String(64), nullable=False, default="")
    succeeded = Column(Boolean, nullable=False)
    attempted_at = Column(AwareDateTime(), nullable=False)


class AuditEntry(Base):
    """Who changed what and when, with the values before and after (JSON text)."""

    __tablename__ = "staff_audit_log"
    __table_args__ = (Index("ix_audit_time", "at"),)

    id = Column(Integer, primary_key=True)
    at = Column(AwareDateTime(), nullable=False)
    username = Column(String(60), nullable=False)
    action = Column(String(40), nullable=False)
    target = Column(String(200), nullable=False, default="")
    before = Column(Text, nullable=False, default="")
    after = Column(Text, nullable=False, default="")
    reason = Column(Text, nullable=False, default="")


class TrainingStatus(str, enum.Enum):
    """A retraining run started from the console: running, then ready (a verdict) or
    failed; an admin then promotes the new model or keeps the old one."""

    running = "running"
    ready = "ready"
    failed = "failed"
    promoted = "promoted"
    kept = "kept"


class TrainingLabel(Base):
    """A phrase of the retraining inbox that staff labelled with an intent or discarded.

    The phrase is stored masked (digits and personal data replaced, as in the
    review file); `phrase_key` is its normalised form, one label per wording.
    """

    __tablename__ = "training_labels"

    id = Column(Integer, primary_key=True)
    phrase_key = Column(String(500), nullable=False, unique=True)
    phrase = Column(Text, nullable=False)
    intent = Column(String(80), nullable=True)  # None: discarded
    labelled_by = Column(String(60), nullable=False)
    labelled_at = Column(AwareDateTime(), nullable=False)
    run_id = Column(Integer, ForeignKey("training_runs.id"), nullable=True)  # merged by this run


class TrainingRun(Base):
    """One «Навчити»: the merge, the background training's progress and the gate's verdict."""

    __tablename__ = "training_runs"
    __table_args__ = (Index("ix_training_run_status", "status"),)

    id = Column(Integer, primary_key=True)
    status = Column(String(12), nullable=False)  # a TrainingStatus value
    started_by = Column(String(60), nullable=False)
    started_at = Column(AwareDateTime(), nullable=False)
    finished_at = Column(AwareDateTime(), nullable=True)
    pid = Column(Integer, nullable=True)
    log_path = Column(String(500), nullable=False, default="")
    progress = Column(String(300), nullable=False, default="")  # the last step printed
    log_tail = Column(Text, nullable=False, default="")
    merged = Column(Text, nullable=False, default="")  # JSON: phrases added and skipped
    verdict = Column(Text, nullable=False, default="")  # JSON of retrain.gate.save_verdict
    decided_by = Column(String(60), nullable=False, default="")
    decided_at = Column(AwareDateTime(), nullable=True)
