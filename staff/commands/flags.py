"""`teplo flags`: accounts staff should look into, in two queues («Це не я» reports;
proof locks and suspicious proofs), and the decisions about them. The decisions
live in `core.staff.flags` (validated and audited there), shared with the console."""

from __future__ import annotations

import argparse

from core.db.engine import unit_of_work
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.staff import flags as staff_ops
from core.texts.outbox import moment
from staff.common import EXIT_OK, StaffError, add_commands, as_cli, shown


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "flags",
        description="Рахунки, які асистент позначив для працівників, у двох чергах: "
        "«Це не я» (власник не впізнав нового користувача; його доступ призупинено до "
        "вашого рішення) і підтвердження (хтось багато разів неправильно ввів цифри "
        "лічильника або підтвердив рахунок після неправильних спроб).",
    )
    commands = add_commands(parser, "flags_command")
    listing = commands.add_parser("list", help="відкриті прапорці, найновіші першими, посторінково")
    listing.add_argument(
        "--queue", choices=staff_ops.QUEUES, help="лише одна черга (not-me або locks)"
    )
    listing.add_argument("--page", type=int, default=1, help="сторінка (по 50)")
    listing.add_argument("--all", action="store_true", help="і вже опрацьовані, після відкритих")
    listing.set_defaults(handler=run_list)
    resolve = commands.add_parser(
        "resolve",
        help="зняти прапорці з рахунку після перевірки",
        description="Знімає всі відкриті прапорці з рахунку. Після «забагато неправильних "
        "спроб» рахунок знову приймає підтвердження; перед цим зв'яжіться з власником.",
    )
    resolve.add_argument("number", metavar="РАХУНОК", help="номер особового рахунку")
    resolve.add_argument("--note", default="", help="що з'ясовано (у журнал дій)")
    resolve.set_defaults(handler=run_resolve)
    decide = commands.add_parser(
        "decide",
        help="рішення щодо «Це не я»: відновити доступ новачка або від'єднати його",
    )
    decide.add_argument("flag_id", type=int, metavar="ID", help="номер прапорця з flags list")
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", action="store_true", help="це свій: відновити доступ")
    choice.add_argument(
        "--evict", action="store_true", help="сторонній: від'єднати й заборонити додавати знову"
    )
    decide.add_argument("--note", default="", help="що з'ясовано (у журнал дій)")
    decide.set_defaults(handler=run_decide)
    bars = commands.add_parser("bars", help="заборони повторного додавання рахунку")
    bars.add_argument("number", metavar="РАХУНОК")
    bars.set_defaults(handler=run_bars)
    lift = commands.add_parser("lift-bar", help="зняти заборону повторного додавання")
    lift.add_argument("bar_id", type=int, metavar="ID", help="номер заборони з flags bars")
    lift.add_argument("--note", default="", help="чому (у журнал дій)")
    lift.set_defaults(handler=run_lift)


def run_list(args: argparse.Namespace) -> int:
    queues = [args.queue] if args.queue else list(staff_ops.QUEUES)
    with unit_of_work() as session:
        pages = [
            staff_ops.flag_queue(session, queue, args.page, open_only=not args.all)
            for queue in queues
        ]
    if not any(page.rows for page in pages) and not any(page.unresolved for page in pages):
        print("Відкритих прапорців немає.")
        return EXIT_OK
    for page in pages:
        print(
            f"{staff_ops.QUEUE_TITLES[page.queue]}: відкритих {page.unresolved}, "
            f"усього {page.total}; сторінка {page.page} з {page.pages}"
        )
        for found, account in page.rows:
            state = (
                "" if found.resolved_at is None else f" [опрацьовано {moment(found.resolved_at)}]"
            )
            print(
                f"  #{found.id} {account.number} — {moment(found.created_at)}: "
                f"{staff_ops.flag_label(found.reason)}{state}"
            )
        if page.page < page.pages:
            print(f"  далі: teplo flags list --queue {page.queue} --page {page.page + 1}")
    return EXIT_OK


def run_resolve(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_ops.resolve_account_flags, args.number, args.note))


def run_decide(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_ops.decide_report, args.flag_id, keep=args.keep, note=args.note))


def run_bars(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        account = accounts_repo.find_account(session, args.number.strip())
        if account is None:
            raise StaffError(f"рахунку {args.number} немає в базі")
        bars = [
            (bar.id, bar.channel, bar.created_at)
            for bar in holders_repo.bars_of_account(session, account.id)
        ]
    if not bars:
        print(f"Рахунок {args.number}: заборон немає.")
    for bar_id, channel, at in bars:
        print(f"  #{bar_id} {channel} — з {moment(at)}")
    return EXIT_OK


def run_lift(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_ops.lift_bar, args.bar_id, note=args.note))
