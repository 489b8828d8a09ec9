"""Submitting readings: which account, then meter by meter, then the summary."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.forms.base import AssistantFormValidation, SlotValues, ask_for_account
from core.accounts.lookup import linked_account_views
from core.accounts.numbers import AccountNumberError, normalise_account_number
from core.contacts import operator_contacts_line
from core.db.models import EventKind
from core.readings import checks
from core.readings.checks import MeterFacts
from core.readings.parsing import ReadingFormatError, parse_reading_off_loop
from core.readings.submission import already_submitted, meters_for_submission
from core.readings.window import window_for
from core.repository import events as events_repo
from core.texts.common import format_amount, format_period
from core.texts.readings import counted_digits, counted_meters, facts_title, summary_lines


def form_meters(tracker: Tracker) -> List[MeterFacts]:
    return [MeterFacts.from_slot(item) for item in tracker.get_slot("reading_meters") or []]


def form_entries(tracker: Tracker) -> Dict[str, str]:
    """Accepted values so far: meter id (as text, slots are JSON) -> value."""
    return dict(tracker.get_slot("reading_entries") or {})


def current_meter(tracker: Tracker) -> Optional[MeterFacts]:
    meters, entries = form_meters(tracker), form_entries(tracker)
    return meters[len(entries)] if len(entries) < len(meters) else None


class ValidateReadingForm(AssistantFormValidation):
    def name(self) -> Text:
        return "validate_reading_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        slots = ["reading_account"]
        meters = tracker.get_slot("reading_meters")
        if tracker.get_slot("reading_account") and meters == []:
            return slots  # an account without meters: nothing to ask
        if tracker.get_slot("reading_pending") is not None:
            slots.append("reading_high_confirmed")
        if meters is None or len(form_entries(tracker)) < len(meters):
            slots.append("reading_value")
        slots.append("reading_save")
        return slots

    async def extract_reading_account(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self.extract_account_choice(tracker, "reading_account")

    async def validate_reading_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        try:
            number = normalise_account_number(str(value))
        except AccountNumberError:
            number = ""
        sender, settings, now = self.sender(tracker), self.settings, self.now()

        def load(session: Session) -> Optional[tuple]:
            chosen = next(
                (a for a in linked_account_views(session, sender) if a.number == number), None
            )
            if chosen is None:
                return None
            window = window_for(session, settings.window_first_day, settings.window_last_day, now)
            meters = meters_for_submission(session, chosen.account_id, window.period)
            submitted = already_submitted(session, [m.meter_id for m in meters], window.period)
            return chosen, window.period, meters, submitted

        loaded = await self.db(load)
        if loaded is None:
            dispatcher.utter_message(response="utter_choose_reading_account_by_button")
            return {"reading_account": None}
        chosen, period, meters, submitted = loaded
        if not meters:
            dispatcher.utter_message(
                response="utter_no_active_meters",
                number=number,
                contacts=await operator_contacts_line(),
            )
            return {"reading_account": number, "reading_meters": []}
        dispatcher.utter_message(
            response="utter_reading_account_chosen_again"
            if submitted
            else "utter_reading_account_chosen",
            number=number,
            address=chosen.masked_address,
            count=counted_meters(len(meters)),
            period=format_period(period),
        )
        return {
            "reading_account": number,
            "reading_meters": [m.to_slot() for m in meters],
            "reading_entries": {},
            "reading_pending": None,
        }

    async def _reject(self, tracker: Tracker, reason: checks.Rejection) -> None:
        channel, now = self.sender(tracker).channel, self.now()
        await self.db(
            lambda s: events_repo.record_event(s, EventKind.reading_rejected, reason, channel, now)
        )

    async def validate_reading_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        meter = current_meter(tracker)
        if meter is None:
            return {"reading_value": None, "reading_pending": None}
        try:
            reading, decimals = await parse_reading_off_loop(str(value))
        except ReadingFormatError as error:
            await self._reject(tracker, checks.Rejection.NOT_A_NUMBER)
            dispatcher.utter_message(text=str(error))
            return {"reading_value": None, "reading_pending": None}

        reason = checks.rejection_reason(meter, reading, decimals)
        if reason == checks.Rejection.TOO_MANY_DECIMALS:
            dispatcher.utter_message(
                response="utter_reading_too_many_decimals"
                if meter.decimals
                else "utter_reading_whole_numbers_only",
                meter_decimals=counted_digits(meter.decimals),
                decimals=counted_digits(decimals),
            )
        elif reason == checks.Rejection.LOWER_THAN_PREVIOUS:
            dispatcher.utter_message(
                response="utter_reading_lower_than_previous",
                reading=format_amount(reading, meter.unit),
                previous=format_amount(meter.previous_value, meter.unit),
                contacts=await operator_contacts_line(),
            )
        if reason is not None:
            await self._reject(tracker, reason)
            return {"reading_value": None, "reading_pending": None}

        if checks.is_implausible(meter, reading, self.settings.monthly_ceiling):
            await self._reject(tracker, checks.Rejection.IMPLAUSIBLE)
            used = checks.consumption(meter, reading)
            dispatcher.utter_message(
                response="utter_reading_implausible",
                used=format_amount(used, meter.unit),
                reading=format_amount(reading, meter.unit),
            )
            return {"reading_value": None, "reading_pending": str(reading)}

        entries = form_entries(tracker)
        entries[str(meter.meter_id)] = str(reading)
        return {"reading_value": None, "reading_entries": entries, "reading_pending": None}

    async def validate_reading_high_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        pending, meter = tracker.get_slot("reading_pending"), current_meter(tracker)
        slots: SlotValues = {"reading_high_confirmed": None, "reading_pending": None}
        if value is True and pending is not None and meter is not None:
            entries = form_entries(tracker)
            entries[str(meter.meter_id)] = pending
            slots["reading_entries"] = entries
        else:
            dispatcher.utter_message(response="utter_enter_reading_again")
        return slots

    async def validate_reading_save(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is True:
            return {"reading_save": True}
        dispatcher.utter_message(response="utter_readings_from_the_first_meter")
        return {"reading_save": None, "reading_entries": {}}


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
        meters, meter = form_meters(tracker), current_meter(tracker)
        if meter is None:
            return []
        position = {
            "position": len(form_entries(tracker)) + 1,
            "total": len(meters),
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


class AskReadingSave(Action):
    """The summary with consumption per meter, and Save / Change."""

    def name(self) -> Text:
        return "action_ask_reading_save"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            response="utter_reading_summary",
            number=tracker.get_slot("reading_account"),
            meters=summary_lines(form_meters(tracker), form_entries(tracker)),
        )
        return []
