"""Ukrainian plural forms (babel's CLDR rules for uk) for every count the bot
says: 1 день, 2 дні, 5 днів, 11 днів, 21 день, 22 дні, 111 днів, 1 000 001 день."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.texts.common import (
    DAYS,
    DIGITS,
    FILES,
    METERS,
    READINGS,
    count_days,
    counted,
    days_left,
    format_decimal,
    plural,
)

NOUNS = [DAYS, METERS, READINGS, DIGITS, FILES]


def expected_category(n: int) -> int:
    """The Ukrainian rule, written out: 0 one, 1 few, 2 many."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


@given(n=st.integers(0, 10**9), forms=st.sampled_from(NOUNS))
def test_the_form_follows_the_last_two_digits(n, forms):
    assert plural(n, forms) == forms[expected_category(n)]
    assert counted(n, forms) == f"{format_decimal(Decimal(n))} {forms[expected_category(n)]}"


@given(n=st.integers(0, 400))
def test_days_left_agrees_in_verb_and_noun(n):
    verb = "залишився" if expected_category(n) == 0 else "залишилося"
    assert days_left(n) == f"{verb} {count_days(n)}"


@pytest.mark.parametrize(
    "n, said",
    [
        (0, "0 днів"),
        (1, "1 день"),
        (2, "2 дні"),
        (4, "4 дні"),
        (5, "5 днів"),
        (11, "11 днів"),
        (12, "12 днів"),
        (14, "14 днів"),
        (21, "21 день"),
        (22, "22 дні"),
        (27, "27 днів"),
        (28, "28 днів"),
        (31, "31 день"),
        (111, "111 днів"),
        (1001, "1 001 день"),
    ],
)
def test_counts_of_days_the_window_can_have(n, said):
    assert count_days(n).replace("\u00a0", " ") == said
