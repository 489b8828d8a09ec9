"""`teplo billing export`: the readings accepted through the assistant, for billing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.billing.export import accepted_readings, write_export, write_export_atomically
from core.db.engine import unit_of_work
from staff.commands.report import write_report
from staff.common import EXIT_OK, period_arg


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="вивантаження прийнятих асистентом показників для білінгу",
        description="CSV для білінгу: по рядку на лічильник, що має чинний показник за період, "
        "переданий через асистента. Роздільник «;», десяткова кома.",
    )
    parser.add_argument(
        "--period",
        type=period_arg,
        required=True,
        metavar="РРРР-ММ",
        help="місяць, напр. 2026-11",
    )
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="ФАЙЛ",
        help="файл для запису (без нього або «-» — у стандартний вивід)",
    )
    parser.add_argument(
        "--encoding",
        choices=("utf-8-sig", "utf-8", "cp1251"),
        default="utf-8-sig",
        metavar="КОДУВАННЯ",
        help="utf-8-sig (UTF-8 з BOM, для Excel; типово), utf-8 або cp1251 "
        "(Windows-1251 для старих білінгових систем)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        default="csv",
        metavar="ФОРМАТ",
        help="csv (типово, для білінгу) або xlsx (Excel для працівників; потрібен --output)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "xlsx":
        return write_report("readings", args.period, "xlsx", args.output or Path("-"))
    with unit_of_work() as session:
        rows = accepted_readings(session, args.period)
    to_stdout = args.output is None or str(args.output) == "-"
    if to_stdout:
        write_export(sys.stdout.buffer, rows, args.encoding)
        sys.stdout.buffer.flush()
    else:
        write_export_atomically(args.output, rows, args.encoding)
    # On stderr, so that stdout carries nothing but the CSV.
    print(
        f"Вивантажено показників за {args.period}: {len(rows)}"
        + ("" if to_stdout else f" → {args.output}"),
        file=sys.stderr,
    )
    return EXIT_OK
