"""The billing export: readings accepted through the assistant, as a CSV for billing."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, List, Optional

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from core.billing.csvfiles import decimals_of, format_decimal_comma, write_csv
from core.db.models import Account, Meter, Reading, ReadingSource
from core.errors import StaffError
from core.readings.rollover import consumption_between

COLUMNS = (
    "account_number",
    "meter_serial",
    "meter_kind",
    "unit",
    "period",
    "reading",
    "previous_reading",
    "consumption",
    "submitted_at",
    "channel",
)


@dataclass(frozen=True)
class ExportRow:
    account_number: str
    meter_serial: str
    meter_kind: str
    unit: str
    decimals: int
    period: str
    reading: Decimal
    previous_reading: Optional[Decimal]
    submitted_at: datetime
    channel: str
    display_digits: Optional[int] = None

    @property
    def consumption(self) -> Optional[Decimal]:
        """From the previous reading; across the dial's rollover when the reading is lower
        (the assistant takes a lower reading only as a confirmed rollover)."""
        if self.previous_reading is None:
            return None
        return consumption_between(self.previous_reading, self.reading, self.display_digits)

    def cells(self) -> List[str]:
        return [
            self.account_number,
            self.meter_serial,
            self.meter_kind,
            self.unit,
            self.period,
            self._number(self.reading),
            self._number(self.previous_reading),
            self._number(self.consumption),
            # ISO 8601 with the Kyiv offset: unambiguous for billing parsers.
            self.submitted_at.isoformat(timespec="seconds"),
            self.channel,
        ]

    def _number(self, value: Optional[Decimal]) -> str:
        """Decimal comma, padded to the decimals the meter shows (as billing keeps them)."""
        if value is None:
            return ""
        if decimals_of(value) < self.decimals:
            value = value.quantize(Decimal(1).scaleb(-self.decimals))
        return format_decimal_comma(value)


def accepted_readings(session: Session, period: str) -> List[ExportRow]:
    """One row per meter: its reading in force for the period, if the assistant took it.

    A correction supersedes the earlier reading, so only its latest value is
    in force and exported. The previous reading is the newest one in force
    of an earlier period, from any source.
    """
    earlier = (
        select(Reading.meter_id, func.max(Reading.period).label("period"))
        .where(Reading.in_force.is_(True), Reading.period < period)
        .group_by(Reading.meter_id)
        .subquery()
    )
    previous = aliased(Reading)
    rows = session.execute(
        select(
            Account.number,
            Meter.serial,
            Meter.kind,
            Meter.unit,
            Meter.decimals,
            Reading.period,
            Reading.value,
            previous.value,
            Reading.submitted_at,
            Reading.channel,
            Meter.display_digits,
        )
        .join(Meter, Reading.meter_id == Meter.id)
        .join(Account, Meter.account_id == Account.id)
        .outerjoin(earlier, earlier.c.meter_id == Reading.meter_id)
        .outerjoin(
            previous,
            and_(
                previous.meter_id == earlier.c.meter_id,
                previous.period == earlier.c.period,
                previous.in_force.is_(True),
            ),
        )
        .where(
            Reading.period == period,
            Reading.in_force.is_(True),
            Reading.source == ReadingSource.assistant,
        )
        .order_by(Account.number, Meter.serial)
    )
    return [ExportRow(number, serial, kind.value, *rest) for number, serial, kind, *rest in rows]


def write_export(stream: BinaryIO, rows: List[ExportRow], encoding: str) -> int:
    return write_csv(stream, encoding, COLUMNS, (row.cells() for row in rows))


def write_export_atomically(path: Path, rows: List[ExportRow], encoding: str) -> None:
    """Billing may pick the file up any moment: it appears complete or not at all."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise StaffError(f"теки {directory} не існує")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            write_export(stream, rows, encoding)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
