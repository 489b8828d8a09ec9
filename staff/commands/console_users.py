"""`console-user`: staff accounts of the web console (created only from the command
line); the changes are the core's (`core.staff.users`), audited as `teplo:<OS user>`."""

from __future__ import annotations

import argparse
import getpass
import sys

from core.db.engine import unit_of_work
from core.db.models import StaffRole
from core.passwords import check_strength, hash_password
from core.repository import staff_users as staff_users_repo
from core.staff import users as staff_users
from core.staff.users import ROLE_LABELS
from staff.common import EXIT_OK, StaffError, add_commands, as_cli, shown
from staff.tables import render_table


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


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Пароль: ")
        if getpass.getpass("Ще раз: ") != password:
            raise StaffError("паролі не збігаються")
    check_strength(password)
    return password


def run_add(args: argparse.Namespace) -> int:
    problem = staff_users.username_problem(args.username)
    if problem:  # before asking for a password
        raise StaffError(problem)
    password_hash = hash_password(_read_password(args.password_stdin))
    return shown(as_cli(staff_users.add_user, args.username, args.role, args.name, password_hash))


def run_password(args: argparse.Namespace) -> int:
    password_hash = hash_password(_read_password(args.password_stdin))
    return shown(as_cli(staff_users.set_password, args.username, password_hash))


def run_role(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_users.set_role, args.username, args.role))


def run_toggle(args: argparse.Namespace) -> int:
    return shown(as_cli(staff_users.set_active, args.username, args.active))


def run_list(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        users = staff_users_repo.staff_users(session)
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
