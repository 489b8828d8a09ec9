"""Properties of the readings' arithmetic: any reading typed the ways people type
it parses back to itself, and the dial's rollover gives back what was used."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.readings.parsing import MAX_INTEGER_DIGITS, parse_reading
from core.readings.rollover import consumption_between, dial_digits, wrapped_consumption
from core.texts.common import format_decimal

# Integer part and the decimals as typed (trailing zeros count: "12,50" has two).
integer_parts = st.integers(0, 10**MAX_INTEGER_DIGITS - 1)
fractions = st.text(alphabet="0123456789", max_size=4)
# What stands between groups of three digits when people type them.
GROUPING = ["", " ", "\u00a0", "\u202f", "'", "_"]
DECIMAL_MARKS = [",", "."]
UNITS = ["", " м3", " м³", "м3", " Гкал", " гкал", " куб.м", " кВт·год", " МВт·год"]
LEADS = ["", "показник ", "Показник: ", "показання "]


def grouped(integer: int, separator: str) -> str:
    digits = str(integer)
    head = len(digits) % 3 or 3
    return separator.join(
        [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    )


@given(
    integer=integer_parts,
    fraction=fractions,
    separator=st.sampled_from(GROUPING),
    mark=st.sampled_from(DECIMAL_MARKS),
    unit=st.sampled_from(UNITS),
    lead=st.sampled_from(LEADS),
    padding=st.sampled_from(["", " ", "  "]),
)
def test_a_typed_reading_parses_back_to_itself(
    integer, fraction, separator, mark, unit, lead, padding
):
    value = Decimal(f"{integer}.{fraction}" if fraction else str(integer))
    # No dots among the separators: "1.234" is a decimal number, not a thousand.
    typed = grouped(integer, separator) + (mark + fraction if fraction else "")
    assert parse_reading(f"{padding}{lead}{typed}{unit}{padding}") == (value, len(fraction))


@given(integer=integer_parts, fraction=fractions)
def test_what_the_assistant_prints_parses_back(integer, fraction):
    value = Decimal(f"{integer}.{fraction}" if fraction else str(integer))
    assert parse_reading(format_decimal(value)) == (value, len(fraction))


@given(integer=integer_parts, zeros=st.integers(1, 3))
def test_leading_zeros_of_the_dial_are_no_digits(integer, zeros):
    assert parse_reading("0" * zeros + str(integer)) == (Decimal(integer), 0)


@given(
    digits=st.integers(4, 9),
    data=st.data(),
)
def test_the_rollover_gives_back_what_was_used(digits, data):
    span = 10**digits
    thousandths = st.integers(0, span * 1000 - 1).map(lambda n: Decimal(n) / 1000)
    previous, used = data.draw(thousandths), data.draw(thousandths)
    value = (previous + used) % span
    # Whether or not the dial went past its maximum, the consumption is what was used.
    assert consumption_between(previous, value, digits) == used
    wrapped = wrapped_consumption(previous, value, digits)
    assert (wrapped is not None) == (value < previous)
    # A value that does not fit the dial is never a rollover.
    assert wrapped_consumption(previous, Decimal(span), digits) is None


@given(previous=st.integers(0, 10**12).map(Decimal))
def test_the_dial_digits_come_from_billing_or_the_previous_reading(previous):
    assert dial_digits(previous, 6) == 6
    assert dial_digits(previous, None) == max(4, len(str(int(previous))))
    # Inferred from the previous reading, a lower value always fits the dial.
    lower = previous // 2
    if lower < previous:
        assert wrapped_consumption(previous, lower, None) is not None
