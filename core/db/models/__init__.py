"""The assistant's tables, one module per area; everything is importable from here.

A new area adds its module below, so that `Base.metadata` (schema creation,
migrations) knows its tables.
"""

from core.db.models.billing import BillingApiKey, BillingCounter, BillingFeedEntry, BillingFile
from core.db.models.messenger import ChannelDelivery, ChannelKeyboard, DeliveryStatus, MessengerUser
from core.db.models.privacy import ForgetRequest
from core.db.models.reference import Setting, Tariff, WindowOverride
from core.db.models.subscribers import (
    HEAT_UNITS,
    WATER_UNITS,
    Account,
    AccountLink,
    AccountLookup,
    ConversationEvent,
    EventKind,
    Meter,
    MeterKind,
    Reading,
    ReadingSource,
)
from core.db.types import AwareDateTime, Base, ExactDecimal, period_of, without_trailing_zeros

__all__ = [
    "ForgetRequest",
    "Account",
    "BillingApiKey",
    "BillingCounter",
    "BillingFeedEntry",
    "BillingFile",
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
    "AccountLookup",
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
