"""Registers or removes the messenger webhooks (staff run `teplo webhooks telegram set`).

Reads the same environment variables as credentials.prod.yml. Viber checks the
URL by calling it, so the assistant must already be running behind HTTPS.
Failures are `StaffError`s: a missing or wrong setting, or the messenger's refusal.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Dict

from channels.telegram_api import DEFAULT_API_URL as TELEGRAM_API_URL
from channels.telegram_api import TelegramApi, TelegramApiError
from channels.viber_api import DEFAULT_API_URL as VIBER_API_URL
from channels.viber_api import ViberApi, ViberApiError
from core.errors import StaffError
from core.settings import env_str

PATHS = {"telegram": "/webhooks/telegram/webhook", "viber": "/webhooks/viber/webhook"}
ACTIONS = ("set", "delete", "info")


def _env(name: str) -> str:
    value = env_str(name).strip()
    if not value:
        raise StaffError(f"змінна середовища {name} не задана")
    return value


def _webhook_url(channel: str, variable: str) -> str:
    url = _env(variable)
    if not url.startswith("https://"):
        raise StaffError(f"{variable} має починатися з https://")
    if not url.rstrip("/").endswith(PATHS[channel]):
        print(f"Увага: асистент приймає {channel} на шляху {PATHS[channel]}; перевірте {variable}.")
    return url


async def telegram(action: str) -> str:
    api = TelegramApi(_env("TELEGRAM_BOT_TOKEN"), env_str("TELEGRAM_API_URL") or TELEGRAM_API_URL)
    try:
        if action == "set":
            url = _webhook_url("telegram", "TELEGRAM_WEBHOOK_URL")
            await api.set_webhook(url, _env("TELEGRAM_SECRET_TOKEN"))
            return f"Telegram: webhook встановлено на {url} (із секретним токеном)."
        if action == "delete":
            await api.delete_webhook()
            return "Telegram: webhook видалено; оновлення чекатимуть у Telegram до нового."
        info = await api.webhook_info()
        return (
            f"Telegram: url={info.get('url') or '—'}, "
            f"у черзі={info.get('pending_update_count', 0)}, "
            f"остання помилка={info.get('last_error_message') or '—'}"
        )
    finally:
        await api.close()


async def viber(action: str) -> str:
    api = ViberApi(_env("VIBER_AUTH_TOKEN"), env_str("VIBER_API_URL") or VIBER_API_URL)
    try:
        if action == "set":
            url = _webhook_url("viber", "VIBER_WEBHOOK_URL")
            answer = await api.set_webhook(url)
            events = ", ".join(answer.get("event_types") or [])
            return f"Viber: webhook встановлено на {url}; події: {events or '—'}."
        if action == "delete":
            await api.remove_webhook()
            return "Viber: webhook видалено; бот не отримуватиме повідомлень."
        info = await api.account_info()
        return (
            f"Viber: url={info.get('webhook') or '—'}, "
            f"підписників={info.get('subscribers_count', '—')}"
        )
    finally:
        await api.close()


COMMANDS: Dict[str, Callable[[str], Awaitable[str]]] = {
    "telegram": telegram,
    "viber": viber,
}


def manage(messenger: str, action: str) -> str:
    """Runs `action` ("set", "delete" or "info") for `messenger`; returns what to tell staff."""
    try:
        return asyncio.run(COMMANDS[messenger](action))
    except (TelegramApiError, ViberApiError) as error:
        raise StaffError(f"месенджер відмовив: {error}") from error
