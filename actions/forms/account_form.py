"""Adding an account: the number, the proof that the user holds it (a Telegram
phone or the last digits of a meter's serial, see `core.accounts.ownership`),
then the masked address to confirm. Nothing about the account is shown before
the proof. The channels take the answer where it arrives and hand the form a
placeholder (`core.accounts.challenge`); the slot never holds what was typed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import sender_of
from actions.forms.base import AssistantFormValidation, SlotValues
from core.accounts import challenge
from core.accounts.lookup import AccountView, lookup_account, refused_until
from core.accounts.numbers import (
    AccountNumberError,
    find_account_number,
    normalise_account_number,
)
from core.accounts.ownership import (
    ProofOutcome,
    ProofResult,
    ProofStatus,
    check_proof,
    is_locked,
    may_link,
    phone_proves,
    proof_status,
)
from core.contacts import operator_contacts_line
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.settings import get_settings
from core.texts.accounts import PROOF_PHONE_ONLY_TEXT, PROOF_PHONE_TEXT, SHARE_PHONE_BUTTON
from core.texts.common import format_time
from core.texts.outbox import moment


def say_blocked(dispatcher: CollectingDispatcher, until: datetime) -> None:
    # A limit of days (the weekly cap, 30 days per account) ends on another date.
    shown = format_time(until) if until.date() == get_settings().now().date() else moment(until)
    dispatcher.utter_message(response="utter_lookups_blocked", until=shown)


# The ownership_proof slot once the user has proved the account (or held it):
# never the digits they typed.
PROVED = "proved"


async def say_unavailable(
    dispatcher: CollectingDispatcher, number: str, status: ProofStatus
) -> None:
    """An account the chat cannot open: without a provable meter, or locked."""
    if status is ProofStatus.GONE:
        dispatcher.utter_message(response="utter_account_gone_enter_again")
        return
    response = "utter_proofs_locked" if status is ProofStatus.LOCKED else "utter_account_unprovable"
    dispatcher.utter_message(
        response=response, number=number, contacts=await operator_contacts_line()
    )


def _proved_view(
    session: Session, sender: SenderKey, number: str, now: datetime
) -> Optional[AccountView]:
    """The account, only if it is active and the user holds it or has just proved it."""
    account = accounts_repo.find_account(session, number)
    if account is None or not account.active or not may_link(session, sender, account.id, now):
        return None
    return AccountView.of(account)


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
            status = await self.db(lambda s: proof_status(s, sender, number))
            if status is ProofStatus.HELD:
                return {
                    "account_number": number,
                    "ownership_proof": PROVED,
                    "address_confirmed": None,
                }
            if status is ProofStatus.NEEDED:
                return {
                    "account_number": number,
                    "ownership_proof": None,
                    "address_confirmed": None,
                }
            await say_unavailable(dispatcher, number, status)
            return {"account_number": None}
        if result.blocked_until is not None:
            say_blocked(dispatcher, result.blocked_until)
            # Ends the form: nothing more may be looked up for now.
            return {"account_number": None, REQUESTED_SLOT: None}
        dispatcher.utter_message(response="utter_account_not_found", number=number)
        return {"account_number": None}

    async def validate_ownership_proof(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        number = tracker.get_slot("account_number")
        sender, now, limits = self.sender(tracker), self.now(), self.settings.lookup_limits

        def check(session: Session) -> ProofResult:
            if str(value) == challenge.PLACEHOLDER:  # the channel took the answer
                kept = challenge.take_outcome(session, sender, number)
                result = kept or ProofResult(ProofOutcome.MALFORMED)
            else:  # a channel that does not take answers: checked here
                result = check_proof(session, sender, number, str(value), now, limits)
            challenge.close_challenge(session, sender)  # the form asks again if it must
            return result

        result = await self.db(check)
        outcome = result.outcome
        if outcome is ProofOutcome.PROVED:
            return {"ownership_proof": PROVED}
        if outcome is ProofOutcome.MALFORMED:
            dispatcher.utter_message(response="utter_proof_format")
            return {"ownership_proof": None}
        if outcome is ProofOutcome.WRONG:
            dispatcher.utter_message(response="utter_proof_wrong")
        if outcome is ProofOutcome.WRONG and result.blocked_until is None:
            return {"ownership_proof": None}
        if outcome in (ProofOutcome.WRONG, ProofOutcome.BLOCKED):
            # No tries left for now (for this account, or at all): say until when
            # and end the form.
            say_blocked(dispatcher, result.blocked_until)
            return {"account_number": None, "ownership_proof": None, REQUESTED_SLOT: None}
        await say_unavailable(dispatcher, number, ProofStatus(outcome.value))
        return {"account_number": None, "ownership_proof": None}

    async def validate_address_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is True:
            return {"address_confirmed": True}
        dispatcher.utter_message(response="utter_number_mistyped")
        return {"account_number": None, "ownership_proof": None, "address_confirmed": None}


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
            return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        dispatcher.utter_message(response="utter_enter_account_number")
        return []


class AskOwnershipProof(Action):
    """Asks for the proof and opens the challenge the channels answer: «Поділитися
    номером» where the account has a phone and the messenger vouches for contacts,
    the serial's digits otherwise (or both)."""

    def name(self) -> Text:
        return "action_ask_ownership_proof"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number, sender = tracker.get_slot("account_number"), sender_of(tracker)
        now = get_settings().now()

        def ask(session: Session) -> Optional[tuple]:
            account = accounts_repo.find_account(session, number)
            if account is None or not account.active:
                return None
            challenge.open_challenge(session, sender, account.id, now)
            return phone_proves(sender, account), is_locked(session, account.id)

        found = await AssistantFormValidation.db(ask)
        if found is None:
            dispatcher.utter_message(response="utter_account_gone_enter_again")
            return [SlotSet("account_number", None)]
        by_phone, locked = found
        if not by_phone:
            dispatcher.utter_message(response="utter_ask_ownership_proof")
        else:
            text = PROOF_PHONE_ONLY_TEXT if locked else PROOF_PHONE_TEXT
            dispatcher.utter_message(text=text, buttons=[SHARE_PHONE_BUTTON])
        return []


class AskAddressConfirmed(Action):
    """Shows the found address, masked, with Yes / No buttons, once the account is proved."""

    def name(self) -> Text:
        return "action_ask_address_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number, sender = tracker.get_slot("account_number"), sender_of(tracker)
        now = get_settings().now()
        view = await AssistantFormValidation.db(lambda s: _proved_view(s, sender, number, now))
        if view is None:  # closed between the steps, or the proof is too old
            dispatcher.utter_message(response="utter_account_gone_enter_again")
            return [SlotSet("account_number", None), SlotSet("ownership_proof", None)]
        dispatcher.utter_message(
            response="utter_confirm_address", number=number, address=view.masked_address
        )
        return []
