"""`teplo billing export`: the readings accepted through the assistant, for billing
(audited, as the console's download)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.billing.export import write_export, write_export_atomically
from core.db.engine import unit_of_work
from core.settings import get_settings
from core.staff.actor import cli_actor
from core.staff.billing import ENCODINGS, export_readings
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
        choices=ENCODINGS,
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
    to_stdout = args.output is None or str(args.output) == "-"
    with unit_of_work() as session:
        rows = export_readings(
            session, cli_actor(), get_settings().now(), args.period, args.encoding
        )
        # Inside the unit of work: the audit entry stays only if the file was written.
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
