"""A small client for the Viber REST bot API, and the callback signature."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Dict, Optional
from urllib.parse import urlsplit

from channels.http import ApiUnreachable, JsonClient

DEFAULT_API_URL = "https://chatapi.viber.com/pa"
AUTH_HEADER = "X-Viber-Auth-Token"
# Callbacks the bot asks for; Viber sends `message` and `webhook` regardless.
EVENT_TYPES = ["delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started"]
# send_message statuses meaning the user cannot receive from the bot.
NOT_REACHABLE = {5: "receiverNotRegistered", 6: "receiverNotSubscribed"}
SENDER_NAME_LIMIT = 28


class ViberApiError(Exception):
    """Viber refused a call; `status` is Viber's status (None: unreachable)."""

    def __init__(self, method: str, status: Optional[int], message: str) -> None:
        super().__init__(f"{method}: {status} {message}")
        self.method, self.status, self.message = method, status, message


def signature(auth_token: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of the raw callback body keyed with the auth token."""
    return hmac.new(auth_token.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(auth_token: str, body: bytes, given: Optional[str]) -> bool:
    if not given:
        return False
    return hmac.compare_digest(signature(auth_token, body).encode(), given.strip().lower().encode())


class ViberApi:
    def __init__(
        self, auth_token: str, base_url: str = DEFAULT_API_URL, client: Optional[JsonClient] = None
    ) -> None:
        self._token = auth_token
        self._base = base_url.rstrip("/")
        self._client = client or JsonClient()

    async def call(self, method: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        try:
            _status, body = await self._client.post(
                f"{self._base}/{method}", payload, headers={AUTH_HEADER: self._token}
            )
        except ApiUnreachable as error:
            raise ViberApiError(method, None, str(error)) from None
        if body.get("status") != 0:
            raise ViberApiError(method, body.get("status"), str(body.get("status_message", "")))
        return body

    def media_allowed(self, url: str) -> bool:
        """Media is fetched only from Viber's own hosts (or the API's host, e.g. a
        local stand-in): a callback never makes the server fetch an arbitrary URL."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("https", "http") or not host:
            return False
        if host == (urlsplit(self._base).hostname or "").lower():
            return True
        return parts.scheme == "https" and (host == "viber.com" or host.endswith(".viber.com"))

    async def download_media(self, url: str, limit: int) -> bytes:
        """A picture or file a user sent, by the `media` URL of its callback.

        Raises TooLarge past `limit` bytes, ViberApiError when it is not available.
        """
        if not self.media_allowed(url):
            raise ViberApiError("media", None, "not a Viber media URL")
        try:
            # Viber's media links redirect (to its CDN); every hop is checked again.
            return await self._client.download(url, limit, allowed=self.media_allowed)
        except ApiUnreachable as error:
            raise ViberApiError("media", None, str(error)) from None

    async def send_text(
        self,
        receiver: str,
        text: str,
        sender: Dict[str, str],
        keyboard: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        return await self.call("send_message", text_message(text, sender, keyboard, receiver))

    async def set_webhook(self, url: str) -> Dict[str, Any]:
        return await self.call(
            "set_webhook",
            {
                "url": url,
                "event_types": EVENT_TYPES,
                "send_name": True,
                "send_photo": False,
            },
        )

    async def remove_webhook(self) -> Dict[str, Any]:
        return await self.call("set_webhook", {"url": ""})

    async def account_info(self) -> Dict[str, Any]:
        return await self.call("get_account_info", {})

    async def close(self) -> None:
        await self._client.close()


def sender_of(name: str, avatar: str = "") -> Dict[str, str]:
    sender = {"name": name[:SENDER_NAME_LIMIT]}
    if avatar:
        sender["avatar"] = avatar
    return sender


def text_message(
    text: str,
    sender: Dict[str, str],
    keyboard: Optional[Dict[str, Any]] = None,
    receiver: Optional[str] = None,
) -> Dict[str, Any]:
    """A send_message body; without `receiver` it is the welcome-message form."""
    message: Dict[str, Any] = {"min_api_version": 1, "sender": sender, "type": "text", "text": text}
    if receiver is not None:
        message["receiver"] = receiver
    if keyboard is not None:
        message["keyboard"] = keyboard
    return message
