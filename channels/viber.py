"""Viber connector: the Viber REST bot API behind /webhooks/viber/webhook, with
signed callbacks, exactly-once messages, keyboards whose presses carry the
payload, pictures and files kept (`channels.attachments`), and subscriptions
recorded on the user's messenger record.

Configured in credentials.prod.yml as `channels.viber.ViberChannel`.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import deeplinks, handoff, proof, storage
from channels.attachments import IncomingFile, Unavailable, receive
from channels.http import read_limited
from channels.keyboards import Button, clean, payload_for, viber_keyboard
from channels.output import INLINE, KEEP, REPLY, MessengerOutput
from channels.text import (
    VIBER_PHONE_EMPTY,
    VIBER_PHONE_NO_PROOF,
    WELCOME_FALLBACK,
    non_text_answer,
    split_text,
)
from channels.turns import OnNewMessage, answer, run_turn
from channels.viber_api import (
    DEFAULT_API_URL,
    NOT_REACHABLE,
    ViberApi,
    ViberApiError,
    sender_of,
    signature_ok,
    text_message,
)
from core.faults import log_failure
from core.senders import SenderKey, qualify
from core.settings import env_str
from core.texts.menu import menu_buttons

logger = logging.getLogger(__name__)

CHANNEL = "viber"
SIGNATURE_HEADER = "X-Viber-Content-Signature"
# A 7,000-character message arrives with every Cyrillic letter escaped as \uXXXX
# (six bytes each): about 43 KB with the envelope. Anything past this is not Viber.
MAX_BODY = 256 * 1024
MESSAGE_LIMIT = 7000
NON_TEXT_TYPES = {
    "picture": "photo",
    "video": "video",
    "file": "document",
    "sticker": "sticker",
    "contact": "contact",
    "location": "location",
}
# Messages carrying a photo or a document (`channels.attachments`).
FILE_TYPES = {"picture", "file"}
STATUS_EVENTS = {"delivered", "seen", "failed", "client_status"}
OK: Dict[str, Any] = {"status": 0}

Result = Tuple[int, Optional[Dict[str, Any]]]
Greeting = Callable[[], Tuple[str, List[Button]]]


class ViberOutput(MessengerOutput):
    channel = CHANNEL

    def __init__(
        self, api: ViberApi, sender: Dict[str, str], keyboard: Optional[List[Button]] = None
    ) -> None:
        super().__init__(keyboard)
        self.api, self.sender = api, sender

    async def may_message_first(self, sender: SenderKey) -> bool:
        # Viber forbids it anyway; this keeps the rule visible and saves the call.
        return await storage.subscription(sender) is True

    async def deliver(
        self, sender: SenderKey, user_id: str, text: str, mode: str, buttons: List[Button]
    ) -> bool:
        shown = buttons if mode in (INLINE, REPLY) else self.keyboard if mode == KEEP else None
        keyboard = viber_keyboard(shown) if shown else None
        chunks = split_text(text, MESSAGE_LIMIT) or (["…"] if keyboard else [])
        try:
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                await self.api.send_text(user_id, chunk, self.sender, keyboard if last else None)
        except ViberApiError as error:
            if error.status in NOT_REACHABLE:
                logger.info("viber: %s; marked unsubscribed", NOT_REACHABLE[error.status])
                await storage.set_subscribed(sender, False)
            else:
                logger.error("viber: %s failed: %s %s", error.method, error.status, error.message)
            return False
        return bool(chunks)


class WelcomeOutput(ViberOutput):
    """Keeps what the assistant says instead of sending it: the answer to
    conversation_started is the one message Viber delivers before a subscription."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts: List[str] = []
        self.buttons: List[Button] = []

    async def deliver(
        self, sender: SenderKey, user_id: str, text: str, mode: str, buttons: List[Button]
    ) -> bool:
        self.texts.append(text)
        shown = buttons if mode in (INLINE, REPLY) else self.keyboard if mode == KEEP else None
        self.buttons = list(shown or [])
        return True


