"""`teplo init-db`: the tables of a new database, without demo data."""

from __future__ import annotations

import argparse

from core.db.engine import get_engine
from core.db.schema import create_schema
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "init-db",
        help="створити таблиці в новій базі (без демо-даних)",
        description="Створює відсутні таблиці; наявні дані не змінює.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    create_schema(get_engine())
    print("Таблиці створено (або вже були).")
    return EXIT_OK
