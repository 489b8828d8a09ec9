"""The start of a conversation session, as Rasa's default does it, plus an
answer when a user types `/session_start` themselves (Rasa's default is silent)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent


class StartSession(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        # Sessions start on their own before a user's first message (no intent
        # yet); a typed "/session_start" is the only way to see the intent here.
        if latest_intent(tracker) == "session_start":
            dispatcher.utter_message(response="utter_greet")
        return [SessionStarted(), ActionExecuted("action_listen")]
