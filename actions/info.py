"""Answers around the flow: deadline, tariffs, contacts, meter problems,
reminders, fallback and cancelling a form."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent, sender_of
from actions.slots import ALL_FORM_SLOTS, cleared
from core.contacts import current_contacts
from core.db.engine import run_unit_of_work
from core.db.models import EventKind
from core.outbox.reminders import reminders_reply
from core.readings.window import current_window
from core.repository import events as events_repo
from core.repository import settings as settings_repo
from core.settings import get_settings
from core.texts.common import days_left, format_date, format_period
from core.texts.handoff import offer_button
from core.texts.info import tariff_lines
from core.texts.readings import closed_window_text, window_text


class AnswerDeadline(Action):
    def name(self) -> Text:
        return "action_answer_deadline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        window = await current_window()
        if not window.is_open:
            dispatcher.utter_message(text=closed_window_text(window))
            return []
        variables = {"period": format_period(window.period), "last_day": format_date(window.last)}
        if window.days_left == 0:
            dispatcher.utter_message(response="utter_deadline_last_day", **variables)
        else:
            dispatcher.utter_message(
                response="utter_deadline_days_left",
                days_left=days_left(window.days_left).capitalize(),
                **variables,
            )
        return []


class ShowHelp(Action):
    """What the assistant can do, with this month's real window and days left."""

    def name(self) -> Text:
        return "action_show_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        window = await current_window()
        dispatcher.utter_message(response="utter_help", window=window_text(window))
        return []


class ShowTariffs(Action):
    def name(self) -> Text:
        return "action_show_tariffs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        today = get_settings().now().date()
        tariffs = await run_unit_of_work(lambda s: settings_repo.current_tariffs(s, today))
        if not tariffs:
            contacts = await current_contacts()
            dispatcher.utter_message(response="utter_tariffs_unavailable", contacts=contacts.line())
            return []
        dispatcher.utter_message(response="utter_tariffs", tariffs=tariff_lines(tariffs))
        return []


class ShowContacts(Action):
    def name(self) -> Text:
        return "action_show_contacts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        contacts = await current_contacts()
        if contacts.email:
            dispatcher.utter_message(
                response="utter_contacts_with_email",
                phone=contacts.phone,
                hours=contacts.hours,
                email=contacts.email,
                buttons=[offer_button("asked")],
            )
        else:
            dispatcher.utter_message(
                response="utter_contacts",
                phone=contacts.phone,
                hours=contacts.hours,
                buttons=[offer_button("asked")],
            )
        return []


class ExplainMeterProblem(Action):
    def name(self) -> Text:
        return "action_explain_meter_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        contacts = await current_contacts()
        dispatcher.utter_message(
            response="utter_meter_problem",
            contacts=contacts.line(),
            buttons=[offer_button("meter")],
        )
        return []


class SetReminders(Action):
    """Turns the monthly reminder on or off for this messenger user."""

    def name(self) -> Text:
        return "action_set_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        enable = latest_intent(tracker) == "reminders_on"
        sender, now = sender_of(tracker), get_settings().now()
        # The reply says when the next reminder really comes (core.outbox.reminders).
        reply = await run_unit_of_work(lambda s: reminders_reply(s, sender, enable, now))
        dispatcher.utter_message(text=reply)
        return []


NOT_UNDERSTOOD = ("nlu_fallback", "out_of_scope")


def _trailing_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood or off-topic."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") not in NOT_UNDERSTOOD:
            break
        count += 1
    return count


class Fallback(Action):
    """Not understood or off-topic: a polite answer with the menu; twice in a row,
    the operator's contacts too."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        channel, now = sender_of(tracker).channel, get_settings().now()
        reason = latest_intent(tracker) or ""
        await run_unit_of_work(
            lambda s: events_repo.record_event(s, EventKind.fallback, reason, channel, now)
        )
        if _trailing_fallbacks(tracker) >= 2:
            contacts = await current_contacts()
            # A person may understand: «Написати працівнику» opens a case (channels.handoff).
            dispatcher.utter_message(
                response="utter_not_understood_again",
                contacts=contacts.line(),
                buttons=[offer_button("misunderstood")],
            )
        elif latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(response="utter_not_understood")
        return []


class CancelForm(Action):
    """Leaves whatever form is active; nothing collected in it is stored."""

    def name(self) -> Text:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_cancelled")
        return [
            ActiveLoop(None),
            SlotSet(REQUESTED_SLOT, None),
            *cleared(tracker, *ALL_FORM_SLOTS),
        ]
