"""Webhook bodies shaped like the ones Telegram and Viber send (ids made up)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any, Dict, Optional, Tuple

from channels.telegram import SECRET_HEADER

TELEGRAM_TOKEN = "1234567:TEST-not-a-real-token"
TELEGRAM_SECRET = "test-secret-token-0123456789"
TELEGRAM_BOT = "PoltavaTestBot"
VIBER_TOKEN = "4453b6ac12345678-e02c5f12174805f9-test-not-real"
VIBER_NAME = "Полтаватеплоенерго"

_update_ids = itertools.count(700000001)
_viber_tokens = itertools.count(4912661846655238145)


def next_update_id() -> int:
    return next(_update_ids)


def _chat(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "first_name": "Тест", "type": "private"}


def _from(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Тест", "language_code": "uk"}


def tg_message(chat_id: int, update_id: Optional[int] = None, **content: Any) -> Dict[str, Any]:
    """A `message` update; `content` is text=... or photo=[...], sticker={...}, ..."""
    update_id = update_id or next_update_id()
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 100000,
            "from": _from(chat_id),
            "chat": _chat(chat_id),
            "date": 1795168800,
            **content,
        },
    }


def tg_text(chat_id: int, text: str, update_id: Optional[int] = None) -> Dict[str, Any]:
    return tg_message(chat_id, update_id, text=text)


def tg_callback(chat_id: int, data: str, message_id: int = 42) -> Dict[str, Any]:
    update_id = next_update_id()
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cbq{update_id}",
            "from": _from(chat_id),
            "chat_instance": "-1",
            "data": data,
            "message": {
                "message_id": message_id,
                "chat": _chat(chat_id),
                "date": 1795168800,
                "text": "За яким рахунком передаєте показники?",
            },
        },
    }


TG_NON_TEXT = {
    "sticker": {
        "sticker": {
            "file_id": "CAAC-test",
            "file_unique_id": "u2",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
    },
    "voice": {
        "voice": {
            "file_id": "AwAC-test",
            "file_unique_id": "u3",
            "duration": 3,
            "mime_type": "audio/ogg",
        }
    },
    "contact": {
        "contact": {"phone_number": "+380501234567", "first_name": "Тест", "user_id": 5550001}
    },
}

# Photos and documents: kept by the channels (channels/attachments.py).
TG_FILES = {
    "photo": {
        "photo": [
            {
                "file_id": "AgAC-test",
                "file_unique_id": "u1",
                "width": 90,
                "height": 67,
                "file_size": 1200,
            }
        ]
    },
    "document": {
        "document": {
            "file_id": "BQAC-test",
            "file_unique_id": "u4",
            "file_name": "meter.pdf",
            "mime_type": "application/pdf",
        }
    },
}


def viber_signature(body: bytes, token: str = VIBER_TOKEN) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def viber_signed(callback: Dict[str, Any], token: str = VIBER_TOKEN) -> Tuple[bytes, str]:
    body = json.dumps(callback, ensure_ascii=False).encode()
    return body, viber_signature(body, token)


def _viber_user(user_id: str) -> Dict[str, Any]:
    return {
        "id": user_id,
        "name": "Тест",
        "avatar": "https://example.test/a.jpg",
        "country": "UA",
        "language": "uk",
        "api_version": 10,
    }


def viber_message(
    user_id: str, message: Dict[str, Any], token: Optional[int] = None
) -> Dict[str, Any]:
    return {
        "event": "message",
        "timestamp": 1795168800000,
        "message_token": token or next(_viber_tokens),
        "chat_hostname": "SN-CHAT-01_",
        "sender": _viber_user(user_id),
        "message": message,
        "silent": False,
    }


def viber_text(user_id: str, text: str, token: Optional[int] = None) -> Dict[str, Any]:
    return viber_message(user_id, {"type": "text", "text": text}, token)


def viber_conversation_started(user_id: str, subscribed: bool = False) -> Dict[str, Any]:
    return {
        "event": "conversation_started",
        "timestamp": 1795168800000,
        "message_token": next(_viber_tokens),
        "type": "open",
        "context": "",
        "user": _viber_user(user_id),
        "subscribed": subscribed,
    }


def viber_subscription(user_id: str, subscribed: bool) -> Dict[str, Any]:
    if subscribed:
        return {
            "event": "subscribed",
            "timestamp": 1795168800000,
            "user": _viber_user(user_id),
            "message_token": next(_viber_tokens),
        }
    return {
        "event": "unsubscribed",
        "timestamp": 1795168800000,
        "user_id": user_id,
        "message_token": next(_viber_tokens),
    }


def viber_status(event: str, user_id: str) -> Dict[str, Any]:
    callback = {
        "event": event,
        "timestamp": 1795168800000,
        "message_token": next(_viber_tokens),
        "user_id": user_id,
    }
    if event == "failed":
        callback["desc"] = "failure description"
    return callback


VIBER_NON_TEXT = {
    "sticker": {"type": "sticker", "sticker_id": 46105, "media": "https://example.test/s.png"},
    "location": {"type": "location", "location": {"lat": 49.5883, "lon": 34.5514}},
    "contact": {"type": "contact", "contact": {"name": "Тест", "phone_number": "+380501234567"}},
}

# Viber pictures and files on a host that is not Viber's: never fetched.
VIBER_FILES = {
    "picture": {
        "type": "picture",
        "text": "",
        "media": "https://example.test/p.jpg",
        "thumbnail": "https://example.test/t.jpg",
        "file_name": "p.jpg",
    },
    "file": {
        "type": "file",
        "media": "https://example.test/f.pdf",
        "size": 10000,
        "file_name": "meter.pdf",
    },
}


def tg_photo(chat_id: int, *sizes: Tuple[str, int], caption: str = "") -> Dict[str, Any]:
    """A photo update; `sizes` are (file_id, file_size), smallest first, as Telegram sends."""
    photo = [
        {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "width": 90 * (n + 1),
            "height": 67 * (n + 1),
            "file_size": size,
        }
        for n, (file_id, size) in enumerate(sizes)
    ]
    content: Dict[str, Any] = {"photo": photo}
    if caption:
        content["caption"] = caption
    return tg_message(chat_id, **content)


def tg_document(
    chat_id: int, file_id: str, file_name: str, mime_type: str, size: int
) -> Dict[str, Any]:
    return tg_message(
        chat_id,
        document={
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": size,
        },
    )


def viber_picture(user_id: str, media: str, size: Optional[int] = None) -> Dict[str, Any]:
    message: Dict[str, Any] = {"type": "picture", "text": "", "media": media, "thumbnail": media}
    if size is not None:
        message["size"] = size
    return viber_message(user_id, message)


def viber_file(user_id: str, media: str, file_name: str, size: int) -> Dict[str, Any]:
    return viber_message(
        user_id, {"type": "file", "media": media, "size": size, "file_name": file_name}
    )


def telegram_body(update: Dict[str, Any]) -> bytes:
    return json.dumps(update, ensure_ascii=False).encode()


def good_secret() -> Dict[str, str]:
    """The header that proves a webhook call comes from Telegram."""
    return {SECRET_HEADER: TELEGRAM_SECRET}
