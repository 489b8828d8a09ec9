"""A photo or document the channel has kept (`channels.attachments`): noted
with what the conversation is about and acknowledged; at a reading prompt the
form then asks for the number again (there is no OCR)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.conversation import sender_of
from actions.forms.reading_slots import draft_of
from core.attachments import note_context
from core.db.engine import run_unit_of_work
from core.texts.attachments import NOT_YOURS, received_text

TOKEN_ENTITY = "attachment_token"


def _token(tracker: Tracker) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == TOKEN_ENTITY and entity.get("value"):
            return str(entity["value"])
    return None


def _meter_asked(tracker: Tracker) -> Optional[int]:
    """The meter whose reading the form is asking for, if it is asking one."""
    if (tracker.active_loop or {}).get("name") != "reading_form":
        return None
    if tracker.get_slot(REQUESTED_SLOT) != "reading_value":
        return None
    meter = draft_of(tracker).current
    return None if meter is None else meter.meter_id


class AttachmentReceived(Action):
    def name(self) -> Text:
        return "action_attachment_received"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        token, sender = _token(tracker), sender_of(tracker)
        meter_id = _meter_asked(tracker)
        account = tracker.get_slot("reading_account")
        noted = (
            await run_unit_of_work(lambda s: note_context(s, token, sender, account, meter_id))
            if token
            else None
        )
        if noted is None:
            dispatcher.utter_message(text=NOT_YOURS)
            return []
        dispatcher.utter_message(
            text=received_text(noted.content_type, noted.account_number, meter_id is not None)
        )
        return []
