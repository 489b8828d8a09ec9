"""Computed messages about readings: the submission window, the summary before
saving and the history.

The sentences around them are responses in domain.yml (`utter_reading_summary`,
`utter_window_closed_nothing_saved`, ...); these functions build the variable parts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Dict, Iterable, List, Optional

from core.readings.checks import MeterFacts, Rejection
from core.readings.draft import SummaryLine
from core.readings.submission import HistoryRow, ReadingTaken
from core.readings.window import WindowStatus
from core.settings import KYIV
from core.texts.common import (
    DIGITS,
    KIND_LABELS,
    METERS,
    counted,
    days_left,
    format_amount,
    format_date,
    format_decimal,
    format_period,
    format_time,
    masked_serial,
    meter_title,
)
from core.texts.labels import channel_label


def closed_window_text(window: WindowStatus) -> str:
    return (
        f"Прийом показників за {format_period(window.period)} завершився "
        f"{format_date(window.last)}. Наступний прийом почнеться {format_date(window.next_opening)}."
        if window.today > window.last
        else f"Прийом показників за {format_period(window.period)} почнеться "
        f"{format_date(window.first)} і триватиме до {format_date(window.last)} включно."
    )


def window_text(window: WindowStatus) -> str:
    """This month's real window (staff-moved months included) and the days left."""
    if not window.is_open:
        return closed_window_text(window)
    span = (
        f"Показники за {format_period(window.period)} приймаються з {window.first.day} "
        f"до {format_date(window.last)} включно"
    )
    if window.days_left == 0:
        return f"{span}: сьогодні останній день!"
    return f"{span}: {days_left(window.days_left)}."


def counted_meters(count: int) -> str:
    """ "1 лічильник", "2 лічильники", "5 лічильників"."""
    return counted(count, METERS)


def counted_digits(count: int) -> str:
    """ "1 знак", "2 знаки", "5 знаків" (after the decimal comma)."""
    return counted(count, DIGITS)


def facts_title(meter: MeterFacts) -> str:
    return meter_title(meter.kind, meter.serial, meter.unit, meter.location)


def summary_lines(lines: Iterable[SummaryLine]) -> str:
    """One line per meter: the value entered and, if known, the consumption; or
    that it was skipped."""
    shown = []
    for line in lines:
        title = facts_title(line.meter)
        if line.value is None:
            shown.append(f"• {title}: пропущено, не передається")
            continue
        text = f"• {title}: {format_amount(line.value, line.meter.unit)}"
        if line.used is not None:
            text += f", спожито {format_amount(line.used, line.meter.unit)}"
        shown.append(text)
    return "\n".join(shown)


def short_title(meter: MeterFacts) -> str:
    """ "Гаряча вода (кухня), №12345": a button's title."""
    label = KIND_LABELS.get(meter.kind, meter.kind).capitalize()
    if meter.location:
        label += f" ({meter.location})"
    return f"{label}, №{masked_serial(meter.serial)}"


def entered_lines(meters: Iterable[MeterFacts], values: Dict[int, Decimal]) -> str:
    """The readings taken from one message, one line per meter."""
    return "\n".join(
        f"• {facts_title(m)}: {format_amount(values[m.meter_id], m.unit)}"
        for m in meters
        if m.meter_id in values
    )


def problem_line(
    meter: MeterFacts, typed: str, reason: Rejection, previous: Optional[Decimal] = None
) -> str:
    """Why a reading from a message with several was not taken, in a few words."""
    why = {
        Rejection.NOT_A_NUMBER: "не схоже на показник",
        Rejection.TOO_MANY_DECIMALS: f"забагато знаків після коми (на табло {meter.decimals})"
        if meter.decimals
        else "лічильник показує лише цілі числа",
        Rejection.LOWER_THAN_PREVIOUS: "менше за попередній показник"
        + (f" ({format_amount(previous, meter.unit)})" if previous is not None else ""),
        Rejection.IMPLAUSIBLE: "незвично велике споживання, треба підтвердити",
    }[reason]
    return f"• {facts_title(meter)}: {typed} — {why}"


def numbers_list(typed: List[str]) -> str:
    """ "90", "90 і 14", "90, 14 і 7"."""
    if len(typed) == 1:
        return typed[0]
    return ", ".join(typed[:-1]) + " і " + typed[-1]


def history_block(account_number: str, title: str, unit: str, rows: List[HistoryRow]) -> str:
    """A meter's latest periods, newest first, with consumption where known."""
    lines = [f"Рахунок {account_number}. {title}"]
    for row in rows:
        used = (
            f", спожито {format_amount(row.consumption, unit)}"
            if row.consumption is not None
            else ""
        )
        lines.append(f"  {format_period(row.period)}: {format_amount(row.value, unit)}{used}")
    if not rows:
        lines.append("  показників ще немає")
    return "\n".join(lines)


def history_text(blocks: Iterable[str]) -> str:
    return "\n\n".join(blocks)


def taken_lines(taken: List[ReadingTaken]) -> str:
    """The readings somebody else submitted first: which channel and when, never who."""
    lines = []
    for reading in taken:
        when = reading.submitted_at.astimezone(KYIV)
        channel = channel_label(reading.channel, "інший канал")
        title = meter_title(reading.kind, reading.serial, reading.unit, reading.location)
        lines.append(
            f"• {title}: {format_decimal(reading.value)} (через {channel}, "
            f"{format_date(when.date())} о {format_time(when)})"
        )
    return "\n".join(lines)
