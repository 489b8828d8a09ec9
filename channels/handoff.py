"""The chat during a case: routed here before the assistant sees it.

Why in the channels and not Rasa's `ConversationPaused`: the case is a row in
the shared database, so both Rasa replicas, the console and the outbox sender
see the same state at once and a replica killed mid-case loses nothing; a
paused tracker would still have to hand each message to the case, and closing
from the console would have to reach a Rasa replica's API to resume it. The
REST channel (development only) is not routed: it talks to the assistant.
"""

from __future__ import annotations

import json
import logging
from typing import Any, List, Optional, Tuple

from rasa.core.channels.channel import UserMessage

from channels.output import MessengerOutput
from core.db.engine import run_unit_of_work
from core.handoff import cases
from core.handoff.hours import office_hours
from core.senders import SenderKey
from core.settings import get_settings
from core.texts import handoff as texts

logger = logging.getLogger(__name__)

_agent: Any = None
RETURN_BUTTON = {"title": texts.RETURN_TITLE, "payload": "/return"}


def remember_agent(agent: Any) -> None:
    """The Rasa agent of this process, for the conversation before a case."""
    global _agent
    _agent = agent


async def _history(sender_id: str) -> List[Tuple[str, str]]:
    """The latest turns of the assistant's conversation, oldest first."""
    store = getattr(_agent, "tracker_store", None)
    if store is None:
        return []
    try:
        tracker = await store.retrieve(sender_id)
    except Exception:  # the case opens anyway, without the history
        logger.exception("handoff: the conversation could not be read")
        return []
    turns: List[Tuple[str, str]] = []
    for event in getattr(tracker, "events", []) if tracker else []:
        name, text = getattr(event, "type_name", ""), getattr(event, "text", None)
        if name in ("user", "bot") and text and not text.startswith(texts.OFFER_COMMAND):
            turns.append(("consumer" if name == "user" else "assistant", text))
    return turns[-cases.HISTORY_TURNS :]


def _reason(text: str) -> str:
    try:
        return str(json.loads(text[len(texts.OFFER_COMMAND) :] or "{}").get("reason", "asked"))
    except (ValueError, AttributeError):
        return "asked"


def _attachment(text: str) -> Optional[str]:
    from channels.attachments import ENTITY, INTENT  # late: attachments imports turns

    if not text.startswith("/" + INTENT):
        return None
    try:
        return str(json.loads(text[len(INTENT) + 1 :]).get(ENTITY))
    except (ValueError, AttributeError):
        return None


async def route(message: UserMessage, output: MessengerOutput) -> bool:
    """Handles the message if it opens a case or belongs to one; False: the assistant's."""
    text = (message.text or "").strip()
    sender = SenderKey(output.channel, message.sender_id)
    now = get_settings().now()
    if text.startswith(texts.OFFER_COMMAND):
        history = await _history(message.sender_id)
        case, new = await run_unit_of_work(
            lambda s: cases.open_case(s, sender, _reason(text), history, now)
        )
        hours = office_hours()
        reply = (
            texts.opened_text(case.id, hours.is_open(now), hours.next_opening(now))
            if new
            else texts.already_open_text(case.id)
        )
        await output.say(message.sender_id, reply, [RETURN_BUTTON])
        return True

    def consumer_turn(session) -> Optional[Tuple[int, str]]:
        case = cases.open_case_of(session, sender)
        if case is None:
            return None
        if text.casefold() in texts.RETURN_WORDS:
            cases.consumer_left(session, case, now)
            return case.id, "left"
        token = _attachment(text)
        first = cases.consumer_wrote(session, case, "" if token else text, token, now)
        return case.id, "first" if first else "more"

    outcome = await run_unit_of_work(consumer_turn)
    if outcome is None:
        return False
    case_id, what = outcome
    if what == "left":
        await output.say(message.sender_id, texts.left_text(case_id))
    elif what == "first":
        await output.say(message.sender_id, texts.received_text(), [RETURN_BUTTON])
    return True
