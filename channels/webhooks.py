"""Registers or removes the messenger webhooks (staff command).

    python -m channels.webhooks telegram set|delete|info
    python -m channels.webhooks viber set|delete|info

Reads the same environment variables as credentials.prod.yml. Viber checks the
URL by calling it, so the assistant must already be running behind HTTPS.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Awaitable, Callable, Dict, List, Optional

from channels.telegram_api import DEFAULT_API_URL as TELEGRAM_API_URL
from channels.telegram_api import TelegramApi, TelegramApiError
from channels.viber_api import DEFAULT_API_URL as VIBER_API_URL
from channels.viber_api import ViberApi, ViberApiError

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
PATHS = {"telegram": "/webhooks/telegram/webhook", "viber": "/webhooks/viber/webhook"}


class ConfigError(Exception):
    pass


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"змінна середовища {name} не задана")
    return value


def _webhook_url(channel: str, variable: str) -> str:
    url = _env(variable)
    if not url.startswith("https://"):
        raise ConfigError(f"{variable} має починатися з https://")
    if not url.rstrip("/").endswith(PATHS[channel]):
        print(f"Увага: асистент приймає {channel} на шляху {PATHS[channel]}; перевірте {variable}.")
    return url


async def telegram(action: str) -> str:
    api = TelegramApi(
        _env("TELEGRAM_BOT_TOKEN"), os.environ.get("TELEGRAM_API_URL") or TELEGRAM_API_URL
    )
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
    api = ViberApi(_env("VIBER_AUTH_TOKEN"), os.environ.get("VIBER_API_URL") or VIBER_API_URL)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m channels.webhooks",
        description="Реєстрація webhook асистента в Telegram і Viber (див. docs/channels.md).",
    )
    parser.add_argument("messenger", choices=sorted(COMMANDS))
    parser.add_argument(
        "action",
        choices=["set", "delete", "info"],
        help="set — встановити, delete — видалити, info — показати стан",
    )
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(asyncio.run(COMMANDS[args.messenger](args.action)))
        return EXIT_OK
    except ConfigError as error:
        print(f"Помилка налаштування: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (TelegramApiError, ViberApiError) as error:
        print(f"Месенджер відмовив: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