class ViberChannel(InputChannel):
    """Receives Viber callbacks at /webhooks/viber/webhook."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "ViberChannel":
        if not credentials:
            cls.raise_missing_credentials_exception()
        token = str(credentials.get("auth_token") or "")
        bot_name = str(credentials.get("bot_name") or "")
        if not token or not bot_name:
            raise RasaException(
                "viber: `auth_token` (VIBER_AUTH_TOKEN) and `bot_name` "
                "(VIBER_BOT_NAME) are required"
            )
        return cls(
            auth_token=token,
            bot_name=bot_name,
            avatar_url=str(credentials.get("avatar_url") or env_str("VIBER_AVATAR_URL") or ""),
            webhook_url=str(credentials.get("webhook_url") or ""),
            api_url=str(credentials.get("api_url") or env_str("VIBER_API_URL") or DEFAULT_API_URL),
        )

    def __init__(
        self,
        auth_token: str,
        bot_name: str,
        avatar_url: str = "",
        webhook_url: str = "",
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self.auth_token = auth_token
        self.sender = sender_of(bot_name, avatar_url)
        self.webhook_url = webhook_url
        self.api = ViberApi(auth_token, api_url)

    def get_output_channel(self) -> ViberOutput:
        """For messages Rasa sends on its own: only to subscribed users."""
        return ViberOutput(self.api, self.sender)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("viber_channel", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            handoff.remember_agent(getattr(request.app.ctx, "agent", None))
            body = await read_limited(request, MAX_BODY)
            if body is None:
                logger.warning("viber: callback over %d bytes rejected", MAX_BODY)
                return response.json({"error": "body too large"}, status=413)
            agent = getattr(request.app.ctx, "agent", None)
            status, payload = await self.handle(
                request.headers, body, on_new_message, lambda: greeting_of(agent)
            )
            return response.json(payload if payload is not None else OK, status=status)

        @blueprint.listener("after_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            await self.api.close()

        return blueprint

    async def handle(
        self,
        headers: Mapping[str, str],
        body: bytes,
        on_new_message: OnNewMessage,
        greeting: Greeting,
    ) -> Result:
        """Everything after the HTTP layer: check, de-duplicate, handle one callback."""
        if len(body) > MAX_BODY:
            return 413, {"error": "body too large"}
        if not signature_ok(self.auth_token, body, headers.get(SIGNATURE_HEADER)):
            logger.warning("viber: callback with a wrong or missing signature rejected")
            return 403, {"error": "forbidden"}
        try:
            callback = json.loads(body)
            event = str(callback["event"])
        except (ValueError, TypeError, KeyError):
            return 400, {"error": "not a Viber callback"}
        if event == "webhook":
            logger.info("viber: webhook verification callback answered")
            return 200, OK
        if event in STATUS_EVENTS:
            if event == "failed":
                logger.warning("viber: a message was not delivered: %s", callback.get("desc", ""))
            return 200, OK
        token = str(callback.get("message_token") or "")
        delivery = f"{event}:{token}"
        if not token or not await storage.claim_delivery(CHANNEL, delivery):
            logger.info("viber: %s %s already handled or unidentified; acknowledged", event, token)
            return 200, OK
        try:
            return 200, await self._on_event(event, callback, on_new_message, greeting)
        except Exception as error:  # acknowledged anyway: a re-delivery would fail the same way
            log_failure(logger, f"viber: {event} {token[:40]}", error)
            return 200, OK
        finally:
            await storage.finish_delivery(CHANNEL, delivery)

    async def _on_event(
        self, event: str, callback: Dict[str, Any], on_new_message: OnNewMessage, greeting: Greeting
    ) -> Dict[str, Any]:
        if event == "message":
            await self._on_message(callback, on_new_message)
        elif event == "conversation_started":
            return await self._welcome(callback, greeting, on_new_message)
        elif event in ("subscribed", "unsubscribed"):
            user_id = (callback.get("user") or {}).get("id") or callback.get("user_id")
            if user_id:
                await storage.set_subscribed(_key(user_id), event == "subscribed")
        return OK

    async def _welcome(
        self, callback: Dict[str, Any], greeting: Greeting, on_new_message: OnNewMessage
    ) -> Dict[str, Any]:
        """The one message Viber lets a bot send before the user subscribes: the
        greeting with the menu, as the HTTP answer to conversation_started."""
        user_id = (callback.get("user") or {}).get("id")
        if user_id and callback.get("subscribed"):
            await storage.mark_subscribed(_key(user_id))
        number = await deeplinks.account_of(str(callback.get("context") or ""))
        if user_id and number:  # a bill's link: viber://pa?chatURI=…&context=<token>
            return await self._welcome_with_account(callback, number, on_new_message)
        text, buttons = greeting()
        return text_message(text, self.sender, viber_keyboard(buttons) if buttons else None)

    async def _welcome_with_account(
        self, callback: Dict[str, Any], number: str, on_new_message: OnNewMessage
    ) -> Dict[str, Any]:
        """The account form's first question as the welcome message: Viber takes no
        other message before the user writes, so the turn's answers are joined."""
        key = _key(callback["user"]["id"])
        keyboard = await storage.load_keyboard(key)
        # A subscriber may be written to as usual; others only through the welcome.
        subscribed = bool(callback.get("subscribed"))
        output = (ViberOutput if subscribed else WelcomeOutput)(self.api, self.sender, keyboard)
        message = UserMessage(
            deeplinks.add_account(number),
            output,
            key.sender_id,
            input_channel=CHANNEL,
            message_id=f"viber-{callback.get('message_token')}",
        )
        await run_turn(on_new_message, message, output)
        if not isinstance(output, WelcomeOutput):
            return OK
        shown = viber_keyboard(output.buttons) if output.buttons else None
        return text_message("\n\n".join(output.texts) or "…", self.sender, shown)

    async def _on_message(self, callback: Dict[str, Any], on_new_message: OnNewMessage) -> None:
        user_id = (callback.get("sender") or {}).get("id")
        if not user_id:
            return
        key = _key(user_id)
        # Writing to the bot subscribes the user; Viber sends no `subscribed` for it.
        await storage.mark_subscribed(key)
        keyboard = await storage.load_keyboard(key)
        output = ViberOutput(self.api, self.sender, keyboard)
        message = callback.get("message") or {}
        message_id = f"viber-{callback.get('message_token')}"

        async def turn(text: str) -> None:
            await run_turn(
                on_new_message,
                UserMessage(
                    text, output, key.sender_id, input_channel=CHANNEL, message_id=message_id
                ),
                output,
            )

        incoming = self._incoming_file(message)
        if incoming is not None:
            await receive(output, key, incoming, turn)
            return
        if message.get("type") == "contact":
            await answer(output, key.sender_id, await _contact_answer(key, message))
            return
        text = message.get("text") if message.get("type") == "text" else None
        if not isinstance(text, str) or not text.strip():
            kind = NON_TEXT_TYPES.get(str(message.get("type")), "other")
            await answer(output, key.sender_id, non_text_answer(kind))
            return
        # A press carries its payload already; a typed title is mapped the same way.
        await turn(await proof.take_text(key, payload_for(text, keyboard) or text))

    def _incoming_file(self, message: Dict[str, Any]) -> Optional[IncomingFile]:
        """A picture or a file, if the message is one."""
        kind, media = message.get("type"), message.get("media")
        if kind not in FILE_TYPES or not isinstance(media, str) or not media:
            return None
        size = message.get("size", message.get("file_size"))

        async def fetch(limit: int) -> bytes:
            try:
                return await self.api.download_media(media, limit)
            except ViberApiError as error:
                raise Unavailable(f"{error.method} {error.status}") from None

        return IncomingFile(
            fetch,
            size=size if isinstance(size, int) else None,
            file_name=message.get("file_name") if kind == "file" else None,
        )


