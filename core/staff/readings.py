"""A clerk's changes to an account's data: correcting or annulling a reading (the
earlier one stays, superseded) and unlinking a messenger user. A corrected value is
checked by the chat's rules (`core.readings.parsing`, `core.readings.checks`).
Each operation writes its own audit entry and never commits; the value of the
`Result` is the account to go back to (None: no such reading or link)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from core.db.models import AccountLink, Meter, Reading, ReadingSource
from core.readings.checks import MeterFacts, Rejection, Verdict, assess
from core.readings.parsing import ReadingFormatError, parse_reading
from core.readings.submission import meters_for_submission
from core.repository import audit as audit_repo
from core.repository import readings as readings_repo
from core.senders import qualify
from core.settings import get_settings
from core.staff.result import Result
from core.texts.common import format_amount

# The channel of a reading a clerk entered (shown as «працівник …»).
STAFF_CHANNEL = "console"
STAFF_SENDER = "staff"  # a staff reading's sender id: qualify(STAFF_SENDER, actor)


def _target(meter: Meter, period: str) -> str:
    return f"рахунок {meter.account.number}, лічильник №{meter.serial}, {period}"


def _refusal(facts: MeterFacts, reason: Rejection) -> str:
    if reason == Rejection.TOO_MANY_DECIMALS:
        return (
            f"Лічильник показує {facts.decimals} знаки після коми."
            if facts.decimals
            else "Лічильник показує лише цілі числа."
        )
    return (
        f"Значення менше за попередній показник "
        f"({format_amount(facts.previous_value, facts.unit)} за {facts.previous_period})."
    )


def correct_reading(
    session: Session, actor: str, now: datetime, reading_id: int, raw: str, reason: str
) -> Result:
    """A new value for a reading in force, stored in force; the old one stays, superseded."""
    reading = session.get(Reading, reading_id)
    if reading is None:
        return Result.refused("Такого показника немає.")
    meter = reading.meter
    back = meter.account_id
    if not reading.in_force:
        return Result.refused("Цей показник уже замінено; виправляйте чинний.", back)
    reason = (reason or "").strip()
    if not reason:
        return Result.refused("Вкажіть причину виправлення.", back)
    try:
        value, decimals = parse_reading(raw or "")
    except ReadingFormatError as error:
        return Result.refused(str(error), back)
    if value == reading.value:
        return Result.refused("Нове значення таке саме, як чинне.", back)
    facts = next(
        (f for f in meters_for_submission(session, back, reading.period) if f.meter_id == meter.id),
        None,
    )
    if facts is None:
        return Result.refused("Лічильник уже не діє: його показники не виправляють.", back)
    checked = assess(facts, value, decimals, get_settings().monthly_ceiling)
    if checked.rejection is not None:
        return Result.refused(_refusal(facts, checked.rejection), back)
    new = readings_repo.store_reading(
        session,
        meter.id,
        reading.period,
        value,
        now,
        STAFF_CHANNEL,
        qualify(STAFF_SENDER, actor),
        ReadingSource.assistant,
    )
    audit_repo.record_audit(
        session,
        actor,
        "correct_reading",
        _target(meter, reading.period),
        {"reading_id": reading.id, "value": str(reading.value)},
        {"reading_id": new.id, "value": str(value)},
        now,
        reason,
    )
    note = (
        f" Споживання {format_amount(checked.used, meter.unit)} — незвично велике, перевірте."
        if checked.verdict == Verdict.IMPLAUSIBLE
        else ""
    )
    return Result.done("Показник виправлено; попередній збережено як замінений." + note, back)


def annul_reading(
    session: Session, actor: str, now: datetime, reading_id: int, reason: str
) -> Result:
    """Takes a reading out of force without a replacement (e.g. a test or a wrong meter)."""
    reading = session.get(Reading, reading_id)
    if reading is None:
        return Result.refused("Такого показника немає.")
    meter = reading.meter
    if not reading.in_force:
        return Result.refused("Цей показник уже не чинний.", meter.account_id)
    reason = (reason or "").strip()
    if not reason:
        return Result.refused("Вкажіть причину анулювання.", meter.account_id)
    reading.in_force = False
    session.flush()
    audit_repo.record_audit(
        session,
        actor,
        "annul_reading",
        _target(meter, reading.period),
        {"reading_id": reading.id, "value": str(reading.value), "in_force": True},
        {"reading_id": reading.id, "value": str(reading.value), "in_force": False},
        now,
        reason,
    )
    return Result.done("Показник анульовано; він лишається в історії.", meter.account_id)


def masked_sender(sender_id: str) -> str:
    """Enough of a messenger id to tell two users apart, not enough to contact them."""
    return "…" + sender_id[-4:] if len(sender_id) > 4 else "…"


def unlink(session: Session, actor: str, now: datetime, account_id: int, link_id: int) -> Result:
    """Takes a messenger user's access to the account away."""
    link: Optional[AccountLink] = session.get(AccountLink, link_id)
    if link is None or link.account_id != account_id:
        return Result.refused("Цей зв’язок уже видалено.", account_id)
    before = {
        "channel": link.channel,
        "user": masked_sender(link.sender_id),
        "linked_at": link.linked_at.isoformat(timespec="seconds"),
    }
    number = link.account.number
    session.delete(link)
    session.flush()
    audit_repo.record_audit(session, actor, "unlink", f"рахунок {number}", before, None, now)
    return Result.done("Користувача месенджера відв’язано від рахунку.", account_id)
