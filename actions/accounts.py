"""Actions around the user's accounts: link after confirmation, list, remove."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import sender_of
from actions.slots import ACCOUNT_FORM_SLOTS, REMOVE_FORM_SLOTS, ROUTE_SLOT, cleared
from core.accounts.lookup import AccountView, linked_account_views
from core.db.engine import run_unit_of_work
from core.outbox import holders
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from core.settings import get_settings
from core.texts.common import (
    MENU_BUTTONS,
    UNIT_LABELS,
    format_date,
    format_decimal,
    meter_title,
)
from core.texts.outbox import LINK_BARRED_TEXT


def _meter_lines(session: Session, account_id: int) -> List[str]:
    lines = []
    for meter in accounts_repo.active_meters(session, account_id):
        line = "• " + meter_title(meter.kind.value, meter.serial, meter.unit, meter.location)
        last = readings_repo.last_reading(session, meter.id)
        if last is not None:
            line += (
                f"\n  останній показник: {format_decimal(last.value)} "
                f"{UNIT_LABELS.get(meter.unit, meter.unit)} від {format_date(last.submitted_at.date())}"
            )
        else:
            line += "\n  показників ще немає"
        lines.append(line)
    return lines


BARRED = ("barred",)  # a holder of the account said «Це не я» about this user


class LinkAccount(Action):
    """Runs after the account form: links the confirmed account and shows its meters."""

    def name(self) -> Text:
        return "action_link_account"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("account_number")
        if not number or tracker.get_slot("address_confirmed") is not True:
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        sender, now = sender_of(tracker), get_settings().now()

        def link(session: Session) -> Optional[tuple]:
            account = accounts_repo.find_account(session, number)
            if account is None or not account.active:
                return None
            if holders.is_barred(session, sender, account.id):
                return BARRED
            added = accounts_repo.link_account(session, sender, account, now)
            if added:  # the other holders learn that someone linked it (never who)
                holders.notify_link(session, sender, account, now)
            return added, AccountView.of(account), _meter_lines(session, account.id)

        outcome = await run_unit_of_work(link)
        if outcome is None:
            dispatcher.utter_message(text="Рахунок не знайдено. Спробуйте додати його ще раз.")
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        if outcome is BARRED:
            dispatcher.utter_message(text=LINK_BARRED_TEXT, buttons=MENU_BUTTONS)
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        added, view, meter_lines = outcome
        head = "Рахунок додано" if added else "Цей рахунок уже був доданий"
        text = f"{head}: {view.number}, {view.masked_address}."
        if meter_lines:
            text += "\nЛічильники:\n" + "\n".join(meter_lines)
            text += "\n\nПередати показники зараз?"
            buttons = [
                {"title": "Передати показники", "payload": "/submit_reading"},
                {"title": "Пізніше", "payload": "/goodbye"},
            ]
        else:
            text += "\nЛічильників на цьому рахунку немає, передавати показники не потрібно."
            buttons = MENU_BUTTONS
        dispatcher.utter_message(text=text, buttons=buttons)
        return cleared(tracker, *ACCOUNT_FORM_SLOTS)


class ListAccounts(Action):
    def name(self) -> Text:
        return "action_list_accounts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender = sender_of(tracker)
        accounts = await run_unit_of_work(lambda s: linked_account_views(s, sender))
        if not accounts:
            dispatcher.utter_message(
                text="У вас ще немає доданих рахунків.",
                buttons=[{"title": "Додати особовий рахунок", "payload": "/add_account"}],
            )
            return []
        lines = ["Ваші рахунки:"] + [f"• {a.number}, {a.masked_address}" for a in accounts]
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": "Передати показники", "payload": "/submit_reading"},
                {"title": "Додати ще рахунок", "payload": "/add_account"},
                {"title": "Прибрати рахунок", "payload": "/remove_account"},
            ],
        )
        return []


def _count_linked(session: Session, sender: SenderKey) -> int:
    return len(accounts_repo.linked_accounts(session, sender))


class PrepareRemoval(Action):
    """Routes "remove an account": to the form, or says there is nothing to remove."""

    def name(self) -> Text:
        return "action_prepare_removal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender = sender_of(tracker)
        if await run_unit_of_work(lambda s: _count_linked(s, sender)) == 0:
            dispatcher.utter_message(text="У вас немає доданих рахунків, прибирати нічого.")
            return [SlotSet(ROUTE_SLOT, "no_accounts")]
        return [SlotSet(ROUTE_SLOT, "ready")]


class UnlinkAccount(Action):
    def name(self) -> Text:
        return "action_unlink_account"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("remove_account_choice")
        if not number or tracker.get_slot("remove_confirmed") is not True:
            dispatcher.utter_message(text="Добре, рахунок залишається.", buttons=MENU_BUTTONS)
            return cleared(tracker, *REMOVE_FORM_SLOTS)
        sender = sender_of(tracker)

        def unlink(session: Session) -> bool:
            account = accounts_repo.find_account(session, number)
            return account is not None and accounts_repo.unlink_account(session, sender, account.id)

        if await run_unit_of_work(unlink):
            dispatcher.utter_message(
                text=f"Рахунок {number} прибрано з цього чату.", buttons=MENU_BUTTONS
            )
        else:
            dispatcher.utter_message(text="Цей рахунок уже не доданий.", buttons=MENU_BUTTONS)
        return cleared(tracker, *REMOVE_FORM_SLOTS)
