"""`teplo init-db`: a new or existing database to the newest schema (migrations/), no demo data."""

from __future__ import annotations

import argparse

from core.db.engine import get_engine
from core.db.schema import upgrade_to_head
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "init-db",
        description="Застосовує до бази всі ще не застосовані міграції (migrations/); "
        "наявні дані не змінює.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    upgrade_to_head(get_engine())
    print("Схему бази оновлено до найновішої версії.")
    return EXIT_OK
