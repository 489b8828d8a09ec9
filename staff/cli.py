"""`teplo` (also `python -m staff`): one argument parser, one sub-command per module.

A command is `staff/commands/<command>.py`; a group of commands (`teplo billing
import`) is a package `staff/commands/<group>/` with one module per sub-command.
Each module has `register(subparsers)` and the handler it sets; this module only
wires them together and turns failures into one line and an exit code.

The commands are listed in `COMMANDS` (name, module, the summary `teplo --help`
shows), and a command's module is imported only when that command runs: the
commands import openpyxl, argon2, Rasa's data tools or aiohttp, and `teplo
--help` or `teplo stats` need none of the others' imports. A new command is a
module plus a line here; its `add_parser` takes no `help=` (it is the summary).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Collection, Dict, List, NamedTuple, Optional

from core.version import __version__
from staff.common import EXIT_CODES, EXIT_FAILED, EXIT_INTERRUPTED, StaffError, add_commands
from staff.ukrainian_argparse import UkrainianParser

PROG = "teplo"


class CommandInfo(NamedTuple):
    module: str  # imported only when the command runs
    summary: str  # its line in `teplo --help`


COMMANDS: Dict[str, CommandInfo] = {
    "billing": CommandInfo(
        "staff.commands.billing",
        "обмін з білінгом: імпорт абонентів, вивантаження показників",
    ),
    "settings": CommandInfo(
        "staff.commands.settings",
        "вікно прийому, тарифи, контакти абонентського відділу",
    ),
    "stats": CommandInfo(
        "staff.commands.stats",
        "підсумки місяця: хто передав показники, відмови, нерозпізнані повідомлення",
    ),
    "report": CommandInfo(
        "staff.commands.report",
        "звіти за місяць для працівників (CSV або Excel)",
    ),
    "retrain": CommandInfo(
        "staff.commands.retrain",
        "навчання асистента на нових фразах",
    ),
    "webhooks": CommandInfo(
        "staff.commands.webhooks",
        "вебхуки асистента в Telegram і Viber",
    ),
    "init-db": CommandInfo(
        "staff.commands.init_db",
        "створити або оновити таблиці бази до найновішої схеми (без демо-даних)",
    ),
    "privacy": CommandInfo(
        "staff.commands.privacy",
        "зберігання даних: видалити застарілі розмови та дані тих, хто попросив",
    ),
    "flags": CommandInfo(
        "staff.commands.flags",
        "рахунки для перевірки: «Це не я», забагато неправильних підтверджень",
    ),
    "console-user": CommandInfo(
        "staff.commands.console_users",
        "працівники веб-консолі: додати, змінити пароль чи роль, вимкнути",
    ),
    "plan-reminders": CommandInfo(
        "staff.commands.plan_reminders",
        "запланувати сьогоднішні нагадування про передачу показників (для таймера)",
    ),
    "outbox": CommandInfo(
        "staff.commands.outbox",
        "стан черги вихідних повідомлень (нагадування, сповіщення, розсилки)",
    ),
    "broadcast": CommandInfo(
        "staff.commands.broadcast",
        "розсилка повідомлення користувачам асистента (спершу перегляд)",
    ),
    "attachments": CommandInfo(
        "staff.commands.attachments",
        "фото й документи, які надіслали споживачі",
    ),
    "readings": CommandInfo(
        "staff.commands.readings",
        "показники рахунку: переглянути, виправити, анулювати",
    ),
}


class _Summarised:
    """The sub-parsers as a command module sees them: its parser gets the registry's summary."""

    def __init__(self, commands, summary: str) -> None:
        self._commands, self._summary = commands, summary

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        return self._commands.add_parser(name, help=self._summary, **kwargs)


def build_parser(loaded: Optional[Collection[str]] = None) -> argparse.ArgumentParser:
    """The parser with the `loaded` commands complete (all of them when None); the
    others are placeholders that only name the command and its summary."""
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
    for name, info in COMMANDS.items():
        if loaded is None or name in loaded:
            importlib.import_module(info.module).register(_Summarised(commands, info.summary))
        else:
            # Unknown arguments after it are left for the second pass (see `main`).
            commands.add_parser(name, help=info.summary, add_help=False)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Runs one command; returns the exit code (help and usage errors included)."""
    try:
        # Twice: the placeholders find the command (and answer --help, --version and
        # a wrong command); then only that command's module is imported, to parse the rest.
        chosen, _ = build_parser(loaded=()).parse_known_args(argv)
        args = build_parser(loaded=(chosen.command,)).parse_args(argv)
    except SystemExit as exit_:  # --help, or argparse already printed the usage error
        return exit_.code if isinstance(exit_.code, int) else EXIT_FAILED
    # Only now: help and usage errors answer without loading SQLAlchemy.
    from sqlalchemy.exc import SQLAlchemyError

    from core import preflight
    from core.db.engine import make_engine, use_engine

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
