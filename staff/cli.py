"""`teplo` (also `python -m staff`): one argument parser, one sub-command per module.

A command is `staff/commands/<command>.py`; a group of commands (`teplo billing
import`) is a package `staff/commands/<group>/` with one module per sub-command.
Each module has `register(subparsers)` and the handler it sets; this module only
wires them together and turns failures into one line and an exit code.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from core import preflight
from core.db.engine import make_engine, use_engine
from core.version import __version__
from staff.commands import (
    attachments,
    billing,
    broadcast,
    console_users,
    flags,
    init_db,
    outbox,
    plan_reminders,
    privacy,
    readings,
    report,
    retrain,
    settings,
    stats,
    webhooks,
)
from staff.common import EXIT_CODES, EXIT_FAILED, EXIT_INTERRUPTED, StaffError, add_commands
from staff.ukrainian_argparse import UkrainianParser

PROG = "teplo"


def build_parser() -> argparse.ArgumentParser:
    exit_codes = "\n".join(f"  {code} — {meaning}" for code, meaning in EXIT_CODES.items())
    parser = UkrainianParser(
        prog=PROG,
        description="Інструменти працівників: обмін даними з білінгом, налаштування місяця, "
        "статистика, навчання асистента, вебхуки месенджерів.",
        epilog=f"Довідка до команди: {PROG} КОМАНДА --help. Посібник: docs/staff-guide.md\n\n"
        f"Коди виходу:\n{exit_codes}",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        help="показати версію асистента й вийти",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="база даних (типово змінна середовища DATABASE_URL або var/assistant.db)",
    )
    commands = add_commands(parser, "command")
    billing.register(commands)
    settings.register(commands)
    stats.register(commands)
    report.register(commands)
    retrain.register(commands)
    webhooks.register(commands)
    init_db.register(commands)
    privacy.register(commands)
    flags.register(commands)
    console_users.register(commands)
    plan_reminders.register(commands)
    outbox.register(commands)
    broadcast.register(commands)
    attachments.register(commands)
    readings.register(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Runs one command; returns the exit code (help and usage errors included)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or argparse already printed the usage error
        return exit_.code if isinstance(exit_.code, int) else EXIT_FAILED
    if args.database_url:
        use_engine(make_engine(args.database_url))
    else:
        try:  # the env file; in production no silent fallback to the demo SQLite
            preflight.start("teplo", configure_logs=False)
        except SystemExit:
            return EXIT_FAILED
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
    except KeyboardInterrupt:
        print("Перервано.", file=sys.stderr)
        return EXIT_INTERRUPTED
