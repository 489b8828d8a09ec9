"""`console-user`: staff accounts of the web console (created only from the command line)."""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from core.db.engine import unit_of_work
from core.db.models import StaffRole, StaffUser
from core.passwords import check_strength, hash_password
from core.repository import console as console_repo
from core.settings import get_settings
from staff.common import EXIT_OK, StaffError, add_commands
from staff.tables import render_table

_USERNAME = re.compile(r"^[a-z0-9._-]{2,60}$")
ROLE_LABELS = {StaffRole.clerk.value: "оператор", StaffRole.admin.value: "адміністратор"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "console-user",
        description="Облікові записи веб-консолі (make console). Ролі: clerk — перегляд, "
        "виправлення показників, зв’язки з месенджерами; admin — ще й налаштування місяця, "
        "імпорт з білінгу, журнал змін. Пароль запитується двічі (або з --password-stdin).",
    )
    commands = add_commands(parser, "user_command")

    add = commands.add_parser("add", help="додати працівника")
    add.add_argument("username", metavar="ІМ’Я", help="ім’я для входу (латиниця, цифри, . _ -)")
    add.add_argument(
        "--role",
        choices=[r.value for r in StaffRole],
        required=True,
        metavar="РОЛЬ",
        help="clerk (оператор) або admin (адміністратор)",
    )
    add.add_argument("--name", default="", help="ПІБ, як показувати в консолі")
    add.add_argument(
        "--password-stdin", action="store_true", help="пароль з першого рядка стандартного вводу"
    )
    add.set_defaults(handler=run_add)

    password = commands.add_parser("password", help="задати новий пароль")
    password.add_argument("username", metavar="ІМ’Я", help="ім’я для входу")
    password.add_argument(
        "--password-stdin", action="store_true", help="пароль з першого рядка стандартного вводу"
    )
    password.set_defaults(handler=run_password)

    role = commands.add_parser("role", help="змінити роль")
    role.add_argument("username", metavar="ІМ’Я", help="ім’я для входу")
    role.add_argument(
        "role",
        choices=[r.value for r in StaffRole],
        metavar="РОЛЬ",
        help="clerk (оператор) або admin (адміністратор)",
    )
    role.set_defaults(handler=run_role)

    for name, active, text in (
        ("disable", False, "вимкнути (вхід неможливий, відкриті сесії закриваються)"),
        ("enable", True, "увімкнути знову"),
    ):
        toggle = commands.add_parser(name, help=text)
        toggle.add_argument("username", metavar="ІМ’Я", help="ім’я для входу")
        toggle.set_defaults(handler=run_toggle, active=active)

    listing = commands.add_parser("list", help="список працівників")
    listing.set_defaults(handler=run_list)


def _actor() -> str:
    """Who made the change from the shell, for the audit log."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Пароль: ")
        if getpass.getpass("Ще раз: ") != password:
            raise StaffError("паролі не збігаються")
    check_strength(password)
    return password


def _existing(session, username: str) -> StaffUser:
    user = console_repo.staff_user(session, username)
    if user is None:
        raise StaffError(f"працівника «{username}» немає")
    return user


def run_add(args: argparse.Namespace) -> int:
    username = args.username.strip().lower()
    if not _USERNAME.match(username):
        raise StaffError("ім’я для входу: 2–60 символів, латиниця, цифри, крапка, _ або -")
    password_hash = hash_password(_read_password(args.password_stdin))
    now = get_settings().now()
    with unit_of_work() as session:
        if console_repo.staff_user(session, username) is not None:
            raise StaffError(f"працівник «{username}» уже є")
        session.add(
            StaffUser(
                username=username,
                full_name=args.name.strip(),
                password_hash=password_hash,
                role=args.role,
                active=True,
                created_at=now,
            )
        )
        console_repo.record_audit(
            session,
            _actor(),
            "staff_user",
            username,
            None,
            {"role": args.role, "active": True},
            now,
        )
    print(f"Працівника «{username}» додано: {ROLE_LABELS[args.role]}.")
    return EXIT_OK


def run_password(args: argparse.Namespace) -> int:
    password_hash = hash_password(_read_password(args.password_stdin))
    now = get_settings().now()
    with unit_of_work() as session:
        user = _existing(session, args.username)
        user.password_hash = password_hash
        user.session_epoch += 1  # open sessions end with the old password
        console_repo.record_audit(
            session, _actor(), "staff_user", user.username, None, {"password": "змінено"}, now
        )
    print(f"Пароль «{user.username}» змінено.")
    return EXIT_OK


def run_role(args: argparse.Namespace) -> int:
    now = get_settings().now()
    with unit_of_work() as session:
        user = _existing(session, args.username)
        before, user.role = user.role, args.role
        console_repo.record_audit(
            session,
            _actor(),
            "staff_user",
            user.username,
            {"role": before},
            {"role": args.role},
            now,
        )
    print(f"«{user.username}» тепер {ROLE_LABELS[args.role]}.")
    return EXIT_OK


def run_toggle(args: argparse.Namespace) -> int:
    now = get_settings().now()
    with unit_of_work() as session:
        user = _existing(session, args.username)
        before, user.active = user.active, args.active
        console_repo.record_audit(
            session,
            _actor(),
            "staff_user",
            user.username,
            {"active": before},
            {"active": args.active},
            now,
        )
    print(f"«{user.username}» {'увімкнено' if args.active else 'вимкнено'}.")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        users = console_repo.staff_users(session)
    rows = [
        [
            u.username,
            u.full_name,
            ROLE_LABELS.get(u.role, u.role),
            "так" if u.active else "ні",
            f"{u.created_at:%d.%m.%Y}",
        ]
        for u in users
    ]
    print(
        render_table(["ім’я", "ПІБ", "роль", "активний", "створено"], rows)
        if rows
        else "Працівників немає."
    )
    return EXIT_OK
