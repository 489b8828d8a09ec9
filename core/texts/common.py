"""Shared Ukrainian formatting: numbers, dates, times, units and meter titles.

Fixed sentences are responses in domain.yml; the menu is there too
(`core.texts.menu`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

MONTHS_GENITIVE = (
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
)
MONTHS_NOMINATIVE = (
    "січень",
    "лютий",
    "березень",
    "квітень",
    "травень",
    "червень",
    "липень",
    "серпень",
    "вересень",
    "жовтень",
    "листопад",
    "грудень",
)
UNIT_LABELS = {"Gcal": "Гкал", "MWh": "МВт·год", "kWh": "кВт·год", "m3": "м³"}
KIND_LABELS = {"heat": "тепло", "hot_water": "гаряча вода"}


def format_decimal(value: Decimal, decimals: Optional[int] = None) -> str:
    """1234.5 -> "1 234,5" (Ukrainian grouping and decimal comma)."""
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    sign, text = ("-", f"{-value:f}") if value < 0 else ("", f"{value:f}")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return sign + grouped + ("," + fraction if fraction else "")


def format_date(day: date) -> str:
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


def format_time(moment: datetime) -> str:
    """ "09:05" (hours and minutes, in the time zone `moment` carries)."""
    return f"{moment:%H:%M}"


def format_period(period: str) -> str:
    """ "2026-11" -> "листопад 2026"."""
    year, month = period.split("-")
    return f"{MONTHS_NOMINATIVE[int(month) - 1]} {year}"


def days_word(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "день"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return "дні"
    return "днів"


def count_days(count: int) -> str:
    """ "8 днів", "1 день", "3 дні"."""
    return f"{count} {days_word(count)}"


def format_amount(value: Decimal, unit: str) -> str:
    """ "1 234,5 Гкал": a reading or consumption with its unit."""
    return f"{format_decimal(value)} {UNIT_LABELS.get(unit, unit)}"


def meter_title(kind: str, serial: str, unit: str, location: str = "") -> str:
    """ "Гаряча вода (кухня), лічильник №12345, м³"."""
    label = KIND_LABELS.get(kind, kind).capitalize()
    if location:
        label += f" ({location})"
    return f"{label}, лічильник №{serial}, {UNIT_LABELS.get(unit, unit)}"
