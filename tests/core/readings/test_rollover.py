"""A meter's display wrapping past its maximum: recognised, confirmed, counted right."""

from decimal import Decimal

import pytest

from core.readings import checks
from core.readings.checks import MeterFacts, Verdict
from core.readings.rollover import consumption_between, dial_digits, wrapped_consumption

CEILINGS = {"heat": Decimal("4"), "hot_water": Decimal("25")}


def water(previous, digits=None):
    return MeterFacts(
        1, "A-1", "hot_water", "m3", 3, "", Decimal(previous), "2026-10", None, digits
    )


def test_dial_size_comes_from_billing_else_from_the_previous_reading():
    assert dial_digits(Decimal("99990"), 5) == 5
    assert dial_digits(Decimal("99990"), None) == 5
    assert dial_digits(Decimal("512.3"), None) == 4  # never fewer than four
    assert dial_digits(Decimal("512.3"), 6) == 6


def test_consumption_across_the_wrap():
    assert wrapped_consumption(Decimal("99990"), Decimal("12"), 5) == Decimal("22")
    assert consumption_between(Decimal("99990"), Decimal("12"), None) == Decimal("22")
    assert consumption_between(Decimal("100"), Decimal("112.5"), None) == Decimal("12.5")
    # A value too long for the dial is no rollover.
    assert wrapped_consumption(Decimal("99990"), Decimal("123456"), 5) is None


def test_a_plausible_wrap_is_confirmed_as_a_rollover():
    meter = water("99990")
    assessment = checks.assess(meter, Decimal("12"), 0, CEILINGS)
    assert assessment.rejection is None and assessment.verdict == Verdict.ROLLOVER
    assert assessment.used == Decimal("22")
    assert checks.consumption(meter, Decimal("12")) == Decimal("22")


def test_an_implausible_wrap_is_refused_as_lower():
    # 100 000 - 99 990 + 500 = 510 m³ in a month: a typo, not a rollover.
    assert (
        checks.rejection_reason(water("99990"), Decimal("500"), 0, CEILINGS)
        == checks.Rejection.LOWER_THAN_PREVIOUS
    )
    # Slightly lower than last month is a typo too.
    assert (
        checks.rejection_reason(water("99990"), Decimal("99980"), 0, CEILINGS)
        == checks.Rejection.LOWER_THAN_PREVIOUS
    )


def test_a_six_digit_dial_from_billing_changes_the_answer():
    # Billing says six digits: 99 990 -> 12 would be 900 022 m³.
    assert (
        checks.rejection_reason(water("99990", digits=6), Decimal("12"), 0, CEILINGS)
        == checks.Rejection.LOWER_THAN_PREVIOUS
    )
    assert checks.assess(water("999990", digits=6), Decimal("3"), 0, CEILINGS).used == Decimal("13")


@pytest.mark.parametrize(
    "value, verdict", [("100", Verdict.ACCEPTED), ("200", Verdict.IMPLAUSIBLE)]
)
def test_higher_values_are_judged_as_before(value, verdict):
    assert checks.assess(water("90"), Decimal(value), 0, CEILINGS).verdict == verdict
