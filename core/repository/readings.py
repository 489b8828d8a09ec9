"""Readings: the one in force per meter and period, history, storing a new one.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Dict, List, Optional, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db.models import Reading, ReadingSource


def reading_in_force(session: Session, meter_id: int, period: str) -> Optional[Reading]:
    return session.execute(
        select(Reading).where(
            Reading.meter_id == meter_id, Reading.period == period, Reading.in_force.is_(True)
        )
    ).scalar_one_or_none()


def readings_in_force_for(
    session: Session, meter_ids: Sequence[int], period: str
) -> Dict[int, Reading]:
    """`reading_in_force` for several meters in one query: meter id -> reading."""
    if not meter_ids:
        return {}
    rows = session.execute(
        select(Reading).where(
            Reading.meter_id.in_(meter_ids), Reading.period == period, Reading.in_force.is_(True)
        )
    )
    return {reading.meter_id: reading for reading in rows.scalars()}


def last_readings_before(
    session: Session, meter_ids: Sequence[int], period: str
) -> Dict[int, Reading]:
    """Per meter, the latest reading in force of an earlier period (the base new
    values are checked against), in one query: meter id -> reading."""
    if not meter_ids:
        return {}
    latest = (
        select(Reading.meter_id, func.max(Reading.period).label("period"))
        .where(Reading.meter_id.in_(meter_ids), Reading.period < period, Reading.in_force.is_(True))
        .group_by(Reading.meter_id)
        .subquery()
    )
    rows = session.execute(
        select(Reading)
        .join(
            latest,
            (Reading.meter_id == latest.c.meter_id) & (Reading.period == latest.c.period),
        )
        .where(Reading.in_force.is_(True))
    )
    return {reading.meter_id: reading for reading in rows.scalars()}


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


def meter_readings(session: Session, meter_ids: List[int], periods: int = 12) -> List[Reading]:
    """Every reading (in force and superseded) of the meters' newest periods, newest first."""
    if not meter_ids:
        return []
    rows = session.execute(
        select(Reading)
        .where(Reading.meter_id.in_(meter_ids))
        .order_by(Reading.period.desc(), Reading.meter_id, Reading.submitted_at.desc())
    )
    readings = list(rows.scalars())
    newest = sorted({r.period for r in readings}, reverse=True)[:periods]
    return [r for r in readings if r.period in set(newest)]
