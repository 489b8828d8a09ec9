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
from core.accounts.ownership import may_link
from core.db.engine import run_unit_of_work
from core.outbox import holders
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from core.settings import get_settings
from core.texts.accounts import account_lines, meter_statuses
from core.texts.menu import menu_buttons
from core.texts.outbox import LINK_BARRED_TEXT, LINK_SUSPENDED_TEXT


def _meter_statuses(session: Session, account_id: int) -> str:
    meters = accounts_repo.active_meters(session, account_id)
    return meter_statuses(
        (meter, readings_repo.last_reading(session, meter.id)) for meter in meters
    )


BARRED = ("barred",)  # staff barred this user from the account after «Це не я»
SUSPENDED = ("suspended",)  # the link waits for staff (a «Це не я» report)
UNPROVED = ("unproved",)  # no fresh proof: a forged or a stale conversation


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
            if accounts_repo.is_suspended(session, sender, account.id):
                return SUSPENDED
            if not may_link(session, sender, account.id, now):
                return UNPROVED
            accounts_repo.lock_account(session, account.id)
            waits = holders.link_waits_for_staff(session, account.id)
            state = accounts_repo.link_account(session, sender, account, now, suspended=waits)
            if state != accounts_repo.HELD_BEFORE:
                # The other holders learn that someone linked it, or proved a link
                # made before proofs existed (never who).
                holders.notify_link(session, sender, account, now)
            if waits:
                return SUSPENDED
            added = state == accounts_repo.LINKED
            return added, AccountView.of(account), _meter_statuses(session, account.id)

        outcome = await run_unit_of_work(link)
        if outcome is None:
            dispatcher.utter_message(response="utter_account_gone_add_again")
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        if outcome is UNPROVED:
            dispatcher.utter_message(response="utter_proof_expired", buttons=menu_buttons())
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        if outcome is BARRED:
            dispatcher.utter_message(text=LINK_BARRED_TEXT, buttons=menu_buttons())
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        if outcome is SUSPENDED:
            dispatcher.utter_message(text=LINK_SUSPENDED_TEXT, buttons=menu_buttons())
            return cleared(tracker, *ACCOUNT_FORM_SLOTS)
        added, view, meters = outcome
        if meters:
            response = "utter_account_linked" if added else "utter_account_linked_before"
        elif added:
            response = "utter_account_linked_no_meters"
        else:
            response = "utter_account_linked_before_no_meters"
        dispatcher.utter_message(
            response=response, number=view.number, address=view.masked_address, meters=meters
        )
        return cleared(tracker, *ACCOUNT_FORM_SLOTS)


class ListAccounts(Action):
    def name(self) -> Text:
        return "action_list_accounts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender = sender_of(tracker)
        accounts, unproved = await run_unit_of_work(
            lambda s: (linked_account_views(s, sender), accounts_repo.has_unproved_links(s, sender))
        )
        if unproved:
            dispatcher.utter_message(response="utter_prove_accounts_again")
        if not accounts:
            dispatcher.utter_message(response="utter_no_accounts")
            return []
        dispatcher.utter_message(response="utter_accounts", accounts=account_lines(accounts))
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
            dispatcher.utter_message(response="utter_nothing_to_remove")
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
            dispatcher.utter_message(response="utter_account_kept")
            return cleared(tracker, *REMOVE_FORM_SLOTS)
        sender = sender_of(tracker)

        def unlink(session: Session) -> bool:
            account = accounts_repo.find_account(session, number)
            return account is not None and accounts_repo.unlink_account(session, sender, account.id)

        if await run_unit_of_work(unlink):
            dispatcher.utter_message(response="utter_account_removed", number=number)
        else:
            dispatcher.utter_message(response="utter_account_not_linked")
        return cleared(tracker, *REMOVE_FORM_SLOTS)
