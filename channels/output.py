"""What both messengers share when the assistant speaks: channel-qualified
recipients, the chat's reply keyboard, and no first message to a user who
may not be messaged."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.channels.channel import OutputChannel

from channels import storage
from channels.keyboards import Button, clean
from core.faults import log_failure
from core.senders import SenderKey, unqualify

logger = logging.getLogger(__name__)

# How a message treats the chat's keyboard.
INLINE = "inline"  # buttons for this message only (Telegram inline keyboard)
REPLY = "reply"  # buttons become the chat's keyboard
REMOVE = "remove"  # the chat's keyboard goes away
KEEP = "keep"  # the chat's keyboard stays as it is
UNKNOWN = "unknown"  # we do not know what the chat shows: leave it alone


class MessengerOutput(OutputChannel):
    """Base of the Telegram and Viber outputs.

    One instance serves one incoming message (`keyboard` is what the chat showed
    then); Rasa may keep it for a reminder, and anything sent outside the turn
    counts as messaging the user first.
    """

    channel = ""

    def __init__(self, keyboard: Optional[List[Button]] = None) -> None:
        self.keyboard = keyboard  # None: unknown
        self.sent = 0
        self.in_turn = False

    @classmethod
    def name(cls) -> str:
        return cls.channel

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.say(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.say(recipient_id, text, clean(buttons))

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        # Nothing in the domain sends custom payloads; never leak raw JSON to users.
        logger.warning("%s: custom payload not supported, dropped", self.channel)

    async def say(
        self,
        recipient_id: str,
        text: str,
        buttons: Sequence[Button] = (),
        keep_keyboard: bool = False,
    ) -> None:
        """Sends one assistant message; never raises on messenger errors."""
        user_id = unqualify(self.channel, recipient_id)
        if user_id is None:
            logger.error("%s: refused to send to a sender of another channel", self.channel)
            return
        sender = SenderKey(self.channel, recipient_id)
        if not self.in_turn and not await self.may_message_first(sender):
            logger.info("%s: user may not be messaged first; message dropped", self.channel)
            return
        mode = self._mode(list(buttons), keep_keyboard)
        delivered = await self.deliver(sender, user_id, text, mode, list(buttons))
        if delivered:
            self.sent += 1
            await self._remember(sender, mode, list(buttons))

    def _mode(self, buttons: List[Button], keep_keyboard: bool) -> str:
        if buttons:
            return INLINE if self.inline_ok(buttons) else REPLY
        if keep_keyboard:
            return KEEP
        if self.keyboard is None:
            return UNKNOWN
        return REMOVE if self.keyboard else KEEP

    async def _remember(self, sender: SenderKey, mode: str, buttons: List[Button]) -> None:
        shown = buttons if mode == REPLY else [] if mode == REMOVE else self.keyboard
        if shown is None or shown == self.keyboard:
            return
        try:
            await storage.save_keyboard(sender, shown)
            self.keyboard = shown
        except Exception as error:  # the message is out; a lost keyboard only costs NLU a guess
            log_failure(logger, f"{self.channel}: remembering the keyboard", error)

    def inline_ok(self, buttons: List[Button]) -> bool:
        """Whether these buttons go on the message itself rather than the chat."""
        return False

    async def may_message_first(self, sender: SenderKey) -> bool:
        raise NotImplementedError

    async def deliver(
        self, sender: SenderKey, user_id: str, text: str, mode: str, buttons: List[Button]
    ) -> bool:
        """Sends through the messenger API; True if the user got the message."""
        raise NotImplementedError
