"""Messages the assistant sends first: one row per message, keyed by what it is about."""

from __future__ import annotations

import enum

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from core.db.types import AwareDateTime, Base


class OutboxKind(str, enum.Enum):
    reminder = "reminder"
    notice = "notice"  # someone else linked an account you hold
    receipt = "receipt"  # readings were saved for an account you hold
    broadcast = "broadcast"
    case_reply = "case_reply"  # a clerk's answer in a case (core.handoff)


class OutboxStatus(str, enum.Enum):
    pending = "pending"  # waiting for its next attempt
    sending = "sending"  # claimed by a sender until `lease_until`
    sent = "sent"  # the messenger confirmed it
    failed = "failed"  # given up (permanent error or too many attempts)
    blocked = "blocked"  # the user blocked the bot / unsubscribed: never sent
    cancelled = "cancelled"  # withdrawn before sending (reminders turned off, ...)


class OutboxMessage(Base):
    """One outbound message.

    `key` names what the message is about (`reminder:2026-11:last-day:telegram:123`),
    so planning the same thing twice finds the existing row instead of adding one.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient", "channel", "sender_id"),
        Index("ix_outbox_kind_created", "kind", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False, unique=True)
    kind = Column(String(20), nullable=False)  # an OutboxKind value
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)  # channel-qualified, as in account_links
    text = Column(Text, nullable=False)
    buttons = Column(Text, nullable=False, default="[]")  # JSON [{title, payload}]
    status = Column(String(12), nullable=False, default=OutboxStatus.pending.value)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(AwareDateTime(), nullable=False)
    # A sender owns a `sending` row until its lease ends; a crashed sender's rows
    # become claimable again then. The token makes late writes of a lost claim no-ops.
    claim_token = Column(String(36), nullable=True)
    lease_until = Column(AwareDateTime(), nullable=True)
    created_at = Column(AwareDateTime(), nullable=False)
    sent_at = Column(AwareDateTime(), nullable=True)
    last_error = Column(String(200), nullable=False, default="")


class HolderNotice(Base):
    """A notice to one holder of an account that another messenger user linked it.

    The holder's «Це не я» button carries `token`; only that holder may use it.
    """

    __tablename__ = "holder_notices"

    id = Column(Integer, primary_key=True)
    token = Column(String(16), nullable=False, unique=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False, index=True)
    holder_channel = Column(String(20), nullable=False)
    holder_sender_id = Column(String(80), nullable=False)
    newcomer_channel = Column(String(20), nullable=False)
    newcomer_sender_id = Column(String(80), nullable=False)
    created_at = Column(AwareDateTime(), nullable=False)
    disowned_at = Column(AwareDateTime(), nullable=True)  # the holder said «Це не я»


class LinkBar(Base):
    """A messenger user who may not link this account again (a holder disowned them)."""

    __tablename__ = "link_bars"
    __table_args__ = (UniqueConstraint("account_id", "channel", "sender_id", name="uq_link_bar"),)

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    created_at = Column(AwareDateTime(), nullable=False)


class AccountFlag(Base):
    """An account staff should look at (e.g. a holder did not recognise a newcomer)."""

    __tablename__ = "account_flags"

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False, index=True)
    reason = Column(String(40), nullable=False)
    created_at = Column(AwareDateTime(), nullable=False)
    # A «Це не я» report: the notice whose newcomer's link is suspended until staff decide.
    notice_id = Column(Integer, nullable=True)  # holder_notices.id
    resolved_at = Column(AwareDateTime(), nullable=True)
    resolved_by = Column(String(60), nullable=True)  # the staff user who handled it


class ReceiptOptOut(Base):
    """A messenger user who asked for no receipts about readings others submit."""

    __tablename__ = "receipt_opt_outs"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_receipt_opt_out"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    created_at = Column(AwareDateTime(), nullable=False)
