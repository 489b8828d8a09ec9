"""Subscribers as billing knows them: accounts, meters, readings, links to messenger users,
and the anonymous counters and lookup failures kept about conversations."""

from __future__ import annotations

import enum
from typing import List

from sqlalchemy import (
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import relationship

from core.db.types import READING_NUMERIC, AwareDateTime, Base


class MeterKind(str, enum.Enum):
    heat = "heat"
    hot_water = "hot_water"


class ReadingSource(str, enum.Enum):
    assistant = "assistant"
    billing = "billing"


class EventKind(str, enum.Enum):
    """What an anonymous conversation event records (see `ConversationEvent`)."""

    reading_rejected = "reading_rejected"
    fallback = "fallback"


HEAT_UNITS = ("Gcal", "MWh", "kWh")
WATER_UNITS = ("m3",)


class Account(Base):
    __tablename__ = "accounts"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    owner_name = Column(String(200), nullable=False, default="")
    street = Column(String(200), nullable=False)
    house = Column(String(20), nullable=False)
    apartment = Column(String(20), nullable=False, default="")
    active = Column(Boolean, nullable=False, default=True, server_default=text("true"))
    # The subscriber's mobile number from billing's file, +380XXXXXXXXX (or none): a
    # Telegram user who shares this very number proves the account at once
    # (core/accounts/ownership.py). Never logged; shown masked.
    phone = Column(String(13), nullable=True, server_default=text("NULL"))

    meters: List["Meter"] = relationship("Meter", back_populates="account", order_by="Meter.id")


class Meter(Base):
    __tablename__ = "meters"
    __table_args__ = (UniqueConstraint("account_id", "serial", name="uq_meter_account_serial"),)

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False, index=True)
    serial = Column(String(40), nullable=False)
    kind = Column(Enum(MeterKind, name="meter_kind", native_enum=False), nullable=False)
    unit = Column(String(8), nullable=False)
    decimals = Column(Integer, nullable=False, default=0)
    # Free label shown to users, e.g. "кухня" or "ванна" for two water meters.
    location = Column(String(60), nullable=False, default="")
    active = Column(Boolean, nullable=False, default=True, server_default=text("true"))
    # Integer digits of the meter's display (five: 00000..99999), when billing says;
    # past 99 999 it shows 00 000 again (a rollover, core/readings/rollover.py).
    # The NULL server default keeps the column out of INSERTs that do not set it, so
    # code written before it (and data seeded at older revisions) still inserts meters.
    display_digits = Column(Integer, nullable=True, server_default=text("NULL"))

    account: Account = relationship("Account", back_populates="meters")


class Reading(Base):
    """One submitted value; corrections keep the earlier row with in_force false."""

    __tablename__ = "readings"
    __table_args__ = (
        # The database itself guarantees one reading in force per meter and period.
        Index(
            "uq_reading_in_force",
            "meter_id",
            "period",
            unique=True,
            sqlite_where=text("in_force"),
            postgresql_where=text("in_force"),
        ),
        # A month's readings without scanning the whole history (the console's month page);
        # PostgreSQL counts a month from this index alone (what it counts is included).
        Index(
            "ix_reading_period_in_force",
            "period",
            "source",
            "meter_id",
            sqlite_where=text("in_force"),
            postgresql_where=text("in_force"),
            postgresql_include=["channel", "submitted_at"],
        ),
    )

    id = Column(Integer, primary_key=True)
    meter_id = Column(Integer, ForeignKey("meters.id"), nullable=False, index=True)
    period = Column(String(7), nullable=False)  # "YYYY-MM"
    value = Column(READING_NUMERIC, nullable=False)
    submitted_at = Column(AwareDateTime(), nullable=False)
    source = Column(
        Enum(ReadingSource, name="reading_source", native_enum=False),
        nullable=False,
        default=ReadingSource.assistant,
    )
    channel = Column(String(20), nullable=False, default="")
    sender_id = Column(String(80), nullable=False, default="")
    in_force = Column(Boolean, nullable=False, default=True)

    meter: Meter = relationship("Meter")


class AccountLink(Base):
    """A messenger user (channel + sender id) who has added an account."""

    __tablename__ = "account_links"
    __table_args__ = (
        UniqueConstraint("channel", "sender_id", "account_id", name="uq_link"),
        Index("ix_link_sender", "channel", "sender_id"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False)
    linked_at = Column(AwareDateTime(), nullable=False)
    # When the user proved they hold the account (see `core.accounts.ownership`).
    # Links made before proofs existed have none and open nothing until proved.
    proved_at = Column(AwareDateTime(), nullable=True)
    # An older holder said «Це не я»: the link opens nothing until staff decide
    # (core/staff/flags.py); NULL for a link in good standing.
    suspended_at = Column(AwareDateTime(), nullable=True)

    account: Account = relationship("Account")


class AccountLookup(Base):
    """A lookup of an account the user had not linked, kept a week for the limits
    that stop address harvesting (see `core.accounts.lookup`); `account_id` is the
    account found (None: no such account), for the weekly cap on distinct accounts."""

    __tablename__ = "account_lookups"
    __table_args__ = (
        Index("ix_lookup_sender_time", "channel", "sender_id", "looked_up_at"),
        Index("ix_lookup_channel_time", "channel", "looked_up_at"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    looked_up_at = Column(AwareDateTime(), nullable=False)
    account_id = Column(Integer, nullable=True)


class OwnershipProof(Base):
    """One answer to "the last digits of a meter's serial" for an account.

    Wrong answers count per account (a lock and a staff flag after too many),
    a right one lets this user link the account for a short while.
    """

    __tablename__ = "ownership_proofs"
    __table_args__ = (
        Index("ix_proof_account_time", "account_id", "attempted_at"),
        Index("ix_proof_sender", "channel", "sender_id", "account_id"),
    )

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    succeeded = Column(Boolean, nullable=False)
    attempted_at = Column(AwareDateTime(), nullable=False)
    # "digits" (a meter serial's last digits) or "phone" (a Telegram contact).
    method = Column(String(10), nullable=False, default="digits", server_default="digits")
    # A right answer opens one link: set when it does (the proof is used up).
    used_at = Column(AwareDateTime(), nullable=True)


class ProofChallenge(Base):
    """The account a messenger user is being asked to prove right now.

    The channels read it to take the answer where it arrives (the typed digits or
    a shared contact never reach Rasa's tracker store), check it, and keep the
    outcome here for the form (`core.accounts.challenge`). One per user.
    """

    __tablename__ = "proof_challenges"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_proof_challenge"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False)
    asked_at = Column(AwareDateTime(), nullable=False)
    # The outcome of the last answer taken by the channel, until the form reads it.
    outcome = Column(String(12), nullable=True)
    blocked_until = Column(AwareDateTime(), nullable=True)


class ConversationEvent(Base):
    """Anonymous counters for staff statistics: rejections and fallbacks.

    Holds no message text and no sender id, only what happened and when.
    """

    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_event_kind_time", "kind", "occurred_at"),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False)  # an EventKind value
    reason = Column(String(40), nullable=False, default="")
    channel = Column(String(20), nullable=False, default="")
    occurred_at = Column(AwareDateTime(), nullable=False)
