"""The staff web console: staff accounts, login attempts (for throttling), the audit log."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, Index, Integer, String, Text

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
