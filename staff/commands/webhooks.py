"""`teplo webhooks`: registers or removes the assistant's webhook in Telegram or Viber."""

from __future__ import annotations

import argparse

from channels import webhooks
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "webhooks",
        description="Реєструє, видаляє або показує вебхук (webhook) асистента в месенджері. "
        "Токени й адреси беруться зі змінних середовища, як у credentials.prod.yml "
        "(docs/channels.md). Viber перевіряє адресу запитом, тож асистент має вже "
        "працювати за HTTPS.",
        epilog="Приклад: teplo webhooks telegram set",
    )
    parser.add_argument(
        "messenger",
        choices=tuple(webhooks.COMMANDS),
        metavar="МЕСЕНДЖЕР",
        help="telegram або viber",
    )
    parser.add_argument(
        "action",
        choices=webhooks.ACTIONS,
        metavar="ДІЯ",
        help="set — встановити, delete — видалити, info — показати стан",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(webhooks.manage(args.messenger, args.action))
    return EXIT_OK
