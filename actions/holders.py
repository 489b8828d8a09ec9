"""Actions behind the buttons of what the assistant sends first to account holders:
«Це не я» on a notice about a newcomer, and «Не надсилати підтверджень» on a receipt."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import sender_of
from core.db.engine import run_unit_of_work
from core.outbox import holders
from core.settings import get_settings
from core.texts.menu import menu_buttons
from core.texts.outbox import (
    NOT_ME_EXPIRED_TEXT,
    NOT_ME_GONE_TEXT,
    NOT_ME_NOT_HOLDER_TEXT,
    NOT_ME_UNKNOWN_TEXT,
    disowned_text,
)

REFUSALS = {
    holders.DisownStatus.EXPIRED: NOT_ME_EXPIRED_TEXT,
    holders.DisownStatus.NOT_HOLDER: NOT_ME_NOT_HOLDER_TEXT,
    holders.DisownStatus.GONE: NOT_ME_GONE_TEXT,
}

LINK_REF = "link_ref"


def _link_ref(tracker: Tracker) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == LINK_REF and entity.get("value"):
            return str(entity["value"])
    return None


class DisownNewcomer(Action):
    """«Це не я»: only the holder the notice went to can use its reference, and only
    while they hold the account, hold it longer than the newcomer, for 7 days."""

    def name(self) -> Text:
        return "action_not_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        token, sender, now = _link_ref(tracker), sender_of(tracker), get_settings().now()
        outcome = (
            await run_unit_of_work(lambda s: holders.disown(s, sender, token, now))
            if token
            else None
        )
        if outcome is None:
            dispatcher.utter_message(text=NOT_ME_UNKNOWN_TEXT, buttons=menu_buttons())
        elif outcome.status in REFUSALS:
            dispatcher.utter_message(text=REFUSALS[outcome.status], buttons=menu_buttons())
        else:
            dispatcher.utter_message(text=disowned_text(outcome.account_number, outcome.already))
        return []


class ReceiptsOff(Action):
    def name(self) -> Text:
        return "action_receipts_off"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender, now = sender_of(tracker), get_settings().now()
        dispatcher.utter_message(
            text=await run_unit_of_work(lambda s: holders.receipts_off(s, sender, now))
        )
        return []
