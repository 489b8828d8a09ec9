"""Whatever people paste or type reaches the parsers in one clean form, and no
input, however long or strange, crashes parsing or stalls other conversations."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from core.accounts.numbers import find_account_number, normalise_account_number
from core.readings.parsing import ReadingFormatError, parse_reading, parse_reading_off_loop
from core.text_input import clean_text

ZWSP, RLM, BOM = "\u200b", "\u200f", "\ufeff"


def test_invisible_and_control_characters_are_removed():
    assert clean_text(f"01{ZWSP}000{RLM}04{BOM}\x00") == "0100004"
    assert clean_text("a\tb\nc") == "a b c"


def test_an_account_number_in_full_width_digits_or_with_zero_width_spaces_is_accepted():
    assert normalise_account_number("０１０００１２") == "0100012"
    assert normalise_account_number(f"0100{ZWSP}012") == "0100012"
    assert find_account_number(f"додай рахунок {RLM}01 000 12") == "0100012"


@pytest.mark.parametrize(
    "typed, value",
    [
        ("１２３４,５", Decimal("1234.5")),
        (f"12{ZWSP}34,5", Decimal("1234.5")),
        ("345\x00", Decimal("345")),
    ],
)
def test_readings_pasted_with_odd_characters_are_read(typed, value):
    assert parse_reading(typed)[0] == value


@pytest.mark.parametrize(
    "typed",
    [
        "123456789012,5",
        "1" * 29,
        "9" * 400,
        "1e10",
        "Infinity",
        "NaN",
        "-5",
        "sNaN",
        "١٢٣" * 30,
        "x" * 10_000,
        "дванадцять " * 300,
    ],
)
def test_impossible_readings_get_a_reason_not_a_crash(typed):
    with pytest.raises(ReadingFormatError) as error:
        parse_reading(typed)
    assert str(error.value)  # a Ukrainian sentence for the user


async def test_number_words_do_not_stall_other_conversations():
    """While one user's readings in words are parsed, another user's coroutine
    keeps running: the worst delay of a 10 ms tick stays far below 50 ms."""
    worst = 0.0
    stop = asyncio.Event()

    async def other_user() -> None:
        nonlocal worst
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - started - 0.01)

    ticker = asyncio.create_task(other_user())
    await parse_reading_off_loop("дванадцять")  # grammars load once
    worst = 0.0
    for _ in range(5):
        value, _decimals = await parse_reading_off_loop("триста сорок п'ять")
        assert value == Decimal("345")
        with pytest.raises(ReadingFormatError):
            await parse_reading_off_loop("слово " * 800)  # ~4 KB
    stop.set()
    await ticker
    print(f"worst delay of another conversation: {worst * 1000:.1f} ms")
    assert worst < 0.05
