"""`teplo report …`: the month's reports for clerks, as CSV or Excel."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from core.db.engine import unit_of_work
from core.errors import StaffError
from core.settings import get_settings
from core.staff.actor import cli_actor
from core.staff.exports import FORMATS, REPORTS, export_report
from staff.common import EXIT_OK, add_commands, period_arg

HELP = {
    "readings": "показники, передані через асистента, по рядку на лічильник",
    "missing": "рахунки, що ще не передали показники (для дзвінків і листів)",
    "summary": "підсумок місяця: рахунки, лічильники, показники за днями",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        description="Звіти за місяць у CSV або Excel (.xlsx): номери рахунків — текстом, "
        "дати — датами, показники — числами з розрядами лічильника.",
    )
    commands = add_commands(parser, "report_command")
    for name, text in HELP.items():
        command = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        add_report_arguments(command)
        command.set_defaults(handler=run, report=name)


def add_report_arguments(parser: argparse.ArgumentParser, default_format: str = "xlsx") -> None:
    parser.add_argument(
        "--period", type=period_arg, metavar="РРРР-ММ", help="місяць, типово поточний"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=default_format,
        metavar="ФОРМАТ",
        help=f"csv або xlsx (типово {default_format})",
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="ФАЙЛ", help="файл (типово <звіт>-<період>.<формат>)"
    )


def write_report(report: str, period: str, file_format: str, output: Optional[Path]) -> int:
    to_stdout = output is not None and str(output) == "-"
    if to_stdout and file_format == "xlsx":
        raise StaffError("Excel-файл не виводиться в термінал: вкажіть --output ФАЙЛ")
    now = get_settings().now()
    with unit_of_work() as session:
        made = export_report(session, cli_actor(), now, report, period, file_format)
        # Inside the unit of work: the audit entry stays only if the file was written.
        if to_stdout:
            sys.stdout.buffer.write(made.data)
            sys.stdout.buffer.flush()
        else:
            output = output or Path(made.filename)
            output.write_bytes(made.data)
    target = "стандартний вивід" if to_stdout else str(output)
    print(
        f"{REPORTS[report].capitalize()} за {period}: рядків {made.rows} → {target}",
        file=sys.stderr,
    )
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    period = args.period or get_settings().now().strftime("%Y-%m")
    return write_report(args.report, period, args.format, args.output)
