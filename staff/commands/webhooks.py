"""`teplo webhooks`: registers or removes the assistant's webhook in Telegram or Viber."""

from __future__ import annotations

import argparse

from staff.common import EXIT_OK

# Spelled out here rather than read from channels.webhooks, which imports aiohttp:
# every `teplo` start would pay for it (tests/channels/test_shared.py keeps them equal).
MESSENGERS = ("telegram", "viber")
ACTIONS = ("set", "delete", "info")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "webhooks",
        help="вебхуки асистента в Telegram і Viber",
        description="Реєструє, видаляє або показує вебхук (webhook) асистента в месенджері. "
        "Токени й адреси беруться зі змінних середовища, як у credentials.prod.yml "
        "(docs/channels.md). Viber перевіряє адресу запитом, тож асистент має вже "
        "працювати за HTTPS.",
        epilog="Приклад: teplo webhooks telegram set",
    )
    parser.add_argument(
        "messenger",
        choices=MESSENGERS,
        metavar="МЕСЕНДЖЕР",
        help="telegram або viber",
    )
    parser.add_argument(
        "action",
        choices=ACTIONS,
        metavar="ДІЯ",
        help="set — встановити, delete — видалити, info — показати стан",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from channels import webhooks

    print(webhooks.manage(args.messenger, args.action))
    return EXIT_OK
