"""The assistant's tables, one module per area; everything is importable from here.

A new area adds its module below, so that `Base.metadata` (schema creation,
migrations) knows its tables.
"""

from core.db.models.attachments import Attachment
from core.db.models.billing import BillingApiKey, BillingCounter, BillingFeedEntry, BillingFile
from core.db.models.console import (
    AuditEntry,
    LoginAttempt,
    StaffRole,
    StaffUser,
    TrainingLabel,
    TrainingRun,
    TrainingStatus,
)
from core.db.models.handoff import Case, CaseAuthor, CaseMessage, CaseStatus
from core.db.models.links import BillLink
from core.db.models.messenger import ChannelDelivery, ChannelKeyboard, DeliveryStatus, MessengerUser
from core.db.models.outbox import (
    AccountFlag,
    HolderNotice,
    LinkBar,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    ReceiptOptOut,
)
from core.db.models.privacy import ForgetRequest
from core.db.models.reference import Setting, Tariff, WindowOverride
from core.db.models.review import ConversationReview
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
    OwnershipProof,
    ProofChallenge,
    Reading,
    ReadingSource,
)
from core.db.types import AwareDateTime, Base, ExactDecimal, period_of, without_trailing_zeros

__all__ = [
    "Attachment",
    "BillLink",
    "ForgetRequest",
    "Account",
    "BillingApiKey",
    "BillingCounter",
    "BillingFeedEntry",
    "BillingFile",
    "Case",
    "CaseAuthor",
    "CaseMessage",
    "CaseStatus",
    "AccountFlag",
    "AccountLink",
    "AuditEntry",
    "AwareDateTime",
    "Base",
    "ChannelDelivery",
    "ChannelKeyboard",
    "ConversationEvent",
    "ConversationReview",
    "DeliveryStatus",
    "EventKind",
    "HolderNotice",
    "LinkBar",
    "ExactDecimal",
    "HEAT_UNITS",
    "LoginAttempt",
    "AccountLookup",
    "MessengerUser",
    "Meter",
    "OwnershipProof",
    "ProofChallenge",
    "MeterKind",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Reading",
    "ReceiptOptOut",
    "ReadingSource",
    "Setting",
    "StaffRole",
    "StaffUser",
    "Tariff",
    "TrainingLabel",
    "TrainingRun",
    "TrainingStatus",
    "WATER_UNITS",
    "WindowOverride",
    "period_of",
    "without_trailing_zeros",
]
