"""The common base of every form validation in the assistant."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import sender_of
from core.accounts.lookup import linked_account_views
from core.db.engine import run_unit_of_work
from core.senders import SenderKey
from core.settings import Settings, get_settings
from core.texts.accounts import account_label

T = TypeVar("T")
SlotValues = Dict[str, Any]


class AssistantFormValidation(FormValidationAction, ABC):
    """Gives subclasses the sender, the clock, settings and a database unit of work.

    Subclasses implement `validate_<slot>` and `extract_<slot>` methods as
    rasa-sdk defines them; each returns the slots to set, `None` values making
    the form ask again.
    """

    @abstractmethod
    def name(self) -> Text:
        """The validation action's name: `validate_<form name>`."""

    @property
    def settings(self) -> Settings:
        return get_settings()

    def now(self) -> datetime:
        return self.settings.now()

    @staticmethod
    def sender(tracker: Tracker) -> SenderKey:
        return sender_of(tracker)

    @staticmethod
    async def db(work: Callable[[Session], T]) -> T:
        return await run_unit_of_work(work)

    @staticmethod
    def requested(tracker: Tracker) -> Optional[str]:
        return tracker.get_slot(REQUESTED_SLOT)

    async def extract_account_choice(self, tracker: Tracker, slot: str) -> SlotValues:
        """Fills `slot` with the account the user picked (button entity or typed
        number), or, when the form starts and the user has one account, with it."""
        if tracker.get_slot(slot):
            return {}
        requested = self.requested(tracker)
        if requested == slot:
            entity = next(tracker.get_latest_entity_values("account_number"), None)
            return {slot: entity or tracker.latest_message.get("text")}
        if requested is None:
            sender = self.sender(tracker)
            accounts = await self.db(lambda s: linked_account_views(s, sender))
            if len(accounts) == 1:
                return {slot: accounts[0].number}
        return {}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """As rasa-sdk's, but a `validate_<slot>` returning `REQUESTED_SLOT: None` ends the form."""
        events = await super().run(dispatcher, tracker, domain)
        ended = any(_is_requested_slot(event) and event["value"] is None for event in events[:-1])
        if ended:
            events = [e for e in events if not _is_requested_slot(e)] + [
                SlotSet(REQUESTED_SLOT, None)
            ]
        return events

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always names the next slot (rasa-sdk leaves it to Rasa when
        `required_slots` happens to equal the domain's list, which would make
        a dynamic form behave differently depending on its state).

        """
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (name for name in required if tracker.slots.get(name) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))


def _is_requested_slot(event: EventType) -> bool:
    return event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT


async def ask_for_account(
    tracker: Tracker, dispatcher: CollectingDispatcher, question: str
) -> None:
    """Asks which of the user's accounts with the response `question`, one button
    each (the number as an entity)."""
    sender = sender_of(tracker)
    accounts = await run_unit_of_work(lambda s: linked_account_views(s, sender))
    buttons = [
        {
            "title": account_label(account),
            "payload": f'/inform{{"account_number":"{account.number}"}}',
        }
        for account in accounts
    ]
    dispatcher.utter_message(response=question, buttons=buttons)
