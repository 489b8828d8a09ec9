"""Computed messages about readings and the submission window."""

from __future__ import annotations

from core.readings.window import WindowStatus
from core.texts.common import format_date, format_period


def closed_window_text(window: WindowStatus) -> str:
    return (
        f"Прийом показників за {format_period(window.period)} завершився "
        f"{format_date(window.last)}. Наступний прийом почнеться {format_date(window.next_opening)}."
        if window.today > window.last
        else f"Прийом показників за {format_period(window.period)} почнеться "
        f"{format_date(window.first)} і триватиме до {format_date(window.last)} включно."
    )
