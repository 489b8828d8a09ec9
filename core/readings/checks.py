"""Checks a parsed reading against the meter: decimals, monotony, plausibility."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Dict, Optional

from core.db.models import without_trailing_zeros
from core.readings.rollover import consumption_between, wrapped_consumption

# How many of a meter's own units make one base unit of its kind (Gcal, m³).
UNITS_PER_BASE = {
    "Gcal": Decimal("1"),
    "MWh": Decimal("1.163"),
    "kWh": Decimal("1163"),
    "m3": Decimal("1"),
}


SLOT_SERIAL_DIGITS = 2  # as core.texts.common.SHOWN_SERIAL_DIGITS


@dataclass(frozen=True)
class MeterFacts:
    """What validation needs to know about a meter, serialisable into a slot."""

    meter_id: int
    serial: str
    kind: str
    unit: str
    decimals: int
    location: str
    previous_value: Optional[Decimal]
    previous_period: Optional[str]
    # The reading already in force for the period when the conversation looked
    # (None: nothing yet); saving checks that nobody else submitted since.
    in_force_reading_id: Optional[int] = None
    # Integer digits of the display when billing said (else inferred: core.readings.rollover).
    display_digits: Optional[int] = None

    def to_slot(self) -> Dict:
        """For the tracker: the serial only masked («…45»; its last digits prove the
        account, core/accounts/ownership.py), the meter known by its id."""
        data = dict(self.__dict__)
        data["previous_value"] = None if self.previous_value is None else str(self.previous_value)
        digits = "".join(char for char in self.serial if char.isdigit()) or self.serial
        data["serial"] = f"…{digits[-SLOT_SERIAL_DIGITS:]}"
        return data

    @classmethod
    def from_slot(cls, data: Dict) -> "MeterFacts":
        values = dict(data)
        raw = values.get("previous_value")
        values["previous_value"] = None if raw is None else Decimal(raw)
        return cls(**values)


class Rejection(str, Enum):
    """Why a reading was refused; the values are the codes staff statistics count."""

    TOO_MANY_DECIMALS = "too_many_decimals"
    LOWER_THAN_PREVIOUS = "lower_than_previous"
    IMPLAUSIBLE = "implausible"
    NOT_A_NUMBER = "not_a_number"
    OUTSIDE_WINDOW = "outside_window"


def rejection_reason(
    meter: MeterFacts, value: Decimal, decimals: int, ceilings: Dict[str, Decimal]
) -> Optional[Rejection]:
    """The hard rule a value breaks, or None. Plausibility is checked separately.

    A lower value is refused unless it is a plausible rollover of the dial
    (`is_rollover`), which the user then confirms.
    """
    if decimals > meter.decimals:
        return Rejection.TOO_MANY_DECIMALS
    if (
        meter.previous_value is not None
        and value < meter.previous_value
        and not is_rollover(meter, value, ceilings)
    ):
        return Rejection.LOWER_THAN_PREVIOUS
    return None


def consumption(meter: MeterFacts, value: Decimal) -> Optional[Decimal]:
    """The month's consumption, across a rollover when the value is lower."""
    if meter.previous_value is None:
        return None
    return without_trailing_zeros(
        consumption_between(meter.previous_value, value, meter.display_digits)
    )


def ceiling_of(meter: MeterFacts, ceilings: Dict[str, Decimal]) -> Decimal:
    """The kind's plausible monthly ceiling, in the meter's own unit."""
    return ceilings[meter.kind] * UNITS_PER_BASE.get(meter.unit, Decimal("1"))


def is_rollover(meter: MeterFacts, value: Decimal, ceilings: Dict[str, Decimal]) -> bool:
    """Whether a value lower than the previous one reads as the dial passing its
    maximum with a plausible month's consumption (at most the kind's ceiling)."""
    if meter.previous_value is None:
        return False
    used = wrapped_consumption(meter.previous_value, value, meter.display_digits)
    return used is not None and used <= ceiling_of(meter, ceilings)


def is_implausible(meter: MeterFacts, value: Decimal, ceilings: Dict[str, Decimal]) -> bool:
    """Whether the month's consumption exceeds the kind's ceiling (converted to the unit)."""
    used = consumption(meter, value)
    if used is None:
        return False
    return used > ceiling_of(meter, ceilings)


class Verdict(str, Enum):
    """What becomes of a value that broke no hard rule."""

    ACCEPTED = "accepted"
    IMPLAUSIBLE = "implausible"  # the user confirms the high consumption
    ROLLOVER = "rollover"  # the user confirms the dial went past its maximum


@dataclass(frozen=True)
class Assessment:
    """One value checked against its meter: refused (with the reason), or a verdict."""

    rejection: Optional[Rejection]
    verdict: Optional[Verdict]
    used: Optional[Decimal]


def assess(
    meter: MeterFacts, value: Decimal, decimals: int, ceilings: Dict[str, Decimal]
) -> Assessment:
    """Every check a typed value passes, in the order users are told about them."""
    reason = rejection_reason(meter, value, decimals, ceilings)
    if reason is not None:
        return Assessment(reason, None, None)
    used = consumption(meter, value)
    if meter.previous_value is not None and value < meter.previous_value:
        return Assessment(None, Verdict.ROLLOVER, used)
    if is_implausible(meter, value, ceilings):
        return Assessment(None, Verdict.IMPLAUSIBLE, used)
    return Assessment(None, Verdict.ACCEPTED, used)
