"""Fixtures for the channel tests: fake messenger APIs, the channels in-process
with a stand-in assistant, and one real Rasa + action server stack for the package."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import UserMessage
from sqlalchemy.orm import Session

from channels.telegram import SECRET_HEADER, TelegramChannel
from channels.viber import SIGNATURE_HEADER, ViberChannel
from core.db import engine as db_engine
from core.db.models import Base
from core.demo.seed import seed_demo
from tests.channels.fakes import FakeApi
from tests.channels.payloads import (
    TELEGRAM_BOT,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    VIBER_NAME,
    VIBER_TOKEN,
    viber_signed,
)
from tests.support.clock import TEST_NOW
from tests.support.stack import MODEL, running_stack

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


def telegram_body(update: Dict[str, Any]) -> bytes:
    return json.dumps(update, ensure_ascii=False).encode()


def good_secret() -> Dict[str, str]:
    return {SECRET_HEADER: TELEGRAM_SECRET}


# --- the real stack -------------------------------------------------------------------


class ChannelStack:
    """The running assistant with both channels, talking to the fake APIs."""

    def __init__(
        self, rasa_url: str, engine, telegram: FakeApi, viber: FakeApi, log, attachments
    ) -> None:
        self.rasa_url, self.engine, self.attachments = rasa_url, engine, attachments
        self.telegram_api, self.viber_api, self.log = telegram, viber, log

    def post(self, path: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, Any]:
        request = urllib.request.Request(
            f"{self.rasa_url}{path}",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=90) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, None

    def telegram(
        self, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET
    ) -> Tuple[int, Any]:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return self.post("/webhooks/telegram/webhook", telegram_body(update), headers)

    def viber(self, callback: Dict[str, Any], signature: Optional[str] = "sign") -> Tuple[int, Any]:
        body, good = viber_signed(callback)
        headers = {SIGNATURE_HEADER: good if signature == "sign" else signature}
        if signature is None:
            headers = {}
        return self.post("/webhooks/viber/webhook", body, headers)

    def tg_replies(self, update: Dict[str, Any]) -> List[Dict[str, Any]]:
        """Sends the update; returns what the assistant sent to that chat because of it."""
        before = len(self.telegram_api.sent())
        status, _ = self.telegram(update)
        assert status == 200
        chat = next(iter(v for k, v in update.items() if k != "update_id"))
        chat_id = (chat.get("chat") or chat.get("message", {}).get("chat"))["id"]
        return [m for m in self.telegram_api.sent()[before:] if str(m["chat_id"]) == str(chat_id)]

    def viber_replies(self, callback: Dict[str, Any]) -> List[Dict[str, Any]]:
        before = len(self.viber_api.sent())
        status, _ = self.viber(callback)
        assert status == 200
        user = callback["sender"]["id"]
        return [m for m in self.viber_api.sent()[before:] if m["receiver"] == user]


CREDENTIALS = """\
channels.telegram.TelegramChannel:
  token: "{tg_token}"
  bot_name: "{tg_bot}"
  webhook_url: "https://assistant.example.test/webhooks/telegram/webhook"
  secret_token: "{tg_secret}"
  api_url: "{tg_url}"
channels.viber.ViberChannel:
  auth_token: "{vb_token}"
  bot_name: "{vb_name}"
  webhook_url: "https://assistant.example.test/webhooks/viber/webhook"
  api_url: "{vb_url}"
"""


@pytest.fixture(scope="package")
def stack(tmp_path_factory) -> Iterator[ChannelStack]:
    if not MODEL.exists():
        pytest.skip("train the model first (make train)")
    workdir = tmp_path_factory.mktemp("channels-stack")
    url = f"sqlite:///{workdir / 'assistant.db'}"
    engine = db_engine.make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine, future=True) as session, session.begin():
        seed_demo(session, datetime.fromisoformat(TEST_NOW))
    with FakeApi("telegram") as telegram_api, FakeApi("viber") as viber_api:
        credentials = workdir / "credentials.yml"
        credentials.write_text(
            CREDENTIALS.format(
                tg_token=TELEGRAM_TOKEN,
                tg_bot=TELEGRAM_BOT,
                tg_secret=TELEGRAM_SECRET,
                tg_url=telegram_api.url,
                vb_token=VIBER_TOKEN,
                vb_name=VIBER_NAME,
                vb_url=viber_api.url,
            ),
            encoding="utf-8",
        )
        env = {
            "DATABASE_URL": url,
            "ASSISTANT_NOW": TEST_NOW,
            "ATTACHMENTS_DIR": str(workdir / "attachments"),
        }
        with running_stack(workdir, env=env, credentials=credentials) as running:
            yield ChannelStack(
                running.rasa_url,
                engine,
                telegram_api,
                viber_api,
                workdir / "rasa.log",
                workdir / "attachments",
            )
    engine.dispose()
