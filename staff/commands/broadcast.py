"""`broadcast`: a text from the utility to all users, to given streets, or to those
who have not submitted readings; a dry run first, sending only with the count confirmed
(`core.staff.broadcast`, audited)."""

from __future__ import annotations

import argparse

from core.db.engine import unit_of_work
from core.errors import StaffError
from core.outbox.broadcast import Audience
from core.settings import get_settings
from core.staff import broadcast as staff_broadcast
from core.texts.outbox import moment
from staff.common import EXIT_OK, as_cli, period_arg


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "broadcast",
        description="Без --send лише показує, скільком користувачам і що буде надіслано. "
        "Щоб надіслати, повторіть команду з --send --expect КІЛЬКІСТЬ — числом "
        "одержувачів із перегляду. Надсилається через ту саму чергу, що й нагадування: "
        "з тими самими обмеженнями швидкості й без надсилання вночі.",
    )
    parser.add_argument(
        "--text", required=True, metavar="ТЕКСТ", help="текст повідомлення (до 1000 символів)"
    )
    parser.add_argument(
        "--street",
        action="append",
        default=[],
        metavar="НАЗВА",
        help="лише власникам рахунків на вулиці, назва якої містить НАЗВА (можна кілька)",
    )
    parser.add_argument(
        "--not-submitted",
        type=period_arg,
        metavar="РРРР-ММ",
        help="лише тим, хто ще не передав усіх показників за цей місяць",
    )
    parser.add_argument("--send", action="store_true", help="поставити розсилку в чергу")
    parser.add_argument(
        "--expect",
        type=int,
        metavar="КІЛЬКІСТЬ",
        help="кількість одержувачів, яку показав перегляд (підтвердження)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    audience = Audience(tuple(args.street), args.not_submitted)
    if args.send:
        if args.expect is None:
            raise StaffError("--send потребує --expect КІЛЬКІСТЬ: числа одержувачів з перегляду")
        result = as_cli(staff_broadcast.send, args.text, audience, args.expect)
        if not result.ok:
            raise StaffError(result.message)
        plan, _ = result.value
    else:
        with unit_of_work() as session:
            plan = staff_broadcast.preview(session, get_settings().now(), args.text, audience)
    count = len(plan.recipients)
    channels = ", ".join(f"{c} {n}" for c, n in sorted(plan.by_channel.items())) or "—"
    print(f"Кому: {audience.describe()}")
    print(f"Одержувачів: {count} ({channels})")
    print(f"Надсилання з {moment(plan.not_before)}")
    print("Текст:\n" + "\n".join("  " + line for line in plan.text.splitlines()))
    if not args.send:
        print(f"\nЦе перегляд. Щоб надіслати: додайте --send --expect {count}")
    else:
        print("\n" + result.message)
    return EXIT_OK
