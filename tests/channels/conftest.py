"""Fixtures for the channel tests: fake messenger APIs, the channels in-process
with a stand-in assistant, and the session's real Rasa + action server stack."""

from __future__ import annotations

from typing import Awaitable, Callable, Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage

from channels.telegram import TelegramChannel
from channels.viber import ViberChannel
from devtools.harness.messengers import FakeApi
from tests.support.payloads import (
    TELEGRAM_BOT,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    VIBER_NAME,
    VIBER_TOKEN,
)
from tests.support.shared_stack import SharedStack

Behaviour = Callable[[UserMessage], Awaitable[None]]


class FakeAssistant:
    """Stands in for Rasa's `on_new_message`: records messages, answers by `behaviour`."""

    def __init__(self) -> None:
        self.messages: List[UserMessage] = []
        self.behaviour: Behaviour = self.echo

    @staticmethod
    async def echo(message: UserMessage) -> None:
        await message.output_channel.send_response(
            message.sender_id, {"text": f"Отримав: {message.text}"}
        )

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await self.behaviour(message)

    @property
    def texts(self) -> List[str]:
        return [m.text for m in self.messages]


@pytest.fixture
def assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def telegram_api() -> Iterator[FakeApi]:
    with FakeApi("telegram") as fake:
        yield fake


@pytest.fixture
def viber_api() -> Iterator[FakeApi]:
    with FakeApi("viber") as fake:
        yield fake


@pytest.fixture
async def telegram(engine, telegram_api) -> TelegramChannel:
    channel = TelegramChannel(
        TELEGRAM_TOKEN, TELEGRAM_SECRET, TELEGRAM_BOT, api_url=telegram_api.url
    )
    yield channel
    await channel.api.close()


@pytest.fixture
async def viber(engine, viber_api) -> ViberChannel:
    channel = ViberChannel(VIBER_TOKEN, VIBER_NAME, api_url=viber_api.url)
    yield channel
    await channel.api.close()


# --- the real stack -------------------------------------------------------------------


@pytest.fixture(scope="package")
def stack(sqlite_stack: SharedStack) -> SharedStack:
    """The session's stack (REST, both messengers against the fake APIs), reseeded."""
    sqlite_stack.reseed()
    return sqlite_stack
