"""Computed messages about readings and the submission window."""

from __future__ import annotations

from typing import List

from core.readings.submission import ReadingTaken
from core.readings.window import WindowStatus
from core.settings import KYIV
from core.texts.common import format_date, format_decimal, format_period, meter_title

CHANNEL_NAMES = {"telegram": "Telegram", "viber": "Viber", "billing": "білінг"}


def closed_window_text(window: WindowStatus) -> str:
    return (
        f"Прийом показників за {format_period(window.period)} завершився "
        f"{format_date(window.last)}. Наступний прийом почнеться {format_date(window.next_opening)}."
        if window.today > window.last
        else f"Прийом показників за {format_period(window.period)} почнеться "
        f"{format_date(window.first)} і триватиме до {format_date(window.last)} включно."
    )


def taken_meanwhile_text(taken: List[ReadingTaken]) -> str:
    """Why nothing was saved: somebody else submitted these meters first (which
    channel and when, never who)."""
    lines = [
        "Поки ви вводили показники, за цим рахунком їх уже передали, тож ваші значення "
        "не збережено:"
    ]
    for reading in taken:
        when = reading.submitted_at.astimezone(KYIV)
        channel = CHANNEL_NAMES.get(reading.channel, reading.channel or "інший канал")
        title = meter_title(reading.kind, reading.serial, reading.unit, reading.location)
        lines.append(
            f"• {title}: {format_decimal(reading.value)} (через {channel}, "
            f"{format_date(when.date())} о {when:%H:%M})"
        )
    lines.append("Якщо ці показники неправильні, передайте свої ще раз: вони замінять передані.")
    return "\n".join(lines)
