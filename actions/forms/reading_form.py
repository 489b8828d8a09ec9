"""Submitting readings: which account, then meter by meter, then the summary."""

from __future__ import annotations

from decimal import Decimal
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
from core.texts.common import (
    UNIT_LABELS,
    YES_NO_BUTTONS,
    format_decimal,
    format_period,
    meter_title,
)


def form_meters(tracker: Tracker) -> List[MeterFacts]:
    return [MeterFacts.from_slot(item) for item in tracker.get_slot("reading_meters") or []]


def form_entries(tracker: Tracker) -> Dict[str, str]:
    """Accepted values so far: meter id (as text, slots are JSON) -> value."""
    return dict(tracker.get_slot("reading_entries") or {})


def current_meter(tracker: Tracker) -> Optional[MeterFacts]:
    meters, entries = form_meters(tracker), form_entries(tracker)
    return meters[len(entries)] if len(entries) < len(meters) else None


def amount(value: Decimal, unit: str) -> str:
    return f"{format_decimal(value)} {UNIT_LABELS.get(unit, unit)}"


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
            dispatcher.utter_message(text="Оберіть, будь ласка, один із ваших рахунків кнопкою.")
            return {"reading_account": None}
        chosen, period, meters, submitted = loaded
        if not meters:
            dispatcher.utter_message(
                text=(
                    f"На рахунку {number} немає активних лічильників, тож показники передавати "
                    f"не потрібно. Якщо лічильник є, зверніться до абонентського відділу: "
                    f"{await operator_contacts_line()}."
                )
            )
            return {"reading_account": number, "reading_meters": []}
        intro = f"Рахунок {number}, {chosen.masked_address}. Лічильників: {len(meters)}."
        if submitted:
            intro += (
                f" За {format_period(period)} показники вже передано; нові значення замінять їх."
            )
        dispatcher.utter_message(text=intro)
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
            shown = (
                f"показує {meter.decimals} знак(и) після коми"
                if meter.decimals
                else "показує лише цілі числа"
            )
            dispatcher.utter_message(
                text=f"Цей лічильник {shown}, а у вашому числі {decimals}. "
                "Введіть показник так, як він на табло."
            )
        elif reason == checks.Rejection.LOWER_THAN_PREVIOUS:
            dispatcher.utter_message(
                text=(
                    f"Показник {amount(reading, meter.unit)} менший за попередній "
                    f"({amount(meter.previous_value, meter.unit)}). Перевірте цифри та введіть ще раз. "
                    "Якщо лічильник замінили, повідомте абонентський відділ: "
                    f"{await operator_contacts_line()}."
                )
            )
        if reason is not None:
            await self._reject(tracker, reason)
            return {"reading_value": None, "reading_pending": None}

        if checks.is_implausible(meter, reading, self.settings.monthly_ceiling):
            await self._reject(tracker, checks.Rejection.IMPLAUSIBLE)
            used = checks.consumption(meter, reading)
            dispatcher.utter_message(
                text=(
                    f"Споживання {amount(used, meter.unit)} за місяць незвично велике. "
                    f"Ви впевнені, що показник {amount(reading, meter.unit)} правильний?"
                )
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
            dispatcher.utter_message(text="Добре, введіть показник ще раз.")
        return slots

    async def validate_reading_save(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is True:
            return {"reading_save": True}
        dispatcher.utter_message(text="Добре, введемо показники ще раз, з першого лічильника.")
        return {"reading_save": None, "reading_entries": {}}


class AskReadingAccount(Action):
    def name(self) -> Text:
        return "action_ask_reading_account"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        await ask_for_account(tracker, dispatcher, "За яким рахунком передаєте показники?")
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
        lines = [
            f"Лічильник {len(form_entries(tracker)) + 1} з {len(meters)}: "
            + meter_title(meter.kind, meter.serial, meter.unit, meter.location)
        ]
        if meter.previous_value is not None:
            lines.append(
                f"Попередній показник: {amount(meter.previous_value, meter.unit)} "
                f"({format_period(meter.previous_period)})."
            )
        lines.append("Введіть поточний показник з табло лічильника.")
        dispatcher.utter_message(text="\n".join(lines))
        return []


class AskReadingHighConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_reading_high_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text="Підтвердіть показник: «Так» — зберегти його, «Ні» — ввести інший.",
            buttons=YES_NO_BUTTONS,
        )
        return []


class AskReadingSave(Action):
    """The summary with consumption per meter, and Save / Change."""

    def name(self) -> Text:
        return "action_ask_reading_save"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        entries = form_entries(tracker)
        lines = [f"Перевірте показники за рахунком {tracker.get_slot('reading_account')}:"]
        for meter in form_meters(tracker):
            value = Decimal(entries[str(meter.meter_id)])
            line = f"• {meter_title(meter.kind, meter.serial, meter.unit, meter.location)}: " + (
                amount(value, meter.unit)
            )
            used = checks.consumption(meter, value)
            if used is not None:
                line += f", спожито {amount(used, meter.unit)}"
            lines.append(line)
        lines.append("Зберегти?")
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": "Зберегти", "payload": "/affirm"},
                {"title": "Змінити", "payload": "/correct_reading"},
            ],
        )
        return []
