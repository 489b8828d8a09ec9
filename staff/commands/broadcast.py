"""`broadcast`: a text from the utility to all users, to given streets, or to those
who have not submitted readings; a dry run first, sending only with the count confirmed."""

from __future__ import annotations

import argparse

from core.db.engine import unit_of_work
from core.errors import StaffError
from core.outbox.broadcast import Audience, enqueue, prepare
from core.settings import get_settings
from core.texts.outbox import moment
from staff.common import EXIT_OK, period_arg


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
    now = get_settings().now()
    audience = Audience(tuple(args.street), args.not_submitted)
    with unit_of_work() as session:
        plan = prepare(session, args.text, audience, now)
        count = len(plan.recipients)
        if args.send:
            if args.expect != count:
                raise StaffError(
                    f"одержувачів зараз {count}, а підтверджено --expect {args.expect}; "
                    "перегляньте розсилку ще раз без --send"
                )
            added = enqueue(session, plan, now)
    channels = ", ".join(f"{c} {n}" for c, n in sorted(plan.by_channel.items())) or "—"
    print(f"Кому: {audience.describe()}")
    print(f"Одержувачів: {count} ({channels})")
    print(f"Надсилання з {moment(plan.not_before)}")
    print("Текст:\n" + "\n".join("  " + line for line in plan.text.splitlines()))
    if not args.send:
        print(f"\nЦе перегляд. Щоб надіслати: додайте --send --expect {count}")
    else:
        print(f"\nУ черзі нових повідомлень: {added} (решта вже були в черзі раніше).")
    return EXIT_OK
