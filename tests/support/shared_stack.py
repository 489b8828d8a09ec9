"""One real Rasa + action server stack per database backend per test session.

Starting the stack costs a minute or more on these machines (the model loads),
so the e2e, channel and forget-me tests share it instead of starting their own.
It listens on REST, the monitoring channel and both messengers (against the
fake Telegram and Viber APIs). Tests stay apart by their own sender ids; a
module that changes the subscribers' data starts from `reseed()`: the demo
subscribers again, at the pinned time, every table emptied first.

The servers keep conversations in memory (a sender's tracker outlives a
reseed): each module uses sender ids of its own.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from channels.telegram import SECRET_HEADER
from channels.viber import SIGNATURE_HEADER
from core.db import engine as db_engine
from core.db.models import Base
from core.demo.seed import seed_demo
from devtools.harness.messengers import FakeApi
from devtools.harness.stack import RunningStack, running_stack
from tests.support.clock import TEST_NOW, pinned_now
from tests.support.db import empty_all_tables
from tests.support.payloads import (
    TELEGRAM_BOT,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    VIBER_NAME,
    VIBER_TOKEN,
    telegram_body,
    viber_signed,
)

CREDENTIALS = """\
rest:
channels.monitoring.MonitoringChannel:
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

# The PostgreSQL stack's own database: other tests drop and rebuild the server's
# `postgres` database (migrations) while this stack is up.
STACK_DATABASE = "shared_stack"

# The lookup limits would stop a real crowd; here hundreds of test senders (the
# hostile corpus) answer the proof prompt on one channel within the hour. The
# limits themselves are tested in-process (tests/core/accounts).
UNLIMITED = {
    "ACCOUNT_LOOKUPS_PER_CHANNEL_HOUR": "100000",
    "ACCOUNT_WRONG_PROOFS_LOCK": "100000",
}


class SharedStack(RunningStack):
    """The running assistant: REST (`say`), both messengers, its database."""

    def __init__(
        self,
        running: RunningStack,
        engine: Engine,
        telegram: FakeApi,
        viber: FakeApi,
        attachments: Path,
    ) -> None:
        super().__init__(running.rasa_url, running.action_url, running.workdir)
        self.engine, self.attachments = engine, attachments
        self.telegram_api, self.viber_api = telegram, viber
        self.log = running.workdir / "rasa.log"

    def reseed(self) -> None:
        """The demo subscribers at the pinned time and nothing else in the database."""
        empty_all_tables(self.engine)
        with Session(self.engine, future=True) as session, session.begin():
            seed_demo(session, pinned_now())

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


def _database_url(workdir: Path, postgres_url: Optional[str]) -> str:
    if postgres_url is None:
        return f"sqlite:///{workdir / 'assistant.db'}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{STACK_DATABASE}"'))
        connection.execute(text(f'CREATE DATABASE "{STACK_DATABASE}"'))
    admin.dispose()
    url = make_url(postgres_url).set(database=STACK_DATABASE)
    return url.render_as_string(hide_password=False)


@contextmanager
def shared_stack(workdir: Path, postgres_url: Optional[str] = None) -> Iterator[SharedStack]:
    """Starts the stack on SQLite, or on PostgreSQL when `postgres_url` is given."""
    workdir.mkdir(parents=True, exist_ok=True)
    url = _database_url(workdir, postgres_url)
    engine = db_engine.make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine, future=True) as session, session.begin():
        seed_demo(session, pinned_now())
    attachments = workdir / "attachments"
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
            "ATTACHMENTS_DIR": str(attachments),
            **UNLIMITED,
        }
        try:
            with running_stack(workdir, env=env, credentials=credentials) as running:
                yield SharedStack(running, engine, telegram_api, viber_api, attachments)
        finally:
            engine.dispose()
