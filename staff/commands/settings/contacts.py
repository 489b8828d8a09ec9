"""`teplo settings contacts`: the service department's contacts the assistant gives."""

from __future__ import annotations

import argparse
from typing import Optional

from core.contacts import EMAIL_KEY, HOURS_KEY, PHONE_KEY, load_contacts
from core.db.engine import unit_of_work
from core.db.models import Setting
from core.repository import settings as settings_repo
from core.settings import get_settings
from staff.common import EXIT_OK, StaffError

CONTACT_KEYS = {"phone": PHONE_KEY, "hours": HOURS_KEY, "email": EMAIL_KEY}


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
    if "email" in new_values and "@" not in new_values["email"]:
        raise StaffError(f"«{new_values['email']}» не схоже на e-mail")
    with unit_of_work() as session:
        for name, value in new_values.items():
            settings_repo.set_setting(session, CONTACT_KEYS[name], value.strip())
        for name in args.reset:
            stored: Optional[Setting] = session.get(Setting, CONTACT_KEYS[name])
            if stored is not None:
                session.delete(stored)
        contacts = load_contacts(session, get_settings())
    print(f"Асистент тепер називає: {contacts.line()}")
    return EXIT_OK
