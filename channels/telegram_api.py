"""A small client for the Telegram Bot API (only the methods the assistant uses)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from channels.http import ApiUnreachable, JsonClient, TooLarge

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
# Updates the assistant handles; `my_chat_member` tells us when a user blocks the bot.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MAX_RETRY_AFTER = 5  # seconds we are willing to wait on a 429 inside a webhook call
ATTEMPTS = 3


class TelegramApiError(Exception):
    """Telegram refused a call; `code` is its error_code (None: unreachable)."""

    def __init__(
        self,
        method: str,
        code: Optional[int],
        description: str,
        retry_after: Optional[int] = None,
    ) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.method, self.code, self.description = method, code, description
        self.retry_after = retry_after  # seconds Telegram asked us to wait (429)


class TelegramApi:
    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_API_URL,
        client: Optional[JsonClient] = None,
        attempts: int = ATTEMPTS,
    ) -> None:
        """`attempts=1` leaves retrying to the caller (the outbox sender does its own)."""
        self._token = token
        self._attempts = attempts
        self._base = base_url.rstrip("/")
        self._client = client or JsonClient()

    async def call(self, method: str, payload: Dict[str, Any]) -> Any:
        """Calls `method`; retries briefly on flood control and network errors."""
        url = f"{self._base}/bot{self._token}/{method}"
        attempts = self._attempts
        for attempt in range(1, attempts + 1):
            try:
                _status, body = await self._client.post(url, payload)
            except ApiUnreachable as error:
                if attempt == attempts:
                    raise TelegramApiError(method, None, str(error)) from None
                await asyncio.sleep(0.5 * attempt)
                continue
            if body.get("ok"):
                return body.get("result")
            code = body.get("error_code")
            retry_after = (body.get("parameters") or {}).get("retry_after")
            if code == 429 and attempt < attempts and (retry_after or 0) <= MAX_RETRY_AFTER:
                await asyncio.sleep(1 if retry_after is None else retry_after)
                continue
            raise TelegramApiError(method, code, str(body.get("description", "")), retry_after)
        raise AssertionError("unreachable")

    async def send_message(
        self, chat_id: str, text: str, reply_markup: Optional[Dict[str, Any]] = None
    ) -> Any:
        payload: Dict[str, Any] = {"chat_id": chat_id, "text": text}
        if reply_markup is not None:
            payload["reply_markup"] = reply_markup
        return await self.call("sendMessage", payload)

    async def answer_callback(self, callback_query_id: str) -> None:
        await self.call("answerCallbackQuery", {"callback_query_id": callback_query_id})

    async def drop_inline_keyboard(self, chat_id: Any, message_id: int) -> None:
        await self.call("editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id})

    async def download_file(self, file_id: str, limit: int) -> bytes:
        """A file a user sent: getFile for its path, then the file itself.

        Raises TooLarge past `limit` bytes, TelegramApiError when Telegram does
        not give it (the Bot API serves files up to 20 MB).
        """
        info = await self.call("getFile", {"file_id": file_id}) or {}
        path = info.get("file_path") if isinstance(info, dict) else None
        if not path:
            raise TelegramApiError("getFile", None, "no file_path")
        if (info.get("file_size") or 0) > limit:
            raise TooLarge()
        try:
            return await self._client.download(f"{self._base}/file/bot{self._token}/{path}", limit)
        except ApiUnreachable as error:
            raise TelegramApiError("file", None, str(error)) from None

    async def set_webhook(
        self, url: str, secret_token: str, allowed_updates: List[str] = ALLOWED_UPDATES
    ) -> Any:
        return await self.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": allowed_updates,
                "max_connections": 10,
            },
        )

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook", {"drop_pending_updates": False})

    async def webhook_info(self) -> Dict[str, Any]:
        return await self.call("getWebhookInfo", {})

    async def close(self) -> None:
        await self._client.close()
