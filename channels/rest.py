"""Rasa's REST channel, for `make run`, scripts and tests (credentials.yml), with
the proof answer taken before Rasa sees it like in Telegram and Viber. REST
cannot share contacts: its users prove accounts with the serial's digits."""

from __future__ import annotations

from typing import Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from channels.proof import take_text
from core.senders import SenderKey

OnNewMessage = Callable[[UserMessage], Awaitable[None]]
CHANNEL = "rest"


def taking_proofs(on_new_message: OnNewMessage) -> OnNewMessage:
    """`on_new_message` with a proof answer replaced by the placeholder first."""

    async def handle(message: UserMessage) -> None:
        if message.text:
            sender = SenderKey(message.input_channel or CHANNEL, message.sender_id)
            message.text = await take_text(sender, message.text)
        await on_new_message(message)

    return handle


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(taking_proofs(on_new_message))
