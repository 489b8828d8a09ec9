"""Queries and writes on the subscriber database.

Every function takes the caller's session and never commits: the caller owns
the unit of work (see `actions.db.engine.in_session`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import List, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from actions.db.models import (
    Account,
    AccountLink,
    ConversationEvent,
    LookupFailure,
    MessengerUser,
    Meter,
    Reading,
    ReadingSource,
    Setting,
    Tariff,
    WindowOverride,
)


@dataclass(frozen=True)
class SenderKey:
    """A messenger user: the channel and its own user id, never one without the other."""

    channel: str
    sender_id: str


# --- accounts and links -----------------------------------------------------


def find_account(session: Session, number: str) -> Optional[Account]:
    return session.execute(select(Account).where(Account.number == number)).scalar_one_or_none()


def linked_accounts(session: Session, sender: SenderKey) -> List[Account]:
    """Active accounts the user has added, in the order they added them."""
    rows = session.execute(
        select(Account)
        .join(AccountLink, AccountLink.account_id == Account.id)
        .where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            Account.active.is_(True),
        )
        .order_by(AccountLink.linked_at, AccountLink.id)
    )
    return list(rows.scalars())


def is_linked(session: Session, sender: SenderKey, account_id: int) -> bool:
    found = session.execute(
        select(AccountLink.id).where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.account_id == account_id,
        )
    ).first()
    return found is not None


def link_account(session: Session, sender: SenderKey, account: Account, now: datetime) -> bool:
    """Links the account to the user; returns False if it was linked already."""
    if is_linked(session, sender, account.id):
        return False
    session.add(
        AccountLink(
            channel=sender.channel, sender_id=sender.sender_id, account_id=account.id, linked_at=now
        )
    )
    session.flush()
    return True


def unlink_account(session: Session, sender: SenderKey, account_id: int) -> bool:
    result = session.execute(
        delete(AccountLink).where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.account_id == account_id,
        )
    )
    return result.rowcount > 0


def active_meters(session: Session, account_id: int) -> List[Meter]:
    rows = session.execute(
        select(Meter)
        .where(Meter.account_id == account_id, Meter.active.is_(True))
        .order_by(Meter.kind, Meter.id)
    )
    return list(rows.scalars())


# --- readings ----------------------------------------------------------------


def reading_in_force(session: Session, meter_id: int, period: str) -> Optional[Reading]:
    return session.execute(
        select(Reading).where(
            Reading.meter_id == meter_id, Reading.period == period, Reading.in_force.is_(True)
        )
    ).scalar_one_or_none()


def last_reading_before(session: Session, meter_id: int, period: str) -> Optional[Reading]:
    """The latest reading in force of an earlier period: the base for validation."""
    return session.execute(
        select(Reading)
        .where(Reading.meter_id == meter_id, Reading.period < period, Reading.in_force.is_(True))
        .order_by(Reading.period.desc())
        .limit(1)
    ).scalar_one_or_none()


def last_reading(session: Session, meter_id: int) -> Optional[Reading]:
    return session.execute(
        select(Reading)
        .where(Reading.meter_id == meter_id, Reading.in_force.is_(True))
        .order_by(Reading.period.desc())
        .limit(1)
    ).scalar_one_or_none()


def readings_in_force(session: Session, meter_id: int, limit: int) -> List[Reading]:
    """The newest `limit` readings in force of a meter, newest first."""
    rows = session.execute(
        select(Reading)
        .where(Reading.meter_id == meter_id, Reading.in_force.is_(True))
        .order_by(Reading.period.desc())
        .limit(limit)
    )
    return list(rows.scalars())


def store_reading(
    session: Session,
    meter_id: int,
    period: str,
    value: Decimal,
    submitted_at: datetime,
    channel: str,
    sender_id: str,
    source: ReadingSource = ReadingSource.assistant,
) -> Reading:
    """Adds a reading in force; an earlier one of the period stays, superseded."""
    session.execute(
        update(Reading)
        .where(Reading.meter_id == meter_id, Reading.period == period, Reading.in_force.is_(True))
        .values(in_force=False)
    )
    reading = Reading(
        meter_id=meter_id,
        period=period,
        value=value,
        submitted_at=submitted_at,
        channel=channel,
        sender_id=sender_id,
        source=source,
        in_force=True,
    )
    session.add(reading)
    session.flush()
    return reading


# --- rate limiting and statistics ---------------------------------------------


def record_lookup_failure(session: Session, sender: SenderKey, now: datetime) -> None:
    session.add(LookupFailure(channel=sender.channel, sender_id=sender.sender_id, failed_at=now))
    session.flush()


def lookup_failures_since(session: Session, sender: SenderKey, since: datetime) -> List[datetime]:
    """Times of the user's failed lookups after `since`, oldest first."""
    rows = session.execute(
        select(LookupFailure.failed_at)
        .where(
            LookupFailure.channel == sender.channel,
            LookupFailure.sender_id == sender.sender_id,
            LookupFailure.failed_at > since,
        )
        .order_by(LookupFailure.failed_at)
    )
    return list(rows.scalars())


def record_event(session: Session, kind: str, reason: str, channel: str, now: datetime) -> None:
    session.add(ConversationEvent(kind=kind, reason=reason, channel=channel, occurred_at=now))
    session.flush()


# --- messenger users -----------------------------------------------------------


def messenger_user(session: Session, sender: SenderKey, now: datetime) -> MessengerUser:
    """The user's messenger record, created on first use."""
    user = session.execute(
        select(MessengerUser).where(
            MessengerUser.channel == sender.channel, MessengerUser.sender_id == sender.sender_id
        )
    ).scalar_one_or_none()
    if user is None:
        user = MessengerUser(channel=sender.channel, sender_id=sender.sender_id, updated_at=now)
        session.add(user)
        session.flush()
    return user


# --- reference data and settings ------------------------------------------------


def current_tariffs(session: Session, on: date) -> List[Tariff]:
    """For each service and category, the tariff valid on the given date."""
    rows = session.execute(
        select(Tariff)
        .where(Tariff.valid_from <= on)
        .order_by(Tariff.service, Tariff.category, Tariff.valid_from.desc())
    )
    latest: dict = {}
    for tariff in rows.scalars():
        latest.setdefault((tariff.service, tariff.category), tariff)
    return list(latest.values())


def window_override(session: Session, period: str) -> Optional[WindowOverride]:
    return session.get(WindowOverride, period)


def get_setting(session: Session, key: str) -> Optional[str]:
    setting = session.get(Setting, key)
    return setting.value if setting else None


def set_setting(session: Session, key: str, value: str) -> None:
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=value))
    else:
        setting.value = value
    session.flush()
