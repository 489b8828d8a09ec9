"""What every staff command shares: the exit codes, the error type, argument types,
and running a core staff operation (`core.staff`) as `teplo:<OS user>`."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Dict

from core.errors import StaffError
from core.settings import get_settings
from core.staff.actor import cli_actor
from core.staff.result import Result

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "StaffError",
    "add_commands",
    "as_cli",
    "date_arg",
    "fraction_arg",
    "period_arg",
    "shown",
    "whole_number",
]

# The one table of exit codes; `teplo --help` and docs/staff-guide.md list it.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130  # Ctrl+C, as in every shell

EXIT_CODES: Dict[int, str] = {
    EXIT_OK: "виконано",
    EXIT_FAILED: "помилка або нову модель не прийнято",
    EXIT_USAGE: "неправильна команда чи параметри",
    EXIT_PARTIAL: "імпорт виконано, але частину рядків відхилено",
    EXIT_INTERRUPTED: "перервано (Ctrl+C)",
}

COMMAND_METAVAR = "КОМАНДА"

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def add_commands(parser: argparse.ArgumentParser, dest: str):
    """The sub-commands of a command group (`teplo billing …`), all spelled alike."""
    return parser.add_subparsers(title="команди", dest=dest, metavar=COMMAND_METAVAR, required=True)


def period_arg(text: str) -> str:
    """argparse type for "YYYY-MM"."""
    if not _PERIOD.match(text.strip()):
        raise argparse.ArgumentTypeError(
            f"період «{text}» має бути у форматі РРРР-ММ, напр. 2026-11"
        )
    return text.strip()


def date_arg(text: str) -> date:
    """argparse type: "2026-11-01" or "01.11.2026"."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"дата «{text}» має бути у форматі РРРР-ММ-ДД або ДД.ММ.РРРР")


def whole_number(text: str) -> int:
    """argparse type for integers, with a Ukrainian message instead of "invalid int value"."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» — не ціле число") from None


def fraction_arg(text: str) -> float:
    """argparse type for a share between 0 and 1 (decimal point or comma)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"«{text}» — має бути число від 0 до 1, напр. 0,7")
    return float(value)


def as_cli(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs `operation(session, actor, now, …)` in one unit of work as `teplo:<OS user>`."""
    from core.db.engine import unit_of_work  # here: `teplo --help` needs no SQLAlchemy

    with unit_of_work() as session:
        return operation(session, cli_actor(), get_settings().now(), *args, **kwargs)


def shown(result: Result) -> int:
    """Prints what the operation did, or fails with its reason (nothing was stored)."""
    if not result.ok:
        raise StaffError(result.message)
    print(result.message)
    return EXIT_OK
