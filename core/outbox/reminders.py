"""Deadline reminders: on the configured days of each month's submission window,
one message per messenger user listing the accounts and meters still without a
reading for the period.

The planner is run by a timer (once a day is enough; running it again the same
day adds nothing): it plans today's slot, if today has one, for the users who
have reminders on, are reachable and still owe readings. What the user reads
about the next reminder (`reminders_reply`) follows the same rules.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator, List, Optional, Tuple

from sqlalchemy.orm import Session

from core.db.models import OutboxKind, period_of
from core.outbox.config import OutboxConfig, load_outbox_config
from core.outbox.quiet import not_before_quiet_end
from core.readings.window import window_for
from core.repository import accounts as accounts_repo
from core.repository import messenger as messenger_repo
from core.repository.outbox import audience as audience_repo
from core.repository.outbox import queue as outbox_queue
from core.senders import SenderKey
from core.settings import KYIV, get_settings
from core.texts.common import KIND_LABELS
from core.texts.outbox import (
    ACCOUNT_LINE_PREFIX,
    ACCOUNT_LINE_SEPARATOR,
    REMINDER_BUTTONS,
    REMINDERS_NO_METERS_TEXT,
    REMINDERS_OFF_TEXT,
    DueAccount,
    reminder_head,
    reminders_on_text,
)


@dataclass(frozen=True)
class Slot:
    """One reminder moment of a month's window."""

    period: str
    day: date
    last: date  # the window's last day
    days_before: int
    at: datetime

    @property
    def name(self) -> str:
        return "last-day" if self.days_before == 0 else f"last-{self.days_before}d"

    def key(self, sender: SenderKey) -> str:
        return f"reminder:{self.period}:{self.name}:{sender.sender_id}"


@dataclass(frozen=True)
class PlanResult:
    slot: Optional[Slot]
    planned: int = 0  # reminders of this slot in the outbox, from this run and earlier ones
    added: int = 0  # rows new in the outbox (the rest were planned before)
    # When they go out (quiet hours move them to the morning); None: nothing planned.
    not_before: Optional[datetime] = None
    # Planned so late that quiet hours would hold them until after the window closed.
    too_late: bool = False


def _month_slots(session: Session, year: int, month: int, config: OutboxConfig) -> List[Slot]:
    settings = get_settings()
    noon = datetime(year, month, 1, 12, tzinfo=KYIV)
    window = window_for(session, settings.window_first_day, settings.window_last_day, noon)
    slots = []
    for days_before in config.reminder_days_before:  # largest first: earliest day first
        day = window.last - timedelta(days=days_before)
        if day >= window.first:
            at = datetime.combine(day, config.reminder_time, tzinfo=KYIV)
            slots.append(Slot(window.period, day, window.last, days_before, at))
    return slots


def _next_month(year: int, month: int) -> Tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def todays_slot(session: Session, now: datetime, config: OutboxConfig) -> Optional[Slot]:
    today = now.astimezone(KYIV).date()
    for slot in _month_slots(session, today.year, today.month, config):
        if slot.day == today:
            return slot
    return None


def next_slot(
    session: Session, now: datetime, config: OutboxConfig, skip_period: Optional[str] = None
) -> Optional[Slot]:
    """The first slot after `now` (of a period other than `skip_period`)."""
    year, month = now.astimezone(KYIV).year, now.astimezone(KYIV).month
    for _ in range(3):
        for slot in _month_slots(session, year, month, config):
            if slot.at > now and slot.period != skip_period:
                return slot
        year, month = _next_month(year, month)
    return None


def due_by_user(
    session: Session, period: str, only: Optional[SenderKey] = None
) -> Iterator[Tuple[SenderKey, List[DueAccount]]]:
    """Each user who owes readings for `period`, with what they owe, account by account."""
    rows = audience_repo.owing_rows(session, period, only)
    for (channel, sender_id), user_rows in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
        accounts: List[DueAccount] = []
        for number, meters in itertools.groupby(user_rows, key=lambda r: r[2]):
            accounts.append((number, [(str(getattr(m[3], "value", m[3])), m[4]) for m in meters]))
        yield SenderKey(channel, sender_id), accounts


def plan_reminders(
    session: Session,
    now: datetime,
    config: Optional[OutboxConfig] = None,
    only: Optional[SenderKey] = None,
) -> PlanResult:
    """Plans today's reminder slot (if today has one); idempotent by key."""
    config = config or load_outbox_config()
    slot = todays_slot(session, now, config)
    if slot is None:
        return PlanResult(None)
    not_before = not_before_quiet_end(max(slot.at, now), config.quiet_start, config.quiet_end)
    key_prefix = f"reminder:{slot.period}:{slot.name}:"
    if not_before.astimezone(KYIV).date() > slot.last:
        # Run late on the last day (a timer catching up after a reboot): quiet hours
        # would hold the reminder to a morning when the window is closed and
        # «сьогодні останній день» is no longer true. Nothing new is planned.
        planned = outbox_queue.count_with_key_prefix(session, key_prefix)
        return PlanResult(slot, planned, 0, too_late=True)
    message = audience_repo.OwingMessage(
        key_prefix=key_prefix,
        kind=OutboxKind.reminder.value,
        head=reminder_head(slot.period, slot.last, slot.days_before),
        line_prefix=ACCOUNT_LINE_PREFIX,
        number_separator=ACCOUNT_LINE_SEPARATOR,
        meter_labels=KIND_LABELS,
        buttons=REMINDER_BUTTONS,
        not_before=not_before,
    )
    added = audience_repo.plan_owing(session, slot.period, message, now, only)
    planned = outbox_queue.count_with_key_prefix(session, key_prefix)
    return PlanResult(slot, planned, added, not_before)


def reminders_reply(
    session: Session,
    sender: SenderKey,
    enable: bool,
    now: datetime,
    config: Optional[OutboxConfig] = None,
) -> str:
    """Stores the user's choice, adjusts what is planned and says when the next reminder comes."""
    config = config or load_outbox_config()
    user = messenger_repo.messenger_user(session, sender, now)
    user.reminders_enabled, user.updated_at = enable, now
    session.flush()
    if not enable:
        outbox_queue.cancel_pending(session, sender, OutboxKind.reminder.value)
        return REMINDERS_OFF_TEXT
    today = todays_slot(session, now, config)
    if today is not None and now < today.at:
        # Today's reminders may be planned already (the user was off then): catch up.
        outbox_queue.reopen_cancelled(session, today.key(sender))
        plan_reminders(session, now, config, only=sender)
    accounts = accounts_repo.linked_accounts(session, sender)
    if accounts and not any(accounts_repo.active_meters(session, a.id) for a in accounts):
        return REMINDERS_NO_METERS_TEXT
    has_accounts = bool(accounts)
    current = period_of(now.astimezone(KYIV).date())
    owes_now = any(True for _ in due_by_user(session, current, only=sender))
    upcoming = next_slot(session, now, config, skip_period=None if owes_now else current)
    return reminders_on_text(upcoming.at if upcoming else None, has_accounts)
