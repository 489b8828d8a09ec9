"""Messenger-side state: users' preferences, deliveries already handled, reply keyboards."""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from core.db.types import AwareDateTime, Base


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
