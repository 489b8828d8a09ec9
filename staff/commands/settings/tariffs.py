"""`teplo settings tariffs`: tariffs from a CSV file."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.billing.tariffs import TARIFF_COLUMNS
from core.staff import settings as staff_settings
from staff.common import as_cli, shown


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
    return shown(as_cli(staff_settings.import_tariff_file, args.file))
