"""Preparing and storing one account's monthly submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Dict, List, Optional

from sqlalchemy.orm import Session

from core.readings.checks import MeterFacts, rejection_reason
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey


def meters_for_submission(session: Session, account_id: int, period: str) -> List[MeterFacts]:
    """The account's active meters with the reading each new value is checked against."""
    facts = []
    for meter in accounts_repo.active_meters(session, account_id):
        previous = readings_repo.last_reading_before(session, meter.id, period)
        facts.append(
            MeterFacts(
                meter_id=meter.id,
                serial=meter.serial,
                kind=meter.kind.value,
                unit=meter.unit,
                decimals=meter.decimals,
                location=meter.location,
                previous_value=previous.value if previous else None,
                previous_period=previous.period if previous else None,
            )
        )
    return facts


def already_submitted(session: Session, meter_ids: List[int], period: str) -> Dict[int, Decimal]:
    """Values in force for the period (a new submission becomes a correction)."""
    found = {}
    for meter_id in meter_ids:
        reading = readings_repo.reading_in_force(session, meter_id, period)
        if reading is not None:
            found[meter_id] = reading.value
    return found


class SubmissionRejected(Exception):
    """The submission no longer holds (unlinked account, changed meters or readings)."""


@dataclass(frozen=True)
class SavedSubmission:
    count: int
    corrected: int


def save_submission(
    session: Session,
    sender: SenderKey,
    account_number: str,
    values: Dict[int, Decimal],
    period: str,
    now: datetime,
) -> SavedSubmission:
    """Stores the values as the readings in force; all or nothing.

    Everything is checked again here, inside the transaction: the slots the
    values came through are only what the conversation remembers.
    """
    account = accounts_repo.find_account(session, account_number)
    if (
        account is None
        or not account.active
        or not accounts_repo.is_linked(session, sender, account.id)
    ):
        raise SubmissionRejected("account")
    meters = {m.meter_id: m for m in meters_for_submission(session, account.id, period)}
    if not values or set(values) != set(meters):
        raise SubmissionRejected("meters")
    if already_submitted(session, list(values), period) == values:
        # The same Save once more: a messenger re-delivery or a retry after a
        # crash lost the confirmation. Stored once; nothing to correct.
        return SavedSubmission(count=len(values), corrected=0)
    for meter_id, value in values.items():
        if rejection_reason(meters[meter_id], value, _decimals(value)) is not None:
            raise SubmissionRejected("value")
    corrected = len(already_submitted(session, list(values), period))
    for meter_id, value in values.items():
        readings_repo.store_reading(
            session, meter_id, period, value, now, sender.channel, sender.sender_id
        )
    return SavedSubmission(count=len(values), corrected=corrected)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


@dataclass(frozen=True)
class HistoryRow:
    period: str
    value: Decimal
    consumption: Optional[Decimal]


def meter_history(session: Session, meter_id: int, periods: int = 6) -> List[HistoryRow]:
    """The last `periods` readings in force, newest first, with consumption."""
    readings = readings_repo.readings_in_force(session, meter_id, periods + 1)
    rows = []
    for index, reading in enumerate(readings[:periods]):
        older = readings[index + 1] if index + 1 < len(readings) else None
        rows.append(
            HistoryRow(
                period=reading.period,
                value=reading.value,
                consumption=reading.value - older.value if older else None,
            )
        )
    return rows
