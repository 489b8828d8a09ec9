"""The chat on the utility's website: Rasa's socket.io channel with our own
rules, for the widget in `web/chat/` (served by nginx, deploy/nginx/assistant-webchat.conf).

Why not `socketio:` as Rasa ships it: it names the conversation after whatever
`session_id` each message carries (one browser could speak as any conversation),
its session persistence calls python-socketio 5's `enter_room` without awaiting
it (so rooms never form), and its sender ids are unqualified. Here the session id
is settled once per connection (`session_request`: the browser's stored id if it
is one of ours in form, a new random one otherwise), kept server-side, and every
message of the connection is `web:<session id>`, input channel `web`; the
conversation, its keyboard, the lookup and proof limits are those of that sender,
as for Telegram and Viber. Each session may send `MESSAGES_PER_MINUTE` messages.

Configured in credentials.prod.yml as `channels.web.WebChatChannel`.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import defaultdict, deque
from typing import Any, Deque, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels import storage
from channels.keyboards import Button, payload_for
from channels.output import INLINE, KEEP, REPLY, UNKNOWN, MessengerOutput
from channels.turns import OnNewMessage, answer, run_turn
from core.senders import SenderKey, qualify
from core.settings import wall_clock

logger = logging.getLogger(__name__)

CHANNEL = "web"
SESSION_FORMAT = re.compile(r"^[0-9a-f]{32}$")
MESSAGES_PER_MINUTE = 20
TOO_FAST = (
    "Ви надсилаєте повідомлення надто часто. Зачекайте, будь ласка, хвилинку і напишіть знову."
)
NO_SESSION = "Сторінку чату потрібно оновити: сесію не розпочато."


class WebOutput(MessengerOutput):
    """Emits `bot_uttered` to the session's room: every tab of that browser."""

    channel = CHANNEL

    def __init__(self, sio: AsyncServer, keyboard: Optional[List[Button]] = None) -> None:
        super().__init__(keyboard)
        self.sio = sio

    async def may_message_first(self, sender: SenderKey) -> bool:
        return False  # a web page may be closed: no reminders through it

    async def deliver(
        self, sender: SenderKey, user_id: str, text: str, mode: str, buttons: List[Button]
    ) -> bool:
        shown = buttons if mode in (INLINE, REPLY) else []
        await self.sio.emit(
            "bot_uttered",
            {"text": text, "buttons": shown, "keep": mode in (KEEP, UNKNOWN) and not shown},
            room=user_id,
        )
        return True


class WebChatChannel(SocketIOInput):
    """Socket.IO at /socket.io/ (websocket transport), sender ids `web:<session>`."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WebChatChannel":
        credentials = credentials or {}
        origins = credentials.get("allowed_origins") or ""
        if isinstance(origins, str):
            origins = [o.strip() for o in origins.replace(",", " ").split() if o.strip()]
        return cls(allowed_origins=list(origins))

    def __init__(self, allowed_origins: Optional[List[str]] = None) -> None:
        super().__init__(session_persistence=True, socketio_path="/socket.io")
        # None: the page's own origin only (what nginx serves); a list replaces it
        # (name the page's own origin in it too).
        self.allowed_origins = allowed_origins or None
        self._recent: Dict[str, Deque[float]] = defaultdict(deque)

    def get_output_channel(self) -> Optional[WebOutput]:
        return WebOutput(self.sio) if self.sio is not None else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins)
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "web_chat", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and SESSION_FORMAT.match(asked) else None
            session_id = session_id or uuid.uuid4().hex
            await sio.save_session(sid, {"session_id": session_id})
            await sio.enter_room(sid, session_id)
            # Recorded as not to be messaged first: reminders, broadcasts and holder
            # notices skip website senders (no page may be open to get them).
            await storage.set_subscribed(SenderKey(CHANNEL, qualify(CHANNEL, session_id)), False)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> None:
            session_id = (await sio.get_session(sid)).get("session_id")
            if not session_id:
                await sio.emit("bot_uttered", {"text": NO_SESSION, "buttons": []}, room=sid)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return
            await self.handle(sio, session_id, text, on_new_message)

        return blueprint

    async def handle(
        self, sio: AsyncServer, session_id: str, text: str, on_new_message: OnNewMessage
    ) -> None:
        """One message of the session's browser through the assistant."""
        sender_id = qualify(CHANNEL, session_id)
        key = SenderKey(CHANNEL, sender_id)
        keyboard = await storage.load_keyboard(key)
        output = WebOutput(sio, keyboard)
        if not self._within_rate(session_id):
            await answer(output, sender_id, TOO_FAST)
            return
        message = UserMessage(
            payload_for(text.strip(), keyboard) or text.strip(),
            output,
            sender_id,
            input_channel=CHANNEL,
            message_id=f"web-{uuid.uuid4().hex}",
        )
        await run_turn(on_new_message, message, output)

    def _within_rate(self, session_id: str) -> bool:
        """At most MESSAGES_PER_MINUTE per session in any minute (this process)."""
        now = wall_clock().timestamp()
        recent = self._recent[session_id]
        while recent and recent[0] <= now - 60:
            recent.popleft()
        if len(recent) >= MESSAGES_PER_MINUTE:
            return False
        recent.append(now)
        if len(self._recent) > 10000:  # forget idle sessions
            for idle in [s for s, r in self._recent.items() if not r or r[-1] <= now - 60]:
                del self._recent[idle]
        return True
