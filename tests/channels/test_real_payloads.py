"""The 133 real Telegram updates and Viber callbacks of shared/messenger_payloads,
through the real Rasa server with both connectors: every one is accepted (2xx),
none raises, and every private text message or button press gets an answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from channels.telegram import SECRET_HEADER
from channels.viber import SIGNATURE_HEADER
from tests.support.payloads import TELEGRAM_SECRET, viber_signature

pytestmark = pytest.mark.e2e

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "messenger_payloads"


def load(name: str) -> List[Dict[str, Any]]:
    path = PAYLOADS / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def without_notes(payload: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in payload.items() if not key.startswith("_")}


# Delivery ids are shifted so that they never meet the other channel tests' ids
# on the shared stack (re-delivery dedup would swallow one of the two).
ID_OFFSET = 7_000_000_000


def as_sent(payload: Dict[str, Any]) -> bytes:
    body = without_notes(payload)
    for key in ("update_id", "message_token"):
        if isinstance(body.get(key), int):
            body[key] += ID_OFFSET
    # The messengers escape every non-ASCII character as \\uXXXX.
    return json.dumps(body, ensure_ascii=True).encode()


def telegram_chat_to_answer(update: Dict[str, Any]) -> Optional[str]:
    """The private chat that must get an answer, or None for updates needing none."""
    message = update.get("message")
    if message and message.get("chat", {}).get("type") == "private" and message.get("text"):
        return str(message["chat"]["id"])
    callback = update.get("callback_query")
    if callback and callback.get("data") and callback.get("message"):
        chat = callback["message"].get("chat", {})
        if chat.get("type") == "private":
            return str(chat["id"])
    return None


def viber_user_to_answer(callback: Dict[str, Any]) -> Optional[str]:
    message = callback.get("message") or {}
    if callback.get("event") == "message" and message.get("type") == "text" and message.get("text"):
        return callback["sender"]["id"]
    return None


def no_traceback(log: Path) -> None:
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[text.find("Traceback") :][:3000]


def test_every_real_telegram_update_is_accepted_and_answered(stack):
    updates = load("telegram.jsonl")
    assert len(updates) >= 90
    unanswered, refused = [], []
    for update in updates:
        before = len(stack.telegram_api.sent())
        status, _ = stack.post(
            "/webhooks/telegram/webhook", as_sent(update), {SECRET_HEADER: TELEGRAM_SECRET}
        )
        if not 200 <= status < 300:
            refused.append((update.get("_id"), status))
            continue
        chat = telegram_chat_to_answer(update)
        if chat is not None:
            sent = stack.telegram_api.sent()[before:]
            if not any(str(m.get("chat_id")) == chat for m in sent):
                unanswered.append(update.get("_id"))
    assert refused == []
    assert unanswered == []
    no_traceback(stack.log)


def test_every_real_viber_callback_is_accepted_and_answered(stack):
    callbacks = load("viber.jsonl")
    assert len(callbacks) >= 35
    unanswered, refused = [], []
    for callback in callbacks:
        body = as_sent(callback)
        before = len(stack.viber_api.sent())
        status, _ = stack.post(
            "/webhooks/viber/webhook", body, {SIGNATURE_HEADER: viber_signature(body)}
        )
        if not 200 <= status < 300:
            refused.append((callback.get("_id"), status))
            continue
        user = viber_user_to_answer(callback)
        if user is not None:
            sent = stack.viber_api.sent()[before:]
            if not any(m.get("receiver") == user for m in sent):
                unanswered.append(callback.get("_id"))
    assert refused == []
    assert unanswered == []
    no_traceback(stack.log)
