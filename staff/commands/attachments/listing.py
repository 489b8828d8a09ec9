"""`teplo attachments list`: what consumers sent, newest first."""

from __future__ import annotations

import argparse
from datetime import datetime

from core.db.engine import unit_of_work
from core.repository import attachments as attachments_repo
from core.settings import KYIV
from core.texts.attachments import attachment_cells
from staff.common import EXIT_OK, date_arg
from staff.tables import render_table

HEADERS = ["№", "отримано", "канал", "рахунок", "лічильник", "період", "тип", "розмір"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "list",
        help="список надісланих фото й документів",
        description="Фото й документи, найновіші спершу (до 500). Номер у першій колонці — "
        "для teplo attachments open.",
    )
    parser.add_argument("--account", metavar="НОМЕР", help="лише надіслані щодо цього рахунку")
    parser.add_argument(
        "--since", type=date_arg, metavar="ДАТА", help="лише отримані з цього дня (РРРР-ММ-ДД)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    since = datetime.combine(args.since, datetime.min.time(), tzinfo=KYIV) if args.since else None
    with unit_of_work() as session:
        rows = [
            attachment_cells(row)
            for row in attachments_repo.listed(
                session, args.account and args.account.strip(), since
            )
        ]
    if not rows:
        print("Фото й документів немає.")
        return EXIT_OK
    print(render_table(HEADERS, rows, right_aligned=(0, 7)))
    return EXIT_OK
