"""The declarative base and the column types every table uses: exact decimals
and time-zone-aware datetimes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from core.settings import KYIV

Base = declarative_base()


class ExactDecimal(TypeDecorator):
    """NUMERIC on PostgreSQL; text on SQLite, whose NUMERIC would pass through float."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision, self.scale = precision, scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Optional[Decimal], dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"exact decimal expected, got {type(value).__name__}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect) -> Optional[Decimal]:
        return None if value is None else without_trailing_zeros(Decimal(str(value)))


def without_trailing_zeros(value: Decimal) -> Decimal:
    """12.3400 -> 12.34 and 100.0000 -> 100: the same on every backend, never 1E+2."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# Readings: 14 digits with 4 after the point covers every meter in service
# (kWh counters up to 10^10, Gcal with 3-4 decimals).
READING_NUMERIC = ExactDecimal(14, 4)


class AwareDateTime(TypeDecorator):
    """Stores UTC, returns Europe/Kyiv aware datetimes on every backend.

    SQLite has no time-zone type; normalising here keeps SQLite and
    PostgreSQL behaving the same for callers.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (Europe/Kyiv)")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(KYIV)


def period_of(day: date) -> str:
    """The billing period ("YYYY-MM") a date belongs to."""
    return f"{day.year:04d}-{day.month:02d}"
