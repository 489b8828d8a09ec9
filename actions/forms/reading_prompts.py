"""What the reading form says: its questions (the `action_ask_*` of its slots)
and the responses to the draft's outcomes (`core.readings.draft`), with their
variables. No rules here; the draft decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms.base import ask_for_account
from actions.forms.reading_slots import draft_of
from core.contacts import operator_contacts_line
from core.readings.checks import Rejection, Verdict
from core.readings.draft import Confirmation, Entered, SeveralTaken
from core.readings.rollover import dial_digits
from core.texts.common import format_amount, format_decimal, format_period
from core.texts.readings import (
    counted_digits,
    entered_lines,
    facts_title,
    numbers_list,
    problem_line,
    short_title,
    summary_lines,
)

# The entity a «Змінити» button carries: the meter's id.
METER_REF = "meter_ref"


def ask_to_confirm(
    dispatcher: CollectingDispatcher, confirmation: Confirmation, with_title: bool
) -> None:
    """Why the value needs a «так»: an unusual consumption or a rollover of the dial.

    Args:
        with_title: name the meter (the value came among several, not at its prompt).
    """
    meter, reading = confirmation.meter, confirmation.reading
    details: Dict[str, Any] = {
        "used": format_amount(confirmation.assessment.used, meter.unit),
        "reading": format_amount(reading, meter.unit),
    }
    if with_title:
        details["meter"] = facts_title(meter)
    if confirmation.assessment.verdict == Verdict.ROLLOVER:
        digits = dial_digits(meter.previous_value, meter.display_digits)
        details["previous"] = format_amount(meter.previous_value, meter.unit)
        details["maximum"] = format_decimal(Decimal(10) ** digits - 1)
        response = "utter_reading_rollover_for_meter" if with_title else "utter_reading_rollover"
    else:
        response = (
            "utter_reading_implausible_for_meter" if with_title else "utter_reading_implausible"
        )
    dispatcher.utter_message(response=response, **details)


async def say_entered(dispatcher: CollectingDispatcher, entered: Entered) -> None:
    """A value typed at its prompt: why it was refused, or why it needs a «так»
    (an accepted value is not repeated: the next question follows)."""
    meter, reading = entered.meter, entered.reading
    rejection = entered.assessment.rejection
    if rejection == Rejection.TOO_MANY_DECIMALS:
        dispatcher.utter_message(
            response="utter_reading_too_many_decimals"
            if meter.decimals
            else "utter_reading_whole_numbers_only",
            meter_decimals=counted_digits(meter.decimals),
            decimals=counted_digits(entered.decimals),
        )
    elif rejection == Rejection.LOWER_THAN_PREVIOUS:
        dispatcher.utter_message(
            response="utter_reading_lower_than_previous",
            reading=format_amount(reading, meter.unit),
            previous=format_amount(meter.previous_value, meter.unit),
            contacts=await operator_contacts_line(),
        )
    elif entered.confirmation is not None:
        ask_to_confirm(dispatcher, entered.confirmation, with_title=False)


def say_several(dispatcher: CollectingDispatcher, outcome: SeveralTaken) -> None:
    """What was entered of several readings, what not and why, the numbers in
    doubt, and the «так» question for the one value that waits."""
    if outcome.taken:
        dispatcher.utter_message(
            response="utter_several_entered",
            readings=entered_lines(outcome.draft.meters, dict(outcome.taken)),
        )
    if outcome.problems:
        lines = (
            problem_line(
                p.meter,
                p.typed if p.value is None else format_decimal(p.value),
                p.reason,
                p.meter.previous_value,
            )
            for p in outcome.problems
        )
        dispatcher.utter_message(response="utter_several_not_entered", problems="\n".join(lines))
    if outcome.unplaced:
        dispatcher.utter_message(
            response="utter_several_unplaced", numbers=numbers_list(list(outcome.unplaced))
        )
    if outcome.waiting is not None:
        ask_to_confirm(dispatcher, outcome.waiting, with_title=True)


class AskReadingAccount(Action):
    def name(self) -> Text:
        return "action_ask_reading_account"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        await ask_for_account(tracker, dispatcher, "utter_choose_reading_account")
        return []


class AskReadingValue(Action):
    def name(self) -> Text:
        return "action_ask_reading_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        draft = draft_of(tracker)
        meter = draft.current
        if meter is None:
            return []
        position = {
            "position": draft.position(meter),
            "total": len(draft.meters),
            "meter": facts_title(meter),
        }
        if meter.previous_value is None:
            dispatcher.utter_message(response="utter_enter_reading", **position)
        else:
            dispatcher.utter_message(
                response="utter_enter_reading_after_previous",
                previous=format_amount(meter.previous_value, meter.unit),
                previous_period=format_period(meter.previous_period),
                **position,
            )
        return []


class AskReadingHighConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_reading_high_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_confirm_high_reading")
        return []


class AskReadingChange(Action):
    """«Змінити»: which meter, one button each (its id as an entity)."""

    def name(self) -> Text:
        return "action_ask_reading_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        buttons = [
            {"title": short_title(m), "payload": f'/inform{{"{METER_REF}":"{m.meter_id}"}}'}
            for m in draft_of(tracker).meters
        ]
        dispatcher.utter_message(response="utter_ask_meter_to_change", buttons=buttons)
        return []


class AskReadingSave(Action):
    """The summary with consumption per meter (or skipped), and Save / Change."""

    def name(self) -> Text:
        return "action_ask_reading_save"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            response="utter_reading_summary",
            number=tracker.get_slot("reading_account"),
            meters=summary_lines(draft_of(tracker).summary()),
        )
        return []
