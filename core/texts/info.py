"""Computed messages around the flow: the tariff list."""

from __future__ import annotations

from typing import Iterable

from core.db.models import Tariff
from core.texts.common import format_date, format_decimal


def tariff_line(tariff: Tariff) -> str:
    note = f" ({tariff.note})" if tariff.note else ""
    return (
        f"• {tariff.service}, {tariff.category}: {format_decimal(tariff.price_uah, 2)} грн "
        f"за {tariff.unit}, з {format_date(tariff.valid_from)}{note}"
    )


def tariff_lines(tariffs: Iterable[Tariff]) -> str:
    return "\n".join(tariff_line(tariff) for tariff in tariffs)
