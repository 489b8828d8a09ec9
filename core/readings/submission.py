"""Preparing and storing one account's monthly submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Callable, Collection, Dict, List, Optional, Tuple, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import metrics
from core.db.engine import run_unit_of_work
from core.db.models import Reading
from core.db.types import without_trailing_zeros
from core.readings.checks import MeterFacts, rejection_reason
from core.readings.rollover import consumption_between
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from core.settings import get_settings


def meters_for_submission(session: Session, account_id: int, period: str) -> List[MeterFacts]:
    """The account's active meters with the reading each new value is checked against."""
    return [facts for facts, _ in _meters_on_file(session, account_id, period)]


def _meters_on_file(
    session: Session, account_id: int, period: str
) -> List[Tuple[MeterFacts, Optional[Reading]]]:
    """Each active meter with its reading in force for `period`: three queries
    whatever the number of meters."""
    meters = accounts_repo.active_meters(session, account_id)
    ids = [meter.id for meter in meters]
    previous = readings_repo.last_readings_before(session, ids, period)
    in_force = readings_repo.readings_in_force_for(session, ids, period)
    on_file = []
    for meter in meters:
        before, current = previous.get(meter.id), in_force.get(meter.id)
        facts = MeterFacts(
            meter_id=meter.id,
            serial=meter.serial,
            kind=meter.kind.value,
            unit=meter.unit,
            decimals=meter.decimals,
            location=meter.location,
            previous_value=before.value if before else None,
            previous_period=before.period if before else None,
            in_force_reading_id=current.id if current else None,
            display_digits=meter.display_digits,
        )
        on_file.append((facts, current))
    return on_file


class SubmissionRejected(Exception):
    """The submission no longer holds (unlinked account, changed meters or readings)."""


@dataclass(frozen=True)
class ReadingTaken:
    """A reading somebody else submitted while this conversation was filling the form."""

    kind: str
    serial: str
    unit: str
    location: str
    value: Decimal
    channel: str
    submitted_at: datetime


class SubmissionConflict(SubmissionRejected):
    """Another messenger user saved readings for the same meters first."""

    def __init__(self, taken: List[ReadingTaken]) -> None:
        super().__init__("conflict")
        self.taken = taken


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
    seen_in_force: Optional[Dict[int, Optional[int]]] = None,
    skipped: Collection[int] = (),
    ceilings: Optional[Dict[str, Decimal]] = None,
) -> SavedSubmission:
    """Stores the values as the readings in force; all or nothing.

    Everything is checked again here, inside the transaction: the slots the
    values came through are only what the conversation remembers.

    Args:
        seen_in_force: per meter, the id of the reading in force for the period
            when the conversation loaded the meters (None: none). If another
            messenger user has saved since, `SubmissionConflict` says what.
        skipped: meters the user skipped (broken, not readable); with `values`
            they must name every active meter of the account, each once.
        ceilings: plausible monthly consumption per kind (a lower value passes
            only as a plausible rollover); the settings' by default.
    """
    account = accounts_repo.find_account(session, account_number)
    if (
        account is None
        or not account.active
        or not accounts_repo.is_linked(session, sender, account.id)
    ):
        raise SubmissionRejected("account")
    # Two people saving for one account at once: the second waits here and then
    # sees the first one's readings (the conflict check below needs that).
    accounts_repo.lock_account(session, account.id)
    on_file = _meters_on_file(session, account.id, period)  # once: every check below uses it
    meters = {facts.meter_id: facts for facts, _ in on_file}
    in_force = {facts.meter_id: current for facts, current in on_file if current is not None}
    skipped = set(skipped)
    if not values or skipped & set(values) or set(values) | skipped != set(meters):
        raise SubmissionRejected("meters")
    if {m: r.value for m, r in in_force.items() if m in values} == values:
        # The same Save once more: a messenger re-delivery or a retry after a
        # crash lost the confirmation. Stored once; nothing to correct.
        return SavedSubmission(count=len(values), corrected=0)
    limits = get_settings().monthly_ceiling if ceilings is None else ceilings
    for meter_id, value in values.items():
        if rejection_reason(meters[meter_id], value, _decimals(value), limits) is not None:
            raise SubmissionRejected("value")
    if seen_in_force is not None:
        _check_nobody_came_first(sender, meters, in_force, seen_in_force)
    corrected = len(set(in_force) & set(values))
    for meter_id, value in values.items():
        readings_repo.store_reading(
            session, meter_id, period, value, now, sender.channel, sender.sender_id
        )
    metrics.count_on_commit(session, metrics.READINGS_SAVED.labels(sender.channel), len(values))
    return SavedSubmission(count=len(values), corrected=corrected)


def _check_nobody_came_first(
    sender: SenderKey,
    meters: Dict[int, MeterFacts],
    in_force: Dict[int, Reading],
    seen_in_force: Dict[int, Optional[int]],
) -> None:
    taken = []
    for meter_id, facts in meters.items():
        current = in_force.get(meter_id)
        if current is None or current.id == seen_in_force.get(meter_id):
            continue
        if (current.channel, current.sender_id) == (sender.channel, sender.sender_id):
            continue  # the same person, e.g. from a second conversation: a correction
        taken.append(
            ReadingTaken(
                kind=facts.kind,
                serial=facts.serial,
                unit=facts.unit,
                location=facts.location,
                value=current.value,
                channel=current.channel,
                submitted_at=current.submitted_at,
            )
        )
    if taken:
        raise SubmissionConflict(taken)


T = TypeVar("T")


def _is_write_collision(error: Exception) -> bool:
    """Two transactions wrote the same reading at once (the loser's error)."""
    if isinstance(error, IntegrityError):
        return True  # the partial unique index: one reading in force per meter and period
    text = str(getattr(error, "orig", error)).lower()
    return "locked" in text or "could not serialize" in text or "deadlock" in text


async def run_save(work: Callable[[Session], T]) -> T:
    """Runs a save unit of work; when it collides with a simultaneous save, runs
    it once more, so that the loser sees the winner's readings and gets a
    `SubmissionConflict` instead of a database error."""
    try:
        return await run_unit_of_work(work)
    except (IntegrityError, OperationalError) as error:
        if not _is_write_collision(error):
            raise
    return await run_unit_of_work(work)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


@dataclass(frozen=True)
class HistoryRow:
    period: str
    value: Decimal
    consumption: Optional[Decimal]


def meter_history(
    session: Session, meter_id: int, periods: int = 6, display_digits: Optional[int] = None
) -> List[HistoryRow]:
    """The last `periods` readings in force, newest first, with consumption
    (across a rollover of the meter's dial)."""
    readings = readings_repo.readings_in_force(session, meter_id, periods + 1)
    rows = []
    for index, reading in enumerate(readings[:periods]):
        older = readings[index + 1] if index + 1 < len(readings) else None
        rows.append(
            HistoryRow(
                period=reading.period,
                value=reading.value,
                # Formatted like the summary's (`checks.consumption`): «1 м³», never «1,0 м³».
                consumption=without_trailing_zeros(
                    consumption_between(older.value, reading.value, display_digits)
                )
                if older
                else None,
            )
        )
    return rows
