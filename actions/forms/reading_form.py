"""Submitting readings: which account, then meter by meter, then the summary.

Several readings may come in one message (at a prompt or in the first
message), a meter may be skipped, and «Змінити» at the summary re-asks only
the meter the user picks.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import latest_intent
from actions.forms.base import AssistantFormValidation, SlotValues, ask_for_account
from actions.slots import INTERRUPTION_INTENTS
from core.accounts.lookup import linked_account_views
from core.accounts.numbers import AccountNumberError, normalise_account_number
from core.contacts import operator_contacts_line
from core.db.models import EventKind
from core.readings import checks
from core.readings.checks import MeterFacts, Verdict
from core.readings.parsing import ReadingFormatError, parse_reading, parse_reading_off_loop
from core.readings.rollover import dial_digits
from core.readings.several import lone_reading, meter_named, read_several
from core.readings.submission import already_submitted, meters_for_submission
from core.readings.window import window_for
from core.repository import accounts as accounts_repo
from core.repository import events as events_repo
from core.texts.common import format_amount, format_decimal, format_period
from core.texts.readings import (
    counted_digits,
    counted_meters,
    entered_lines,
    facts_title,
    numbers_list,
    problem_line,
    short_title,
    summary_lines,
)

# "пропустити" and "лічильник зламаний" at a meter's prompt skip that meter.
SKIP_INTENTS = ("skip_meter", "meter_problem")
METER_REF = "meter_ref"
# «Зберегти» when asked which meter to change: nothing to change, back to the summary.
BACK_TO_SUMMARY = "summary"


def form_meters(tracker: Tracker) -> List[MeterFacts]:
    return [MeterFacts.from_slot(item) for item in tracker.get_slot("reading_meters") or []]


def form_entries(tracker: Tracker) -> Dict[str, str]:
    """Accepted values so far: meter id (as text, slots are JSON) -> value."""
    return dict(tracker.get_slot("reading_entries") or {})


def form_skipped(tracker: Tracker) -> List[str]:
    """Meters the user skipped (ids as text)."""
    return list(tracker.get_slot("reading_skipped") or [])


def open_meters(
    meters: List[MeterFacts], entries: Dict[str, str], skipped: List[str]
) -> List[MeterFacts]:
    """Meters with neither a value nor a skip, in the order the form asks them."""
    return [m for m in meters if str(m.meter_id) not in entries and str(m.meter_id) not in skipped]


def current_meter(tracker: Tracker) -> Optional[MeterFacts]:
    remaining = open_meters(form_meters(tracker), form_entries(tracker), form_skipped(tracker))
    return remaining[0] if remaining else None


class ValidateReadingForm(AssistantFormValidation):
    def name(self) -> Text:
        return "validate_reading_form"

    async def _with_serials(self, meters: List[MeterFacts]) -> List[MeterFacts]:
        """The slot's meters with their full serials from the database, for naming a
        meter by its number in a message (the slot keeps them masked)."""
        ids = [m.meter_id for m in meters]
        serials = await self.db(lambda s: accounts_repo.serials_of(s, ids)) if ids else {}
        return [replace(m, serial=serials.get(m.meter_id, m.serial)) for m in meters]

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
        if meters is None or current_meter(tracker) is not None:
            slots.append("reading_value")
        elif not form_entries(tracker):
            return slots  # every meter skipped: nothing to save
        if tracker.get_slot("reading_save") is False:
            slots.append("reading_change")  # «Змінити»: which meter
        slots.append("reading_save")
        return slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """As the base's; a first message that carried readings but needs an account
        chosen first is kept until the account is chosen («хочу передати: тепло 13,1»)."""
        starting = self.requested(tracker) is None and not tracker.get_slot("reading_account")
        text = tracker.latest_message.get("text") or ""
        events = await super().run(dispatcher, tracker, domain)
        chosen = any(e.get("name") == "reading_account" and e.get("value") for e in events)
        if starting and not chosen and any(char.isdigit() for char in text):
            events.insert(0, SlotSet("reading_carry", text))
        return events

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
            return {"reading_account": number, "reading_meters": [], "reading_carry": None}
        dispatcher.utter_message(
            response="utter_reading_account_chosen_again"
            if submitted
            else "utter_reading_account_chosen",
            number=number,
            address=chosen.masked_address,
            count=counted_meters(len(meters)),
            period=format_period(period),
        )
        slots: SlotValues = {
            "reading_account": number,
            "reading_meters": [m.to_slot() for m in meters],
            "reading_entries": {},
            "reading_skipped": [],
            "reading_pending": None,
            "reading_carry": None,
        }
        # Readings in the message that started it all («хочу передати: тепло 13,1 …»).
        first = tracker.get_slot("reading_carry") or (
            tracker.latest_message.get("text") if self.requested(tracker) is None else None
        )
        several = (
            read_several(first, meters, [m.meter_id for m in meters], labeled_only=True)
            or lone_reading(first, meters, exclude=[number])
            if first
            else None
        )
        if several is not None:
            slots.update(await self._take_several(several, meters, {}, [], dispatcher, tracker))
        return slots

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
        if latest_intent(tracker) in SKIP_INTENTS:
            return await self._skip(meter, dispatcher, tracker)
        text = str(value)
        meters, entries, skipped = (
            await self._with_serials(form_meters(tracker)),
            form_entries(tracker),
            form_skipped(tracker),
        )
        several = read_several(
            text, meters, [m.meter_id for m in open_meters(meters, entries, skipped)]
        )
        if several is not None:
            slots = await self._take_several(several, meters, entries, skipped, dispatcher, tracker)
            return {"reading_value": None, **slots}
        try:
            reading, decimals = await parse_reading_off_loop(text)
        except ReadingFormatError as error:
            await self._reject(tracker, checks.Rejection.NOT_A_NUMBER)
            dispatcher.utter_message(text=str(error))
            return {"reading_value": None, "reading_pending": None}

        assessment = checks.assess(meter, reading, decimals, self.settings.monthly_ceiling)
        if assessment.rejection == checks.Rejection.TOO_MANY_DECIMALS:
            dispatcher.utter_message(
                response="utter_reading_too_many_decimals"
                if meter.decimals
                else "utter_reading_whole_numbers_only",
                meter_decimals=counted_digits(meter.decimals),
                decimals=counted_digits(decimals),
            )
        elif assessment.rejection == checks.Rejection.LOWER_THAN_PREVIOUS:
            dispatcher.utter_message(
                response="utter_reading_lower_than_previous",
                reading=format_amount(reading, meter.unit),
                previous=format_amount(meter.previous_value, meter.unit),
                contacts=await operator_contacts_line(),
            )
        if assessment.rejection is not None:
            await self._reject(tracker, assessment.rejection)
            return {"reading_value": None, "reading_pending": None}

        if assessment.verdict != Verdict.ACCEPTED:
            self._ask_to_confirm(dispatcher, meter, reading, assessment, with_title=False)
            if assessment.verdict == Verdict.IMPLAUSIBLE:
                await self._reject(tracker, checks.Rejection.IMPLAUSIBLE)
            return {"reading_value": None, "reading_pending": str(reading)}

        entries[str(meter.meter_id)] = str(reading)
        return {"reading_value": None, "reading_entries": entries, "reading_pending": None}

    @staticmethod
    def _ask_to_confirm(
        dispatcher: CollectingDispatcher,
        meter: MeterFacts,
        reading: Decimal,
        assessment: checks.Assessment,
        with_title: bool,
    ) -> None:
        """Why the value needs a «так»: an unusual consumption or a rollover of the dial."""
        details: Dict[str, Any] = {
            "used": format_amount(assessment.used, meter.unit),
            "reading": format_amount(reading, meter.unit),
        }
        if with_title:
            details["meter"] = facts_title(meter)
        if assessment.verdict == Verdict.ROLLOVER:
            digits = dial_digits(meter.previous_value, meter.display_digits)
            details["previous"] = format_amount(meter.previous_value, meter.unit)
            details["maximum"] = format_decimal(Decimal(10) ** digits - 1)
            response = (
                "utter_reading_rollover_for_meter" if with_title else "utter_reading_rollover"
            )
        else:
            response = (
                "utter_reading_implausible_for_meter" if with_title else "utter_reading_implausible"
            )
        dispatcher.utter_message(response=response, **details)

    async def _skip(
        self, meter: MeterFacts, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> SlotValues:
        """The meter is left out of this submission, with the meter-problem advice."""
        skipped = form_skipped(tracker) + [str(meter.meter_id)]
        entries = form_entries(tracker)
        dispatcher.utter_message(response="utter_meter_skipped", meter=facts_title(meter))
        dispatcher.utter_message(
            response="utter_meter_problem", contacts=await operator_contacts_line()
        )
        if not entries and not open_meters(form_meters(tracker), entries, skipped):
            dispatcher.utter_message(response="utter_all_meters_skipped")
        return {"reading_value": None, "reading_pending": None, "reading_skipped": skipped}

    async def _take_several(
        self,
        several,
        meters: List[MeterFacts],
        entries: Dict[str, str],
        skipped: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> SlotValues:
        """Each value of a message with several readings passes the checks of a value
        typed alone; what passes is entered, the rest is said and asked again."""
        entries, skipped = dict(entries), list(skipped)
        by_id = {m.meter_id: m for m in meters}
        taken: Dict[int, Decimal] = {}
        problems: List[str] = []
        to_confirm: List[Tuple[MeterFacts, Decimal, checks.Assessment]] = []
        for meter in meters:
            typed = several.values.get(meter.meter_id)
            if typed is None:
                continue
            try:
                reading, decimals = parse_reading(typed)
            except ReadingFormatError:
                await self._reject(tracker, checks.Rejection.NOT_A_NUMBER)
                problems.append(problem_line(meter, typed, checks.Rejection.NOT_A_NUMBER))
                continue
            assessment = checks.assess(meter, reading, decimals, self.settings.monthly_ceiling)
            if assessment.rejection is not None:
                await self._reject(tracker, assessment.rejection)
                problems.append(
                    problem_line(meter, typed, assessment.rejection, meter.previous_value)
                )
                continue
            # A value typed anew replaces what was entered or skipped before.
            entries.pop(str(meter.meter_id), None)
            if str(meter.meter_id) in skipped:
                skipped.remove(str(meter.meter_id))
            if assessment.verdict == Verdict.ACCEPTED:
                entries[str(meter.meter_id)] = str(reading)
                taken[meter.meter_id] = reading
            else:
                to_confirm.append((meter, reading, assessment))

        # One value can wait for «так» at a time: the one the form asks next.
        pending: Optional[str] = None
        remaining = open_meters(meters, entries, skipped)
        for meter, reading, assessment in to_confirm:
            if pending is None and remaining and remaining[0].meter_id == meter.meter_id:
                pending = str(reading)
                confirm = (meter, reading, assessment)
            else:
                if assessment.verdict == Verdict.IMPLAUSIBLE:
                    await self._reject(tracker, checks.Rejection.IMPLAUSIBLE)
                problems.append(
                    problem_line(meter, format_decimal(reading), checks.Rejection.IMPLAUSIBLE)
                )

        if taken:
            dispatcher.utter_message(
                response="utter_several_entered", readings=entered_lines(meters, taken)
            )
        if problems:
            dispatcher.utter_message(
                response="utter_several_not_entered", problems="\n".join(problems)
            )
        if several.unplaced:
            dispatcher.utter_message(
                response="utter_several_unplaced", numbers=numbers_list(several.unplaced)
            )
        if pending is not None:
            meter, reading, assessment = confirm
            if assessment.verdict == Verdict.IMPLAUSIBLE:
                await self._reject(tracker, checks.Rejection.IMPLAUSIBLE)
            self._ask_to_confirm(dispatcher, by_id[meter.meter_id], reading, assessment, True)
        return {"reading_entries": entries, "reading_skipped": skipped, "reading_pending": pending}

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
        meters = form_meters(tracker)
        if len(meters) > 1:
            return {"reading_save": False, "reading_change": None}  # which one: asked next
        # «я помилився, має бути 122,5»: the correction brings its value.
        lone = lone_reading(tracker.latest_message.get("text") or "", meters)
        if lone is not None:
            slots = await self._take_several(lone, meters, {}, [], dispatcher, tracker)
            return {"reading_save": None, **slots}
        dispatcher.utter_message(response="utter_enter_reading_again")
        return {"reading_save": None, "reading_entries": {}, "reading_skipped": []}

    async def extract_reading_change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if self.requested(tracker) != "reading_change":
            return {}
        if latest_intent(tracker) in INTERRUPTION_INTENTS:
            return {}  # answered by the rules; the question comes again
        if latest_intent(tracker) == "affirm":
            return {"reading_change": BACK_TO_SUMMARY}
        entity = next(tracker.get_latest_entity_values(METER_REF), None)
        return {"reading_change": entity or tracker.latest_message.get("text") or ""}

    async def validate_reading_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The meter picked at «Змінити» is asked again; the others keep their values."""
        if value == BACK_TO_SUMMARY:
            return {"reading_change": None, "reading_save": None}
        meters = await self._with_serials(form_meters(tracker))
        text = str(value)
        chosen = next((m for m in meters if str(m.meter_id) == text), None)
        if chosen is None:
            named = meter_named(text, meters)
            chosen = next((m for m in meters if m.meter_id == named), None)
        if chosen is None:
            dispatcher.utter_message(response="utter_choose_meter_by_button")
            return {"reading_change": None}
        entries = form_entries(tracker)
        entries.pop(str(chosen.meter_id), None)
        skipped = [s for s in form_skipped(tracker) if s != str(chosen.meter_id)]
        return {
            "reading_change": None,
            "reading_save": None,
            "reading_entries": entries,
            "reading_skipped": skipped,
            "reading_pending": None,
        }


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
            "position": meters.index(meter) + 1,
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


class AskReadingChange(Action):
    """«Змінити»: which meter, one button each (its id as an entity)."""

    def name(self) -> Text:
        return "action_ask_reading_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        buttons = [
            {"title": short_title(m), "payload": f'/inform{{"{METER_REF}":"{m.meter_id}"}}'}
            for m in form_meters(tracker)
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
            meters=summary_lines(
                form_meters(tracker), form_entries(tracker), form_skipped(tracker)
            ),
        )
        return []
