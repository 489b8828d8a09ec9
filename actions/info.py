"""Answers around the flow: deadline, tariffs, contacts, meter problems,
reminders, fallback and cancelling a form."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
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
from core.texts.common import (
    MENU_BUTTONS,
    days_word,
    format_date,
    format_decimal,
    format_period,
)
from core.texts.readings import closed_window_text


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
        left = window.days_left
        tail = "Сьогодні останній день!" if left == 0 else f"Залишилося {left} {days_word(left)}."
        dispatcher.utter_message(
            text=(
                f"Показники за {format_period(window.period)} приймаються до "
                f"{format_date(window.last)} включно. {tail}"
            )
        )
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
            dispatcher.utter_message(
                text=f"Тарифи зараз недоступні. Уточніть їх в абонентському відділі: {contacts.line()}."
            )
            return []
        lines = ["Чинні тарифи:"]
        for tariff in tariffs:
            note = f" ({tariff.note})" if tariff.note else ""
            lines.append(
                f"• {tariff.service}, {tariff.category}: {format_decimal(tariff.price_uah, 2)} грн "
                f"за {tariff.unit}, з {format_date(tariff.valid_from)}{note}"
            )
        dispatcher.utter_message(text="\n".join(lines))
        return []


class ShowContacts(Action):
    def name(self) -> Text:
        return "action_show_contacts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        contacts = await current_contacts()
        text = (
            "Абонентський відділ «Полтаватеплоенерго»:\n"
            f"телефон {contacts.phone}\nграфік: {contacts.hours}"
        )
        if contacts.email:
            text += f"\nел. пошта: {contacts.email}"
        dispatcher.utter_message(text=text)
        return []


class ExplainMeterProblem(Action):
    def name(self) -> Text:
        return "action_explain_meter_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        contacts = await current_contacts()
        dispatcher.utter_message(
            text=(
                "Якщо лічильник зламався, його замінили або настав час повірки:\n"
                "1. Не передавайте вигадані показники — повідомте абонентський відділ.\n"
                "2. Після заміни чи повірки принесіть або надішліть акт із новим номером "
                "лічильника та початковим показником.\n"
                "3. Коли новий лічильник з'явиться в базі, передавайте показники тут, як звично.\n"
                f"Контакти: {contacts.line()}."
            )
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
            dispatcher.utter_message(
                text=(
                    "Вибачте, я знову не зрозумів. Можливо, краще поговорити з працівником "
                    f"абонентського відділу: {contacts.line()}. Або оберіть дію в меню."
                ),
                buttons=MENU_BUTTONS,
            )
        elif latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(
                text="Вибачте, з цим я не допоможу: я приймаю показники лічильників тепла "
                "та гарячої води і відповідаю на запитання про них.",
                buttons=MENU_BUTTONS,
            )
        else:
            dispatcher.utter_message(
                text="Вибачте, я не зрозумів. Ось що я вмію:", buttons=MENU_BUTTONS
            )
        return []


class CancelForm(Action):
    """Leaves whatever form is active; nothing collected in it is stored."""

    def name(self) -> Text:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text="Скасовано, нічого не збережено. Чим ще допомогти?", buttons=MENU_BUTTONS
        )
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *cleared(tracker, *ALL_FORM_SLOTS),
        ]
