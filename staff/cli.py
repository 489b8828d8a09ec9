"""The `python -m staff` argument parser: one subcommand per task, each from its module."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from core.db.engine import make_engine, use_engine
from core.db.schema import create_schema
from staff.commands import (
    export_readings,
    generate_subscribers,
    import_subscribers,
    settings,
    stats,
)
from staff.common import EXIT_FAILED, EXIT_OK, StaffError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m staff",
        description="Інструменти працівників: обмін даними з білінгом, налаштування місяця, "
        "статистика асистента показників.",
        epilog="Довідка до команди: python -m staff КОМАНДА --help. Посібник: docs/staff-guide.md",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="база даних (типово змінна середовища DATABASE_URL або var/assistant.db)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    init = commands.add_parser(
        "init-db",
        help="створити або оновити таблиці бази до найновішої схеми (без демо-даних)",
        description="Застосовує до бази всі ще не застосовані міграції (migrations/); "
        "наявні дані не змінює.",
    )
    init.set_defaults(handler=run_init_db)
    import_subscribers.register(commands)
    export_readings.register(commands)
    settings.register(commands)
    stats.register(commands)
    generate_subscribers.register(commands)
    return parser


def run_init_db(args: argparse.Namespace) -> int:
    from core.db.engine import get_engine

    create_schema(get_engine())
    print("Схему бази оновлено до найновішої версії.")
    return EXIT_OK


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.database_url:
        use_engine(make_engine(args.database_url))
    try:
        return args.handler(args)
    except StaffError as error:
        print(f"Помилка: {error}", file=sys.stderr)
        return EXIT_FAILED
    except SQLAlchemyError as error:
        # The driver's first line says what went wrong; the full SQL would drown it.
        cause = getattr(error, "orig", None) or error
        first_line = (str(cause).splitlines() or [type(cause).__name__])[0]
        print(f"Помилка бази даних: {first_line}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_FAILED  # `... | head` closed the pipe; not worth a traceback
    except OSError as error:
        # Files staff name on the command line: missing folder, no permission, full disk.
        where = f"{error.filename}: " if error.filename else ""
        print(f"Помилка: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_FAILED
