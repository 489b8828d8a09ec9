"""`teplo flags`: accounts staff should look into, and marking them looked into."""

from __future__ import annotations

import argparse
from getpass import getuser

from core.db.engine import unit_of_work
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.settings import get_settings
from core.texts.accounts import FLAG_REASONS
from core.texts.outbox import moment
from staff.common import EXIT_OK, StaffError, add_commands


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "flags",
        help="рахунки для перевірки: «Це не я», забагато неправильних підтверджень",
        description="Рахунки, які асистент позначив для працівників: власник не впізнав "
        "нового користувача («Це не я») або хтось багато разів неправильно ввів цифри "
        "лічильника, підтверджуючи рахунок (такий рахунок не приймає нових підтверджень, "
        "доки прапорець не знято).",
    )
    commands = add_commands(parser, "flags_command")
    listing = commands.add_parser("list", help="відкриті прапорці, найстаріші першими")
    listing.set_defaults(handler=run_list)
    resolve = commands.add_parser(
        "resolve",
        help="зняти прапорці з рахунку після перевірки",
        description="Знімає всі відкриті прапорці з рахунку. Після «забагато неправильних "
        "спроб» рахунок знову приймає підтвердження; перед цим зв'яжіться з власником.",
    )
    resolve.add_argument("number", metavar="РАХУНОК", help="номер особового рахунку")
    resolve.set_defaults(handler=run_resolve)


def run_list(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        flags = holders_repo.open_flags(session)
    if not flags:
        print("Відкритих прапорців немає.")
    for number, reason, at in flags:
        print(f"{number} — {moment(at)}: {FLAG_REASONS.get(reason, reason)}")
    return EXIT_OK


def run_resolve(args: argparse.Namespace) -> int:
    now = get_settings().now()
    with unit_of_work() as session:
        account = accounts_repo.find_account(session, args.number.strip())
        if account is None:
            raise StaffError(f"рахунку {args.number} немає в базі")
        resolved = holders_repo.resolve_flags(session, account.id, f"teplo:{getuser()}", now)
    print(f"Рахунок {args.number}: знято прапорців — {resolved}.")
    return EXIT_OK
