"""Several readings in one message: which typed number goes to which meter."""

from decimal import Decimal

import pytest

from core.readings.checks import MeterFacts
from core.readings.several import meter_named, read_several


def meter(meter_id, kind, location="", serial=None):
    return MeterFacts(
        meter_id=meter_id,
        serial=serial or f"1000{meter_id}",
        kind=kind,
        unit="Gcal" if kind == "heat" else "m3",
        decimals=3,
        location=location,
        previous_value=Decimal("10"),
        previous_period="2026-10",
    )


HEAT, KITCHEN, BATH = (
    meter(1, "heat", serial="0007755001"),
    meter(2, "hot_water", "кухня", serial="4412"),
    meter(3, "hot_water", "ванна", serial="4413"),
)
THREE = [HEAT, KITCHEN, BATH]
ALL_OPEN = [1, 2, 3]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("тепло 13,1, кухня 130,5, ванна 90", {1: "13,1", 2: "130,5", 3: "90"}),
        ("гаряча 130.5 і 90, опалення 13,1", {1: "13,1", 2: "130.5", 3: "90"}),
        ("тепло 13,1 кухня 130,5 ванна 90", {1: "13,1", 2: "130,5", 3: "90"}),
        ("кухні 12\nванній 14", {2: "12", 3: "14"}),
        ("ГВП 12 та 14", {2: "12", 3: "14"}),
        ("тепло 13,1 Гкал, вода кухня 12 м3, ванна 14 м3", {1: "13,1", 2: "12", 3: "14"}),
        ("13,1 — тепло", {1: "13,1"}),
        ("отопление 12,3; санвузол 45", {1: "12,3", 3: "45"}),
    ],
)
def test_numbers_go_to_the_meters_their_words_name(typed, expected):
    several = read_several(typed, THREE, ALL_OPEN)
    assert several.values == expected and several.unplaced == []


@pytest.mark.parametrize(
    "typed", ["лічильник 55001 — 13,1", "№55001: 13,1", "лічильник 55001 13,1", "55001 - 13,1"]
)
def test_the_serials_last_digits_name_a_meter(typed):
    assert read_several(typed, THREE, ALL_OPEN).values == {1: "13,1"}


def test_the_prompts_position_names_a_meter():
    several = read_several("лічильник 2 - 130,5; лічильник 3 - 90", THREE, ALL_OPEN)
    assert several.values == {2: "130,5", 3: "90"}


def test_decimal_commas_are_not_list_commas():
    assert read_several("13,1, 130,5, 90", THREE, ALL_OPEN).values == {
        1: "13,1",
        2: "130,5",
        3: "90",
    }
    # "13, 1" is two numbers: a comma followed by a space separates.
    assert read_several("13, 1", THREE, [2, 3]).values == {2: "13", 3: "1"}


def test_unlabeled_numbers_go_in_order_to_the_meters_still_open():
    assert read_several("130,5 і 90", THREE, [2, 3]).values == {2: "130,5", 3: "90"}
    # Fewer numbers than open meters, nothing else said: the first ones, in order.
    assert read_several("13,1 і 130,5", THREE, ALL_OPEN).values == {1: "13,1", 2: "130,5"}


def test_what_is_in_doubt_is_left_to_ask():
    several = read_several("тепло 13,1, 130,5", THREE, ALL_OPEN)
    assert several.values == {1: "13,1"} and several.unplaced == ["130,5"]
    # «гаряча» names two meters, one number: which one is not clear.
    several = read_several("гаряча 12, тепло 13", THREE, ALL_OPEN)
    assert several.values == {1: "13"} and several.unplaced == ["12"]
    # Two numbers for the one heat meter.
    assert read_several("тепло 13, тепло 14", THREE, ALL_OPEN).unplaced == ["14"]
    # A unit alone names the kind, but there are two water meters.
    assert read_several("12,5 Гкал, 130 м3", THREE, ALL_OPEN).unplaced == ["130"]


def test_a_kind_names_the_one_meter_of_it_that_is_open():
    assert read_several("гаряча 90", THREE, [3]).values == {3: "90"}


@pytest.mark.parametrize(
    "typed", ["1234,5", "1 234,5", "345 м3", "12,345 Гкал", "дванадцять", "Привіт", "", "0100004"]
)
def test_one_number_alone_is_left_to_the_single_reading_parser(typed):
    assert read_several(typed, THREE, ALL_OPEN) is None


def test_first_message_takes_only_numbers_a_word_ties_to_a_meter():
    several = read_several(
        "хочу передати за 2026 рік: тепло 13,1, кухня 130,5", THREE, ALL_OPEN, labeled_only=True
    )
    assert several.values == {1: "13,1", 2: "130,5"} and several.unplaced == []
    assert read_several("замість 345 написав 435", THREE, ALL_OPEN, labeled_only=True) is None


def test_too_long_or_too_many_is_not_matched():
    assert read_several("тепло 1, " * 40, THREE, ALL_OPEN) is None
    assert read_several(", ".join(["1"] * 13), THREE, ALL_OPEN) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("кухня", 2),
        ("у ванній", 3),
        ("тепло", 1),
        ("55001", 1),
        ("4413", 3),
        ("2", 2),
        ("вода", None),
    ],
)
def test_a_short_answer_names_one_meter(typed, expected):
    assert meter_named(typed, THREE) == expected
