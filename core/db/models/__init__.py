"""The assistant's tables, one module per area; everything is importable from here.

A new area adds its module below, so that `Base.metadata` (schema creation,
migrations) knows its tables.
"""

from core.db.models.messenger import ChannelDelivery, ChannelKeyboard, DeliveryStatus, MessengerUser
from core.db.models.reference import Setting, Tariff, WindowOverride
from core.db.models.subscribers import (
    HEAT_UNITS,
    WATER_UNITS,
    Account,
    AccountLink,
    ConversationEvent,
    EventKind,
    LookupFailure,
    Meter,
    MeterKind,
    Reading,
    ReadingSource,
)
from core.db.types import AwareDateTime, Base, ExactDecimal, period_of, without_trailing_zeros

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
    "ExactDecimal",
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
    "without_trailing_zeros",
]
