"""«Видаліть мої дані»: after the confirmation, everything the assistant keeps
about this messenger user goes (see `core.privacy`)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import sender_of
from core.db.engine import run_unit_of_work
from core.privacy import forget_sender
from core.settings import get_settings
from core.texts.privacy import forgotten_text


class ForgetMe(Action):
    def name(self) -> Text:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender, now = sender_of(tracker), get_settings().now()
        forgotten = await run_unit_of_work(lambda session: forget_sender(session, sender, now))
        dispatcher.utter_message(text=forgotten_text(forgotten))
        # The conversation so far is dropped from memory now, from the store by the next purge.
        return [Restarted()]
