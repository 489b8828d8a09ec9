"""`teplo settings tariffs`: tariffs from a CSV file."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.billing.tariffs import TARIFF_COLUMNS, import_tariffs, parse_tariffs
from core.db.engine import unit_of_work
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "tariffs",
        help="імпорт тарифів з CSV",
        description="CSV із заголовком " + ";".join(TARIFF_COLUMNS) + "[;note]. Ціна в гривнях "
        "(десяткова кома або крапка), дата ДД.ММ.РРРР або РРРР-ММ-ДД. Тариф з тією ж послугою, "
        "категорією і датою замінюється; старі тарифи лишаються як історія. Якщо хоч один "
        "рядок помилковий, нічого не імпортується.",
    )
    parser.add_argument("file", type=Path, metavar="ФАЙЛ", help="CSV-файл тарифів")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rows = parse_tariffs(args.file)
    with unit_of_work() as session:
        added, updated, unchanged = import_tariffs(session, rows)
    print(f"Тарифи: додано {added}, оновлено {updated}, без змін {unchanged}.")
    return EXIT_OK