async def _contact_answer(key: SenderKey, message: Dict[str, Any]) -> str:
    """A Viber contact proves nothing: the API sends the same message for the
    user's own number (share-phone) and for any card they forward, and the
    desktop app sends an empty number. At the proof prompt the user is told to
    type the digits; nothing is counted."""
    if not await proof.is_asked(key):
        return non_text_answer("contact")
    phone = ((message.get("contact") or {}).get("phone_number") or "").strip()
    return VIBER_PHONE_NO_PROOF if phone else VIBER_PHONE_EMPTY


def _key(user_id: Any) -> SenderKey:
    return SenderKey(CHANNEL, qualify(CHANNEL, user_id))


def greeting_of(agent: Any) -> Tuple[str, List[Button]]:
    """The domain's utter_greet (first variation) with its buttons."""
    try:
        first = agent.domain.responses["utter_greet"][0]
        return str(first["text"]), clean(first.get("buttons"))
    except (AttributeError, KeyError, IndexError, TypeError):
        return WELCOME_FALLBACK, _menu_from_domain_file()


def _menu_from_domain_file() -> List[Button]:
    try:
        return clean(menu_buttons())
    except OSError:  # no domain.yml beside the model: the greeting alone
        logger.warning("viber: no domain.yml for the welcome menu")
        return []
