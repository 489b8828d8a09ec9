"""Slot names the actions share: each form's slots, so every exit path clears the
same set, and the routing slot the rules branch on."""

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

# Where a flow goes next ("closed", "no_accounts", "ready"); rules branch on it.
ROUTE_SLOT = "flow_route"
ACCOUNT_FORM_SLOTS = ("account_number", "ownership_proof", "address_confirmed")
READING_FORM_SLOTS = (
    "reading_account",
    "reading_value",
    "reading_meters",
    "reading_entries",
    "reading_pending",
    "reading_high_confirmed",
    "reading_save",
    "reading_skipped",
    "reading_change",
    "reading_carry",
)
# Questions that may interrupt a form (domain.yml's `&interruptions`): answered by
# data/rules/interruptions.yml, never taken as the answer to the form's question.
INTERRUPTION_INTENTS = (
    "ask_deadline",
    "help",
    "contact_operator",
    "ask_tariff",
    "meter_problem",
    "bot_challenge",
    "cancel",
)
REMOVE_FORM_SLOTS = ("remove_account_choice", "remove_confirmed")
ALL_FORM_SLOTS = ACCOUNT_FORM_SLOTS + READING_FORM_SLOTS + REMOVE_FORM_SLOTS


def cleared(tracker: Tracker, *slot_names: str) -> List[EventType]:
    """Resets the slots that hold a value; resetting empty ones would only grow
    the conversation that Rasa stores and re-reads on every turn."""
    return [SlotSet(name, None) for name in slot_names if tracker.get_slot(name) is not None]
