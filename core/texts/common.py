"""Shared Ukrainian formatting: numbers, dates, plurals (babel's Ukrainian locale),
times, units and meter titles.

Fixed sentences are responses in domain.yml; the menu is there too
(`core.texts.menu`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from babel import Locale, dates, numbers

LOCALE = Locale("uk")
UNIT_LABELS = {"Gcal": "Гкал", "MWh": "МВт·год", "kWh": "кВт·год", "m3": "м³"}
KIND_LABELS = {"heat": "тепло", "hot_water": "гаряча вода"}


def format_decimal(value: Decimal, decimals: Optional[int] = None) -> str:
    """1234.5 -> "1 234,5" (Ukrainian grouping and decimal comma), every digit kept."""
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    exponent = value.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=LOCALE)


def format_date(day: date) -> str:
    """ "20 листопада 2026"."""
    return dates.format_date(day, "d MMMM y", locale=LOCALE)


def format_time(moment: datetime) -> str:
    """ "09:05" (hours and minutes, in the time zone `moment` carries)."""
    return f"{moment:%H:%M}"


def format_period(period: str) -> str:
    """ "2026-11" -> "листопад 2026"."""
    year, month = period.split("-")
    return dates.format_date(date(int(year), int(month), 1), "LLLL y", locale=LOCALE)


# Noun forms by CLDR plural category: one (1, 21), few (2-4, 22), many (5-20, 11),
# other (fractions).
DAYS = ("день", "дні", "днів", "дня")
METERS = ("лічильник", "лічильники", "лічильників", "лічильника")
READINGS = ("показник", "показники", "показників", "показника")
DIGITS = ("знак", "знаки", "знаків", "знака")
FILES = ("файл", "файли", "файлів", "файлу")
CATEGORIES = ("one", "few", "many", "other")


def plural(count: int, forms: tuple) -> str:
    """The noun form that goes with `count` in Ukrainian (babel's CLDR rules)."""
    return forms[CATEGORIES.index(LOCALE.plural_form(count))]


def counted(count: int, forms: tuple) -> str:
    """ "1 день", "3 дні", "11 днів", "21 лічильник": number and noun."""
    return f"{format_decimal(Decimal(count))} {plural(count, forms)}"


def days_word(count: int) -> str:
    return plural(count, DAYS)


def count_days(count: int) -> str:
    """ "8 днів", "1 день", "3 дні"."""
    return counted(count, DAYS)


def days_left(count: int) -> str:
    """ "залишився 1 день", "залишилося 3 дні" (the verb agrees with the number)."""
    verb = "залишився" if LOCALE.plural_form(count) == "one" else "залишилося"
    return f"{verb} {count_days(count)}"


def format_amount(value: Decimal, unit: str) -> str:
    """ "1 234,5 Гкал": a reading or consumption with its unit."""
    return f"{format_decimal(value)} {UNIT_LABELS.get(unit, unit)}"


# Digits of a serial a consumer sees. The proof is the serial's last 6 digits, so
# every digit shown to a chat is one less to guess: two tell an account's meters
# apart (with the kind and the location) and leave 10**4 to anyone who sees a
# holder's screen.
SHOWN_SERIAL_DIGITS = 2


def masked_serial(serial: str) -> str:
    """ "…45" of "0012345": what a chat may show of a meter's serial (the secret)."""
    digits = "".join(char for char in serial if char.isdigit()) or serial
    return f"…{digits[-SHOWN_SERIAL_DIGITS:]}"


def meter_title(kind: str, serial: str, unit: str, location: str = "", full: bool = False) -> str:
    """ "Гаряча вода (кухня), лічильник №…45, м³": the serial masked (`masked_serial`),
    whole only with `full` (staff pages)."""
    label = KIND_LABELS.get(kind, kind).capitalize()
    if location:
        label += f" ({location})"
    shown = serial if full else masked_serial(serial)
    return f"{label}, лічильник №{shown}, {UNIT_LABELS.get(unit, unit)}"
