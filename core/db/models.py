"""The subscriber database: accounts, meters, readings and messenger links."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import List, Optional

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from core.settings import KYIV

Base = declarative_base()


class ExactDecimal(TypeDecorator):
    """NUMERIC on PostgreSQL; text on SQLite, whose NUMERIC would pass through float."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision, self.scale = precision, scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Optional[Decimal], dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"exact decimal expected, got {type(value).__name__}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect) -> Optional[Decimal]:
        return None if value is None else without_trailing_zeros(Decimal(str(value)))


def without_trailing_zeros(value: Decimal) -> Decimal:
    """12.3400 -> 12.34 and 100.0000 -> 100: the same on every backend, never 1E+2."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# Readings: 14 digits with 4 after the point covers every meter in service
# (kWh counters up to 10^10, Gcal with 3-4 decimals).
READING_NUMERIC = ExactDecimal(14, 4)


class AwareDateTime(TypeDecorator):
    """Stores UTC, returns Europe/Kyiv aware datetimes on every backend.

    SQLite has no time-zone type; normalising here keeps SQLite and
    PostgreSQL behaving the same for callers.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (Europe/Kyiv)")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(KYIV)


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

    account: Account = relationship("Account")


class MessengerUser(Base):
    """Per-user messenger state: subscription (Viber) and reminder preference."""

    __tablename__ = "messenger_users"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_messenger_user"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    subscribed = Column(Boolean, nullable=False, default=True)
    reminders_enabled = Column(Boolean, nullable=False, default=True)
    updated_at = Column(AwareDateTime(), nullable=False)


class ChannelDelivery(Base):
    """One incoming update or callback, by the messenger's own id (no user data)."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (UniqueConstraint("channel", "delivery_id", name="uq_channel_delivery"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    delivery_id = Column(String(64), nullable=False)
    status = Column(String(12), nullable=False, default="processing")  # a DeliveryStatus value
    claimed_at = Column(AwareDateTime(), nullable=False, index=True)


class DeliveryStatus(str, enum.Enum):
    processing = "processing"
    done = "done"


class ChannelKeyboard(Base):
    """The reply keyboard last shown in a chat: maps a pressed title back to its payload."""

    __tablename__ = "channel_keyboards"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_channel_keyboard"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    buttons = Column(Text, nullable=False, default="[]")
    updated_at = Column(AwareDateTime(), nullable=False)


class LookupFailure(Base):
    """A failed account-number lookup, kept to rate-limit address harvesting."""

    __tablename__ = "lookup_failures"
    __table_args__ = (Index("ix_lookup_sender_time", "channel", "sender_id", "failed_at"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    failed_at = Column(AwareDateTime(), nullable=False)


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


class Tariff(Base):
    __tablename__ = "tariffs"

    id = Column(Integer, primary_key=True)
    service = Column(String(80), nullable=False)
    category = Column(String(80), nullable=False)
    unit = Column(String(20), nullable=False)
    price_uah = Column(ExactDecimal(12, 4), nullable=False)
    valid_from = Column(Date, nullable=False)
    note = Column(Text, nullable=False, default="")


class WindowOverride(Base):
    """A month whose submission window differs from the default days."""

    __tablename__ = "window_overrides"

    period = Column(String(7), primary_key=True)  # "YYYY-MM"
    first_day = Column(Integer, nullable=True)
    last_day = Column(Integer, nullable=True)


class Setting(Base):
    """Staff-editable key/value settings (e.g. operator contacts)."""

    __tablename__ = "settings"

    key = Column(String(60), primary_key=True)
    value = Column(Text, nullable=False)


def period_of(day: date) -> str:
    """The billing period ("YYYY-MM") a date belongs to."""
    return f"{day.year:04d}-{day.month:02d}"


__all__ = [
    "Account",
    "AccountLink",
    "AwareDateTime",
    "Base",
    "ChannelDelivery",
    "ChannelKeyboard",
    "ConversationEvent",
    "DeliveryStatus",
    "EventKind",
    "HEAT_UNITS",
    "LookupFailure",
    "MessengerUser",
    "Meter",
    "MeterKind",
    "Reading",
    "ReadingSource",
    "Setting",
    "Tariff",
    "WATER_UNITS",
    "WindowOverride",
    "period_of",
]
