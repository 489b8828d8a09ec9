"""`teplo billing links`: links and QR codes for the bill printer."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.billing.bill_links import CSV_NAME, QR_FOLDER, QR_FORMATS, write_bill_links
from core.db.engine import unit_of_work
from core.settings import env_str, get_settings
from core.staff.actor import cli_actor
from core.staff.links import issue_bill_links
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "links",
        help="посилання та QR-коди на чат для друку на рахунках",
        description=f"Записує в ТЕКУ {CSV_NAME} (номер рахунку, посилання Telegram і Viber) "
        f"та QR-коди в {QR_FOLDER}/. Посилання лише підставляє номер рахунку: підтвердження "
        "власності чат однаково запитає. Бот Telegram — TELEGRAM_BOT_NAME, адреса Viber — "
        "VIBER_CHAT_URI (або параметри нижче).",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="ТЕКА", help="куди записати")
    parser.add_argument("--street", metavar="ВУЛИЦЯ", help="лише рахунки однієї вулиці")
    parser.add_argument(
        "--renew",
        action="store_true",
        help="видати нові посилання (старі, уже надруковані, перестануть підставляти рахунок)",
    )
    parser.add_argument(
        "--qr-format",
        choices=QR_FORMATS,
        default="png",
        metavar="ФОРМАТ",
        help="png (типово) або svg",
    )
    parser.add_argument("--telegram-bot", metavar="ІМ'Я", help="ім'я бота без @")
    parser.add_argument("--viber-uri", metavar="URI", help="адреса (URI) бота Viber")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    bot = args.telegram_bot if args.telegram_bot is not None else env_str("TELEGRAM_BOT_NAME")
    uri = args.viber_uri if args.viber_uri is not None else env_str("VIBER_CHAT_URI")
    with unit_of_work() as session:
        rows = issue_bill_links(
            session,
            cli_actor(),
            get_settings().now(),
            telegram_bot=bot,
            viber_uri=uri,
            street=args.street,
            renew=args.renew,
        )
        # Inside the unit of work: tokens are stored only if the files were written.
        path = write_bill_links(args.out, rows, args.qr_format)
    print(f"Посилань для рахунків: {len(rows)} → {path}, QR-коди в {args.out / QR_FOLDER}")
    return EXIT_OK
