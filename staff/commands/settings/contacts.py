"""`teplo settings contacts`: the service department's contacts the assistant gives."""

from __future__ import annotations

import argparse

from core.settings import get_settings
from core.staff import settings as staff_settings
from core.staff.settings import CONTACT_KEYS
from staff.common import EXIT_OK, StaffError, as_cli, shown


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "contacts",
        help="контакти абонентського відділу, які називає асистент",
        description="Телефон, години роботи й e-mail. Без значення в базі асистент бере "
        "значення з налаштувань середовища (OPERATOR_PHONE, OPERATOR_HOURS, OPERATOR_EMAIL).",
    )
    parser.add_argument("--phone", metavar="ТЕЛЕФОН", help='напр. "(0532) 50-00-00"')
    parser.add_argument("--hours", metavar="ГОДИНИ", help='години роботи, напр. "пн–пт 8:00–17:00"')
    parser.add_argument("--email", metavar="АДРЕСА", help="e-mail")
    parser.add_argument(
        "--reset",
        nargs="+",
        choices=sorted(CONTACT_KEYS),
        default=[],
        metavar="ПОЛЕ",
        help="прибрати значення з бази й повернути значення середовища; поля: "
        + ", ".join(sorted(CONTACT_KEYS)),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    new_values = {
        name: getattr(args, name) for name in CONTACT_KEYS if getattr(args, name) is not None
    }
    if not new_values and not args.reset:
        raise StaffError("вкажіть --phone, --hours, --email або --reset")
    for name in args.reset:
        if name in new_values:
            raise StaffError(f"--{name} і --reset {name} одночасно")
    for name, value in new_values.items():
        if not value.strip():
            raise StaffError(
                f"порожнє значення --{name}; щоб прибрати його, скористайтеся --reset {name}"
            )
    changes = {**new_values, **{name: None for name in args.reset}}
    result = as_cli(staff_settings.save_contacts, get_settings(), changes)
    shown(result)
    print(f"Асистент тепер називає: {result.value.line()}")
    return EXIT_OK
