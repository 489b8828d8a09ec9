"""The submission draft's rules without a conversation: a value typed at a
prompt, the «так» for an unusual one, several readings in one message, a skip,
«Змінити» and the summary."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from core.readings.checks import MeterFacts, Rejection, Verdict
from core.readings.draft import SubmissionDraft
from core.readings.several import Several

CEILINGS = {"heat": Decimal("4"), "hot_water": Decimal("25")}


def meter(meter_id, kind, location="", previous="100", decimals=3, serial=None):
    return MeterFacts(
        meter_id=meter_id,
        serial=serial or f"4400{meter_id}",
        kind=kind,
        unit="Gcal" if kind == "heat" else "m3",
        decimals=decimals,
        location=location,
        previous_value=None if previous is None else Decimal(previous),
        previous_period=None if previous is None else "2026-10",
    )


HEAT, KITCHEN, BATH = (
    meter(1, "heat", previous="10"),
    meter(2, "hot_water", "кухня"),
    meter(3, "hot_water", "ванна"),
)
THREE = SubmissionDraft(meters=(HEAT, KITCHEN, BATH))


def several(**typed):
    """Several readings by meter: several(heat="11", kitchen="101")."""
    ids = {"heat": 1, "kitchen": 2, "bath": 3}
    return Several({ids[name]: value for name, value in typed.items()}, [])


# --- one value at its prompt ----------------------------------------------------------


def test_an_accepted_value_is_entered_and_the_next_meter_asked():
    entered = THREE.enter(Decimal("11.5"), 1, CEILINGS)
    assert entered.assessment.verdict == Verdict.ACCEPTED and entered.refused == ()
    assert entered.draft.entries == {1: Decimal("11.5")}
    assert entered.draft.current == KITCHEN and entered.confirmation is None
    assert THREE.entries == {} and THREE.current == HEAT  # the old draft stays as it was


@pytest.mark.parametrize(
    "value, decimals, reason",
    [("9", 0, Rejection.LOWER_THAN_PREVIOUS), ("11.1234", 4, Rejection.TOO_MANY_DECIMALS)],
)
def test_a_value_breaking_a_rule_is_refused_and_asked_again(value, decimals, reason):
    entered = THREE.enter(Decimal(value), decimals, CEILINGS)
    assert entered.assessment.rejection == reason and entered.refused == (reason,)
    assert entered.draft == THREE


def test_an_unusual_value_waits_for_yes_and_counts_as_implausible():
    entered = THREE.enter(Decimal("50"), 0, CEILINGS)
    assert entered.draft.pending == Decimal("50") and entered.draft.current == HEAT
    assert entered.confirmation.assessment.verdict == Verdict.IMPLAUSIBLE
    assert entered.refused == (Rejection.IMPLAUSIBLE,)

    yes = entered.draft.confirm(True)
    assert yes.meter == HEAT and yes.draft.entries == {1: Decimal("50")}
    assert yes.draft.pending is None and yes.draft.current == KITCHEN

    no = entered.draft.confirm(False)
    assert no.meter is None and no.draft.entries == {} and no.draft.pending is None


def test_yes_without_a_value_waiting_enters_nothing():
    assert THREE.confirm(True).draft.entries == {}


def test_a_dial_past_its_maximum_waits_for_yes_and_is_no_refusal():
    dial = SubmissionDraft(meters=(meter(7, "hot_water", previous="99990", decimals=0),))
    entered = dial.enter(Decimal("12"), 0, CEILINGS)
    assert entered.confirmation.assessment.verdict == Verdict.ROLLOVER
    assert entered.confirmation.assessment.used == Decimal("22")
    assert entered.refused == () and entered.draft.pending == Decimal("12")


def test_a_new_answer_forgets_the_value_waiting_for_yes():
    waiting = THREE.enter(Decimal("50"), 0, CEILINGS).draft
    assert waiting.unanswered().pending is None
    assert waiting.enter(Decimal("11"), 0, CEILINGS).draft.pending is None


# --- several readings in one message ---------------------------------------------------


def test_several_readings_fill_every_meter():
    taken = THREE.take_several(several(heat="11", kitchen="101,5", bath="102"), CEILINGS)
    assert taken.taken == {1: Decimal("11"), 2: Decimal("101.5"), 3: Decimal("102")}
    assert taken.draft.current is None and taken.problems == () and taken.waiting is None


def test_only_one_value_waits_for_yes_the_one_asked_next():
    # Both hot-water values are unusual; the kitchen is asked next, so it waits.
    taken = THREE.take_several(several(heat="11", kitchen="190", bath="200"), CEILINGS)
    assert taken.waiting.meter == KITCHEN and taken.draft.pending == Decimal("190")
    assert [(p.meter, p.reason) for p in taken.problems] == [(BATH, Rejection.IMPLAUSIBLE)]
    assert taken.draft.current == KITCHEN and 3 not in taken.draft.entries
    assert taken.refused == (Rejection.IMPLAUSIBLE, Rejection.IMPLAUSIBLE)


def test_an_unusual_value_of_a_meter_not_asked_next_does_not_wait():
    # The heat meter is still open: it is asked next, the kitchen's value cannot wait.
    taken = THREE.take_several(several(kitchen="190", bath="102"), CEILINGS)
    assert taken.waiting is None and taken.draft.pending is None
    assert [(p.meter, p.value) for p in taken.problems] == [(KITCHEN, Decimal("190"))]
    assert taken.draft.entries == {3: Decimal("102")} and taken.draft.current == HEAT


def test_values_breaking_a_rule_are_reported_and_keep_what_was_entered():
    entered = THREE.enter(Decimal("11"), 0, CEILINGS).draft
    taken = entered.take_several(several(heat="9", kitchen="abc"), CEILINGS)
    assert taken.draft.entries == {1: Decimal("11")}
    assert [(p.meter, p.typed, p.reason) for p in taken.problems] == [
        (HEAT, "9", Rejection.LOWER_THAN_PREVIOUS),
        (KITCHEN, "abc", Rejection.NOT_A_NUMBER),
    ]
    assert taken.refused == (Rejection.LOWER_THAN_PREVIOUS, Rejection.NOT_A_NUMBER)


def test_a_value_typed_anew_replaces_the_value_and_the_skip_of_before():
    draft = THREE.enter(Decimal("11"), 0, CEILINGS).draft.skip().draft  # the kitchen skipped
    taken = draft.take_several(several(heat="12", kitchen="101"), CEILINGS)
    assert taken.draft.entries == {1: Decimal("12"), 2: Decimal("101")}
    assert taken.draft.skipped == () and taken.draft.current == BATH


def test_an_unusual_value_typed_anew_replaces_the_entered_one_and_waits():
    draft = THREE.enter(Decimal("11"), 0, CEILINGS).draft
    taken = draft.take_several(several(heat="50", kitchen="101"), CEILINGS)
    assert taken.draft.entries == {2: Decimal("101")}
    assert taken.waiting.meter == HEAT and taken.draft.pending == Decimal("50")


def test_numbers_in_doubt_are_passed_on():
    taken = THREE.take_several(Several({1: "11"}, ["101", "102"]), CEILINGS)
    assert taken.unplaced == ("101", "102") and taken.draft.current == KITCHEN


def test_readings_of_the_first_message_need_a_word_naming_the_meter():
    assert THREE.readings_in_request("замість 345 написав 435", "0100005") is None
    found = THREE.readings_in_request("хочу передати: тепло 13,1", "0100005")
    assert found.values == {1: "13,1"}
    one = SubmissionDraft(meters=(KITCHEN,))
    assert one.readings_in_request("0100002 передаю 122,5", "0100002").values == {2: "122,5"}


def test_an_answer_fills_the_open_meters_in_order():
    draft = THREE.enter(Decimal("11"), 0, CEILINGS).draft
    assert draft.readings_in_answer("101; 102").values == {2: "101", 3: "102"}
    assert draft.readings_in_answer("101") is None  # one value: for the meter asked


# --- skip, change, summary -------------------------------------------------------------


def test_skipping_every_meter_leaves_nothing_to_save():
    one = SubmissionDraft(meters=(KITCHEN,))
    skipped = one.skip()
    assert skipped.meter == KITCHEN and skipped.nothing_to_save
    assert not THREE.skip().nothing_to_save


def test_change_reopens_only_the_meter_picked():
    draft = THREE.take_several(several(heat="11", kitchen="101", bath="102"), CEILINGS).draft
    reopened = draft.reopen(KITCHEN)
    assert reopened.entries == {1: Decimal("11"), 3: Decimal("102")}
    assert reopened.current == KITCHEN
    assert draft.restart().entries == {} and draft.restart().current == HEAT


@pytest.mark.parametrize("answer, chosen", [("2", KITCHEN), ("кухня", KITCHEN), ("тепло", HEAT)])
def test_the_meter_to_change_is_named_by_its_button_or_in_words(answer, chosen):
    assert THREE.meter_chosen(answer) == chosen


def test_a_vague_answer_names_no_meter():
    assert THREE.meter_chosen("гаряча") is None  # two hot-water meters
    assert THREE.meter_chosen("якийсь") is None


def test_the_summary_lists_every_meter_in_order_with_consumption_or_skipped():
    draft = THREE.enter(Decimal("11.5"), 1, CEILINGS).draft.skip().draft
    draft = draft.enter(Decimal("104"), 0, CEILINGS).draft
    lines = draft.summary()
    assert [line.meter for line in lines] == [HEAT, KITCHEN, BATH]
    assert [(line.value, line.used) for line in lines] == [
        (Decimal("11.5"), Decimal("1.5")),
        (None, None),
        (Decimal("104"), Decimal("4")),
    ]


def test_what_saving_needs_to_see_whether_somebody_came_first():
    seen = SubmissionDraft(meters=(HEAT, replace(KITCHEN, in_force_reading_id=9)))
    assert seen.seen_in_force == {1: None, 2: 9} and seen.submitted_before
    assert not THREE.submitted_before
