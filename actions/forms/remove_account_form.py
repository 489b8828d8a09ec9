"""Removing an account from the chat: which one, then an explicit confirmation."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms.base import AssistantFormValidation, SlotValues, ask_for_account
from core.accounts.lookup import linked_account_views
from core.accounts.numbers import AccountNumberError, normalise_account_number


class ValidateRemoveAccountForm(AssistantFormValidation):
    def name(self) -> Text:
        return "validate_remove_account_form"

    async def extract_remove_account_choice(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self.extract_account_choice(tracker, "remove_account_choice")

    async def validate_remove_account_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        sender = self.sender(tracker)
        accounts = await self.db(lambda s: linked_account_views(s, sender))
        try:
            number = normalise_account_number(str(value))
        except AccountNumberError:
            number = ""
        if not any(a.number == number for a in accounts):
            dispatcher.utter_message(response="utter_choose_account_to_remove_by_button")
            return {"remove_account_choice": None}
        return {"remove_account_choice": number}

    async def validate_remove_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return {"remove_confirmed": value is True}


class AskRemoveAccountChoice(Action):
    def name(self) -> Text:
        return "action_ask_remove_account_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        await ask_for_account(tracker, dispatcher, "utter_choose_account_to_remove")
        return []


class AskRemoveConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_remove_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("remove_account_choice")
        dispatcher.utter_message(response="utter_confirm_removal", number=number)
        return []
