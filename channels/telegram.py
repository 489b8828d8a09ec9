"""Telegram connector: webhook with secret-token check, exactly-once updates,
reply and inline keyboards, photos and documents kept (`channels.attachments`),
polite answers to what the assistant cannot read.

Configured in credentials.prod.yml as `channels.telegram.TelegramChannel`.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import deeplinks, handoff, proof, storage
from channels.attachments import IncomingFile, Unavailable, receive
from channels.http import read_limited
from channels.keyboards import (
    TELEGRAM_REMOVE,
    Button,
    belongs_to_message,
    fits_callback,
    payload_for,
    telegram_inline,
    telegram_reply,
)
from channels.output import INLINE, REMOVE, REPLY, MessengerOutput
from channels.telegram_api import DEFAULT_API_URL, TelegramApi, TelegramApiError
from channels.text import (
    CONTACT_NOT_OWN,
    EDITED,
    SHARE_PHONE_TYPED,
    non_text_answer,
    split_text,
    utf16_units,
)
from channels.turns import OnNewMessage, answer, run_turn
from core.attachments import max_bytes
from core.faults import log_failure
from core.senders import SenderKey, qualify
from core.settings import env_str
from core.texts.accounts import SHARE_PHONE_PAYLOAD

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
MESSAGE_LIMIT = 4096  # UTF-16 code units
MAX_BODY = 256 * 1024  # updates are a few KB; anything bigger is not Telegram
# Which field of a message says what it is, in the order Telegram clients use.
NON_TEXT_FIELDS = (
    ("photo", "photo"),
    ("sticker", "sticker"),
    ("voice", "voice"),
    ("video_note", "video"),
    ("video", "video"),
    ("animation", "video"),
    ("audio", "audio"),
    ("document", "document"),
    ("contact", "contact"),
    ("location", "location"),
    ("venue", "location"),
)
GREETING_COMMANDS = {"/start", "/menu"}

Result = Tuple[int, Dict[str, Any]]


class TelegramOutput(MessengerOutput):
    channel = CHANNEL

    def __init__(self, api: TelegramApi, keyboard: Optional[List[Button]] = None) -> None:
        super().__init__(keyboard)
        self.api = api

    def inline_ok(self, buttons: List[Button]) -> bool:
        return belongs_to_message(buttons) and fits_callback(buttons)

    async def may_message_first(self, sender: SenderKey) -> bool:
        return await storage.subscription(sender) is not False

    async def deliver(
        self, sender: SenderKey, user_id: str, text: str, mode: str, buttons: List[Button]
    ) -> bool:
        markup = (
            telegram_inline(buttons)
            if mode == INLINE
            else telegram_reply(buttons)
            if mode == REPLY
            else TELEGRAM_REMOVE
            if mode == REMOVE
            else None
        )
        chunks = split_text(text, MESSAGE_LIMIT, utf16_units) or (["…"] if markup else [])
        try:
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                await self.api.send_message(user_id, chunk, markup if last else None)
        except TelegramApiError as error:
            if error.code == 403:  # the user blocked the bot
                logger.info("telegram: user blocked the bot; marked unsubscribed")
                await storage.set_subscribed(sender, False)
            else:
                logger.error(
                    "telegram: %s failed: %s %s", error.method, error.code, error.description
                )
            return False
        return bool(chunks)


class TelegramChannel(InputChannel):
    """Receives Telegram updates at /webhooks/telegram/webhook."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "TelegramChannel":
        if not credentials:
            cls.raise_missing_credentials_exception()
        token = str(credentials.get("token") or "")
        secret = str(credentials.get("secret_token") or "")
        if not token:
            raise RasaException("telegram: `token` is empty (TELEGRAM_BOT_TOKEN)")
        if not SECRET_FORMAT.match(secret):
            raise RasaException(
                "telegram: `secret_token` must be 16-256 characters of A-Z a-z 0-9 _ - "
                "(TELEGRAM_SECRET_TOKEN)"
            )
        webhook_url = str(credentials.get("webhook_url") or "")
        if webhook_url and not webhook_url.startswith("https://"):
            logger.warning("telegram: webhook_url is not HTTPS; Telegram will refuse it")
        return cls(
            token=token,
            secret_token=secret,
            bot_name=str(credentials.get("bot_name") or ""),
            webhook_url=webhook_url,
            api_url=str(
                credentials.get("api_url") or env_str("TELEGRAM_API_URL") or DEFAULT_API_URL
            ),
        )

    def __init__(
        self,
        token: str,
        secret_token: str,
        bot_name: str = "",
        webhook_url: str = "",
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self.secret_token = secret_token
        self.bot_name = bot_name.lstrip("@")
        self.webhook_url = webhook_url
        self.api = TelegramApi(token, api_url)
        # update_id is per bot and restarts randomly after a quiet week: qualify it.
        self._bot_id = token.split(":", 1)[0]

    def get_output_channel(self) -> TelegramOutput:
        """For messages Rasa sends on its own: guarded as messaging first."""
        return TelegramOutput(self.api)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("telegram_channel", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            handoff.remember_agent(getattr(request.app.ctx, "agent", None))
            if not self.secret_ok(request.headers.get(SECRET_HEADER)):
                return _forbidden()
            body = await read_limited(request, MAX_BODY)
            if body is None:
                logger.warning("telegram: update over %d bytes rejected", MAX_BODY)
                return response.json({"error": "body too large"}, status=413)
            status, payload = await self.handle(request.headers, body, on_new_message)
            return response.json(payload, status=status)

        @blueprint.listener("after_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            await self.api.close()

        return blueprint

    def secret_ok(self, given: Optional[str]) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.secret_token.encode())

    async def handle(
        self, headers: Mapping[str, str], body: bytes, on_new_message: OnNewMessage
    ) -> Result:
        """Everything after the HTTP layer: check, de-duplicate, process one update."""
        if not self.secret_ok(headers.get(SECRET_HEADER)):
            logger.warning("telegram: update with a wrong or missing secret token rejected")
            return 403, {"error": "forbidden"}
        if len(body) > MAX_BODY:
            return 413, {"error": "body too large"}
        try:
            update = json.loads(body)
            update_id = int(update["update_id"])
        except (ValueError, TypeError, KeyError):
            return 400, {"error": "not a Telegram update"}
        delivery = f"{self._bot_id}:{update_id}"
        if not await storage.claim_delivery(CHANNEL, delivery):
            logger.info("telegram: update %s already handled; acknowledged", update_id)
            return 200, {"ok": True}
        try:
            await self._process(update, update_id, on_new_message)
        except Exception as error:  # acknowledged anyway: a re-delivery would fail the same way
            log_failure(logger, f"telegram: update {update_id}", error)
        finally:
            await storage.finish_delivery(CHANNEL, delivery)
        return 200, {"ok": True}

    async def _process(
        self, update: Dict[str, Any], update_id: int, on_new_message: OnNewMessage
    ) -> None:
        if "callback_query" in update:
            await self._on_button(update["callback_query"], update_id, on_new_message)
        elif "message" in update:
            await self._on_message(update["message"], update_id, on_new_message)
        elif "edited_message" in update:
            chat = _private_chat(update["edited_message"])
            if chat is not None:
                await answer(TelegramOutput(self.api), qualify(CHANNEL, chat), EDITED)
        elif "my_chat_member" in update:
            await self._on_membership(update["my_chat_member"])

    async def _on_message(
        self, message: Dict[str, Any], update_id: int, on_new_message: OnNewMessage
    ) -> None:
        chat = _private_chat(message)
        if chat is None or (message.get("from") or {}).get("is_bot"):
            return
        sender_id = qualify(CHANNEL, chat)
        incoming = self._incoming_file(message)
        if incoming is not None:
            output = TelegramOutput(self.api, await storage.load_keyboard(_key(sender_id)))

            async def turn(text: str) -> None:
                await self._turn(sender_id, text, update_id, on_new_message)

            await receive(output, _key(sender_id), incoming, turn)
            return
        contact = message.get("contact")
        if isinstance(contact, dict):
            await self._on_contact(message, contact, sender_id, update_id, on_new_message)
            return
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            kind = next((kind for field, kind in NON_TEXT_FIELDS if field in message), "other")
            await answer(TelegramOutput(self.api), sender_id, non_text_answer(kind))
            return
        await self._turn(sender_id, text, update_id, on_new_message)

    async def _on_contact(
        self,
        message: Dict[str, Any],
        contact: Dict[str, Any],
        sender_id: str,
        update_id: int,
        on_new_message: OnNewMessage,
    ) -> None:
        """A shared contact: an ownership proof only if Telegram says it is the
        sender's own (`user_id` is the sender); a forwarded card proves nothing."""
        key = _key(sender_id)
        sender = (message.get("from") or {}).get("id")
        own = sender is not None and contact.get("user_id") == sender
        phone = str(contact.get("phone_number") or "")
        placeholder = await proof.take_phone(key, phone) if own else None
        if placeholder is not None:
            await self._turn(sender_id, placeholder, update_id, on_new_message, taken=True)
            return
        asked = not own and await proof.is_asked(key)
        text = CONTACT_NOT_OWN if asked else non_text_answer("contact")
        await answer(TelegramOutput(self.api), sender_id, text)

    def _incoming_file(self, message: Dict[str, Any]) -> Optional[IncomingFile]:
        """A photo (its largest size within the cap) or a document, if the message is one."""
        document = message.get("document")
        if isinstance(document, dict) and document.get("file_id"):
            return IncomingFile(
                self._fetcher(str(document["file_id"])),
                size=document.get("file_size"),
                mime_type=document.get("mime_type"),
                file_name=document.get("file_name"),
            )
        sizes = [
            size
            for size in message.get("photo") or []
            if isinstance(size, dict) and size.get("file_id")
        ]
        if not sizes:
            return None
        fitting = [size for size in sizes if (size.get("file_size") or 0) <= max_bytes()]
        chosen = fitting[-1] if fitting else sizes[0]  # Telegram lists them smallest first
        return IncomingFile(self._fetcher(str(chosen["file_id"])), size=chosen.get("file_size"))

    def _fetcher(self, file_id: str) -> Callable[[int], Awaitable[bytes]]:
        async def fetch(limit: int) -> bytes:
            try:
                return await self.api.download_file(file_id, limit)
            except TelegramApiError as error:
                raise Unavailable(f"{error.method} {error.code}") from None

        return fetch

    async def _on_button(
        self, query: Dict[str, Any], update_id: int, on_new_message: OnNewMessage
    ) -> None:
        try:  # first, so that the button stops spinning whatever happens next
            await self.api.answer_callback(str(query.get("id")))
        except TelegramApiError as error:
            logger.warning("telegram: answerCallbackQuery failed: %s", error.code)
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        if chat.get("type", "private") != "private" or not query.get("data"):
            return
        chat_id = chat.get("id") or (query.get("from") or {}).get("id")
        if message.get("message_id"):
            try:  # the choice is made: its buttons should not be pressed again
                await self.api.drop_inline_keyboard(chat_id, message["message_id"])
            except TelegramApiError:
                pass  # too old to edit, or already edited: harmless
        await self._turn(qualify(CHANNEL, chat_id), str(query["data"]), update_id, on_new_message)

    async def _on_membership(self, change: Dict[str, Any]) -> None:
        chat = change.get("chat") or {}
        status = (change.get("new_chat_member") or {}).get("status")
        if chat.get("type") != "private" or status not in ("kicked", "member"):
            return
        await storage.set_subscribed(
            SenderKey(CHANNEL, qualify(CHANNEL, chat.get("id"))), status == "member"
        )

    async def _turn(
        self,
        sender_id: str,
        text: str,
        update_id: int,
        on_new_message: OnNewMessage,
        taken: bool = False,
    ) -> None:
        key = _key(sender_id)
        # Writing again undoes a block recorded when a message bounced (403).
        await storage.mark_subscribed(key)
        keyboard = await storage.load_keyboard(key)
        output = TelegramOutput(self.api, keyboard)
        understood = text if taken else self._understood(text, keyboard)
        if understood == SHARE_PHONE_PAYLOAD:  # the title typed, not the button pressed
            await answer(output, sender_id, SHARE_PHONE_TYPED)
            return
        payload = "" if taken else self._start_payload(text)
        if payload:  # a bill's link: t.me/<bot>?start=<token>
            understood = await deeplinks.start_text(payload)
        message = UserMessage(
            understood if taken or payload else await proof.take_text(key, understood),
            output,
            sender_id,
            input_channel=CHANNEL,
            message_id=f"telegram-{update_id}",
        )
        await run_turn(on_new_message, message, output)

    def _start_payload(self, text: str) -> str:
        """What follows `/start` (for this bot), as Telegram sends a deep link's payload."""
        word, _, args = text.strip().partition(" ")
        command, _, bot = word.partition("@")
        if command != "/start" or (bot and bot.casefold() != self.bot_name.casefold()):
            return ""
        return args.strip()

    def _understood(self, text: str, keyboard: List[Button]) -> str:
        """The text Rasa gets: /start as a greeting, a pressed title as its payload."""
        text = text.strip()
        if text.startswith("/"):
            word, _, args = text.partition(" ")
            command, _, bot = word.partition("@")
            if bot and bot.casefold() != self.bot_name.casefold():
                return text  # addressed to another bot
            if command in GREETING_COMMANDS:
                return "/greet"
            return command if bot and not args else text
        return payload_for(text, keyboard) or text


def _key(sender_id: str) -> SenderKey:
    return SenderKey(CHANNEL, sender_id)


def _private_chat(message: Dict[str, Any]) -> Optional[Any]:
    """The chat id if the message comes from a private chat (the only kind we serve)."""
    chat = message.get("chat") or {}
    return chat.get("id") if chat.get("type") == "private" else None


def _forbidden() -> HTTPResponse:
    logger.warning("telegram: update with a wrong or missing secret token rejected")
    return response.json({"error": "forbidden"}, status=403)
