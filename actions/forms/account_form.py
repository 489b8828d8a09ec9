"""Adding an account: the number, then the (masked) address to confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import sender_of
from actions.forms.base import AssistantFormValidation, SlotValues
from core.accounts.lookup import AccountView, lookup_account, refused_until
from core.accounts.numbers import (
    AccountNumberError,
    find_account_number,
    normalise_account_number,
)
from core.repository import accounts as accounts_repo
from core.settings import get_settings
from core.texts.common import format_time


def say_blocked(dispatcher: CollectingDispatcher, until: datetime) -> None:
    dispatcher.utter_message(response="utter_lookups_blocked", until=format_time(until))


def _account_view(session: Session, number: str) -> Optional[AccountView]:
    account = accounts_repo.find_account(session, number)
    return AccountView.of(account) if account is not None and account.active else None


class ValidateAccountForm(AssistantFormValidation):
    def name(self) -> Text:
        return "validate_account_form"

    async def extract_account_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        # "додай рахунок 0012345": take the number from the phrase that opened the form.
        if self.requested(tracker) is None and tracker.get_slot("account_number") is None:
            found = find_account_number(tracker.latest_message.get("text") or "")
            if found:
                return {"account_number": found}
        return {}

    async def validate_account_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        # A button or "/inform{...}" carries the number as an entity.
        value = next(tracker.get_latest_entity_values("account_number"), None) or value
        try:
            number = normalise_account_number(str(value))
        except AccountNumberError as error:
            dispatcher.utter_message(text=str(error))
            return {"account_number": None}

        sender, now, limit = (
            self.sender(tracker),
            self.now(),
            self.settings.lookup_limits,
        )
        result = await self.db(lambda s: lookup_account(s, sender, number, now, limit))
        if result.account is not None:
            return {"account_number": number, "address_confirmed": None}
        if result.blocked_until is not None:
            say_blocked(dispatcher, result.blocked_until)
            # Ends the form: nothing more may be looked up for now.
            return {"account_number": None, "requested_slot": None}
        dispatcher.utter_message(response="utter_account_not_found", number=number)
        return {"account_number": None}

    async def validate_address_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is True:
            return {"address_confirmed": True}
        dispatcher.utter_message(response="utter_number_mistyped")
        return {"account_number": None, "address_confirmed": None}


class AskAccountNumber(Action):
    """Asks for the number, unless the user has used up their failed lookups."""

    def name(self) -> Text:
        return "action_ask_account_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender, settings = sender_of(tracker), get_settings()
        now = settings.now()
        until = await AssistantFormValidation.db(
            lambda s: refused_until(s, sender, now, settings.lookup_limits)
        )
        if until is not None:
            say_blocked(dispatcher, until)
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(response="utter_enter_account_number")
        return []


class AskAddressConfirmed(Action):
    """Shows the found address, masked, with Yes / No buttons."""

    def name(self) -> Text:
        return "action_ask_address_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("account_number")
        view = await AssistantFormValidation.db(lambda s: _account_view(s, number))
        if view is None:  # closed between the two steps
            dispatcher.utter_message(response="utter_account_gone_enter_again")
            return [SlotSet("account_number", None)]
        dispatcher.utter_message(
            response="utter_confirm_address", number=number, address=view.masked_address
        )
        return []
