"""One user message through the assistant, with the guarantees the messengers
need: a failure or silence becomes a polite "try again", never nothing."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from channels import handoff
from channels.output import MessengerOutput
from channels.text import TOO_LONG, TRY_AGAIN
from core.faults import log_failure

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Nothing a consumer needs to say takes more; longer texts are answered
# without being parsed (understanding and number parsing grow with length).
MAX_MESSAGE_CHARS = 1000


async def run_turn(
    on_new_message: OnNewMessage, message: UserMessage, output: MessengerOutput
) -> None:
    """Hands `message` to Rasa; apologises if the assistant failed or said nothing."""
    if message.text and len(message.text) > MAX_MESSAGE_CHARS:
        logger.info(
            "%s: message %s over %d characters answered unread",
            output.channel,
            message.message_id,
            MAX_MESSAGE_CHARS,
        )
        await answer(output, message.sender_id, TOO_LONG)
        return
    before = output.sent
    output.in_turn = True
    try:
        try:
            if await handoff.route(message, output):
                return  # a case's message: the clerk answers, not the assistant
            await on_new_message(message)
            failed = False
        except Exception as error:
            log_failure(
                logger, f"{output.channel}: the turn of message {message.message_id}", error
            )
            failed = True
        if not failed and output.sent == before:
            # Rasa logs and swallows action-server failures; silence is how they show.
            logger.error("%s: no answer to message %s", output.channel, message.message_id)
        if failed or output.sent == before:
            await output.say(message.sender_id, TRY_AGAIN, keep_keyboard=True)
    finally:
        output.in_turn = False


async def answer(output: MessengerOutput, sender_id: str, text: str) -> None:
    """Replies without Rasa (non-text messages), leaving the chat's keyboard as it is."""
    output.in_turn = True
    try:
        await output.say(sender_id, text, keep_keyboard=True)
    finally:
        output.in_turn = False
