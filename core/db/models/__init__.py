"""The assistant's tables, one module per area; everything is importable from here.

A new area adds its module below, so that `Base.metadata` (schema creation,
migrations) knows its tables.
"""

from core.db.models.billing import BillingApiKey, BillingCounter, BillingFeedEntry, BillingFile, FEED_COUNTER
from core.db.models.messenger import MessengerUser, ChannelDelivery, DeliveryStatus, ChannelKeyboard
from core.db.models.reference import Tariff, WindowOverride, Setting
from core.db.models.subscribers import MeterKind, ReadingSource, EventKind, Account, Meter, Reading, AccountLink, LookupFailure, ConversationEvent, HEAT_UNITS, WATER_UNITS
from core.db.types import AwareDateTime, Base, ExactDecimal, period_of, without_trailing_zeros

__all__ = ['Account', 'AccountLink', 'AwareDateTime', 'Base', 'ChannelDelivery', 'ChannelKeyboard', 'ConversationEvent', 'DeliveryStatus', 'EventKind', 'ExactDecimal', 'HEAT_UNITS', 'LookupFailure', 'MessengerUser', 'Meter', 'MeterKind', 'Reading', 'ReadingSource', 'Setting', 'Tariff', 'WATER_UNITS', 'WindowOverride', 'period_of', 'without_trailing_zeros']
