"""Meters whose display wrapped past its maximum: 99 990 last month, 00 012 now.

A dial of `digits` integer digits shows 0 .. 10**digits - 1 and then starts
again from zero, so the month's consumption is 10**digits - previous + now.
How many digits the dial has comes from billing (`meters.display_digits`);
when billing does not say, from the previous reading's integer digits, at
least `MIN_INFERRED_DIGITS` (no heat or water meter has a shorter dial, and a
small previous value must not make every lower typo look like a rollover).

Whether a lower value really is a rollover, and not a typo, is decided by the
callers: the consumption must be plausible (`core.readings.checks`) and the
user confirms it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

MIN_INFERRED_DIGITS = 4


def dial_digits(previous: Decimal, display_digits: Optional[int]) -> int:
    """The dial's integer digits: billing's figure, else inferred from `previous`."""
    if display_digits:
        return display_digits
    return max(MIN_INFERRED_DIGITS, len(str(int(previous))))


def wrapped_consumption(
    previous: Decimal, value: Decimal, display_digits: Optional[int]
) -> Optional[Decimal]:
    """What was used if the dial went past its maximum between `previous` and
    `value`; None when `value` is not lower or the numbers do not fit the dial."""
    if value >= previous:
        return None
    span = Decimal(10) ** dial_digits(previous, display_digits)
    if previous >= span or value >= span:
        return None
    return span - previous + value


def consumption_between(
    previous: Decimal, value: Decimal, display_digits: Optional[int]
) -> Decimal:
    """The consumption from `previous` to `value`, across a rollover when the
    value is lower and fits the dial (otherwise the plain, negative difference)."""
    wrapped = wrapped_consumption(previous, value, display_digits)
    return value - previous if wrapped is None else wrapped
