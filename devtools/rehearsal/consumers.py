"""Consumers of the rehearsal: people in Telegram and Viber who write to the bot
through nginx, as the messengers' servers deliver their messages.

Like the messengers, an update that got no 200 is delivered again (the same
update id or message token); like a person, a consumer who reads «спробуйте ще
раз» or gets no answer types the message again.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Optional

from core.senders import qualify
from devtools.harness.messengers import FakeApi, post_webhook, texts, webhook_body

# As channels/telegram.py and channels/viber.py name them (tests/deploy/test_rehearsal.py checks).
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
VIBER_SIGNATURE_HEADER = "X-Viber-Content-Signature"
TELEGRAM_TOKEN = "7654321:REHEARSAL-not-a-real-token"
TELEGRAM_SECRET = "rehearsal-secret-token-0123456789"
VIBER_TOKEN = "5a5b6ac12345678-e02c5f12174805f9-rehearsal"

TRY_AGAIN_MARKS = ("Спробуйте ще раз", "технічна помилка")
PROOF_PROMPT = "6 цифр"

_ids = itertools.count(910000001)


@dataclass
class Tally:
    """What the crowd saw, summed over its consumers (thread-safe)."""

    turns: int = 0
    redelivered: int = 0  # updates the messenger would have sent again (no 200)
    retried: int = 0  # messages typed again after «спробуйте ще раз» or silence
    unexpected: List[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class Person:
    """One messenger user (a Telegram chat or a Viber user) writing through `url`."""

    def __init__(
        self, channel: str, serial: int, url: str, api: FakeApi, tally: Tally, name: str
    ) -> None:
        self.channel, self.url, self.api, self.tally, self.name = channel, url, api, tally, name
        self.recipient = str(800000000 + serial) if channel == "telegram" else f"Rh{serial:07d}+a=="
        self.seen = 0
        self.transcript: List[str] = []  # what was typed and answered, for a failed run

    @property
    def sender_id(self) -> str:
        """How the assistant's database names this user."""
        return qualify(self.channel, self.recipient)

    def _update(self, text: str, callback: bool = False) -> Dict[str, Any]:
        serial = next(_ids)
        first, last = self.name.split(" ", 1)
        if self.channel == "viber":
            return {
                "event": "message",
                "timestamp": 1798000000000,
                "message_token": 5100000000000000000 + serial,
                "sender": {"id": self.recipient, "name": self.name, "language": "uk"},
                "message": {"type": "text", "text": text},
            }
        person = {"id": int(self.recipient), "first_name": first, "last_name": last}
        chat = {**person, "type": "private"}
        if callback:
            message = {"message_id": 1, "chat": chat, "date": 1798000000, "text": "…"}
            query = {"id": f"q{serial}", "from": person, "data": text, "message": message}
            return {"update_id": serial, "callback_query": {**query, "chat_instance": "-1"}}
        message = {"message_id": serial % 100000, "from": person, "chat": chat, "text": text}
        return {"update_id": serial, "message": {**message, "date": 1798000000}}

    def _post(self, update: Dict[str, Any]) -> Optional[int]:
        body = webhook_body(update)
        if self.channel == "viber":
            signature = hmac.new(VIBER_TOKEN.encode(), body, hashlib.sha256).hexdigest()
            headers = {VIBER_SIGNATURE_HEADER: signature}
        else:
            headers = {TELEGRAM_SECRET_HEADER: TELEGRAM_SECRET}
        return post_webhook(f"{self.url}/webhooks/{self.channel}/webhook", body, headers)

    def inbox(self) -> List[Dict[str, Any]]:
        return self.api.sent_to(self.recipient)

    def new_messages(self) -> List[Dict[str, Any]]:
        mine = self.inbox()
        new, self.seen = mine[self.seen :], len(mine)
        return new

    def send(self, text: str, callback: bool = False) -> str:
        """One message, delivered again until the webhook answers 200; the replies."""
        update = self._update(text, callback)
        deadline = time.monotonic() + 120
        while self._post(update) != 200:
            self.tally.add(redelivered=1)
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.sender_id}: an update was never acknowledged")
            time.sleep(0.5)
        self.tally.add(turns=1)
        answer = texts(self.new_messages())
        self.transcript.append(f"> {text[:40]}\n< {answer[:160]}")
        return answer

    def step(self, text: str, expected: str, proof: str = "") -> str:
        """Types `text` until the reply holds `expected` (typing again as a person would)."""
        answers = []
        for _ in range(8):
            answer = self.send(text)
            answers.append(answer[:70])
            if expected in answer:
                return answer
            if PROOF_PROMPT in answer and proof and text != proof:
                self.send(proof)  # the proof's answer was lost with a crash: type it again
            elif not any(mark in answer for mark in TRY_AGAIN_MARKS) and answer.strip():
                with self.tally.lock:
                    self.tally.unexpected.append(
                        f"{self.sender_id}: {expected!r} <- {answer[:90]!r}"
                    )
                return answer
            self.tally.add(retried=1)
            time.sleep(1)
        raise AssertionError(f"{self.sender_id}: no {expected!r} after 8 tries: {answers}")

    def link(self, number: str, proof: str) -> bool:
        """Adds the account; True when the bot said it is added."""
        self.step("Додати особовий рахунок", "номер особового рахунку")
        self.step(number, PROOF_PROMPT)
        self.step(proof, "Це ваша адреса?", proof)
        return "Рахунок додано" in self.step("Так", "Рахунок додано", proof)

    def submit(self, values: List[Decimal], decimals: List[int]) -> str:
        """Submits one value per meter; the bot's last answer («збережено», «оновлено»)."""
        self.step("Передати показники", "Лічильник 1 з")
        for index, (value, places) in enumerate(zip(values, decimals)):
            expected = "Зберегти?" if index == len(values) - 1 else f"Лічильник {index + 2} з"
            self.step(f"{value:.{places}f}".replace(".", ","), expected)
        return self.step("Зберегти", "Дякуємо!")
