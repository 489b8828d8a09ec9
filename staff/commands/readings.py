"""`teplo readings …`: an account's readings, and correcting or annulling one —
the console's «Виправлення» from the command line (`core.staff.readings`: the
chat's rules, the earlier reading kept, the change audited)."""

from __future__ import annotations

import argparse

from core.db.engine import unit_of_work
from core.repository import accounts as accounts_repo
from core.settings import get_settings
from core.staff import readings as staff_readings
from core.staff.accounts import account_page
from core.staff.actor import cli_actor
from core.texts.common import format_decimal, format_period
from core.texts.labels import channel_label
from staff.common import EXIT_OK, StaffError, add_commands, as_cli, shown, whole_number
from staff.tables import render_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "readings",
        description="Показники рахунку за останні місяці (чинні й замінені) і виправлення: "
        "нове значення перевіряється тими самими правилами, що й у чаті; попередній "
        "показник лишається в історії; кожна зміна — у журналі змін.",
    )
    commands = add_commands(parser, "readings_command")
    listing = commands.add_parser("list", help="показники рахунку з їхніми номерами")
    listing.add_argument("number", metavar="РАХУНОК", help="номер особового рахунку")
    listing.set_defaults(handler=run_list)
    correct = commands.add_parser("correct", help="нове значення замість чинного показника")
    correct.add_argument("reading_id", type=whole_number, metavar="НОМЕР", help="з readings list")
    correct.add_argument("value", metavar="ЗНАЧЕННЯ", help="напр. 1234,5")
    correct.add_argument("--reason", required=True, metavar="ПРИЧИНА", help="у журнал змін")
    correct.set_defaults(handler=run_correct)
    annul = commands.add_parser("annul", help="зняти показник з обліку без заміни")
    annul.add_argument("reading_id", type=whole_number, metavar="НОМЕР", help="з readings list")
    annul.add_argument("--reason", required=True, metavar="ПРИЧИНА", help="у журнал змін")
    annul.set_defaults(handler=run_annul)


def run_list(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        account = accounts_repo.find_account(session, args.number.strip())
        if account is None:
            raise StaffError(f"рахунку {args.number} немає в базі")
        page = account_page(session, cli_actor(), get_settings().now(), account.id)
        serials = {meter.id: meter.serial for meter in page.meters}
        rows = [
            [
                reading.id,
                format_period(reading.period),
                serials[reading.meter_id],
                format_decimal(reading.value),
                "так" if reading.in_force else "замінений",
                channel_label(reading.channel),
            ]
            for reading in page.readings
        ]
    if not rows:
        print(f"Рахунок {args.number}: показників немає.")
        return EXIT_OK
    headers = ["№", "період", "лічильник", "значення", "чинний", "канал"]
    print(render_table(headers, rows, right_aligned={0, 3}))
    return EXIT_OK


def run_correct(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_readings.correct_reading, args.reading_id, args.value, args.reason))


def run_annul(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_readings.annul_reading, args.reading_id, args.reason))
