"""`teplo billing files`: drop files and billing's acknowledgements; re-offer one on request."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Optional

from core.billing.delivery import reoffer, scan_acknowledgements
from core.db.engine import unit_of_work
from core.repository import billing as repo
from staff.common import EXIT_OK, whole_number
from staff.tables import render_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "files",
        help="файли для білінгу: непідтверджені, повторна пропозиція",
        description="Фіксує підтвердження білінгу й показує файли, які білінг ще не "
        "підтвердив (з --all — усі). Непідтверджений файл не надсилається повторно сам: "
        "лише за --reoffer НОМЕР (ті самі показники, та сама назва).",
    )
    parser.add_argument("--all", action="store_true", help="показати й підтверджені файли")
    parser.add_argument(
        "--reoffer", type=whole_number, metavar="НОМЕР", help="записати непідтверджений файл ще раз"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for file in scan_acknowledgements():
        print(f"Білінг підтвердив {file.name}.")
    if args.reoffer is not None:
        file = reoffer(args.reoffer)
        print(f"Файл {file.name} записано повторно: показників {file.rows}.")
        return EXIT_OK
    with unit_of_work() as session:
        files = repo.files(session, unacknowledged_only=not args.all)
    if not files:
        print("Непідтверджених файлів немає." if not args.all else "Файлів ще не було.")
        return EXIT_OK
    rows = [
        [
            f.sequence,
            f.name,
            f.rows,
            f.corrections,
            f.periods.replace(",", ", "),
            _when(f.delivered_at) if f.delivered_at else "не дописано",
            _when(f.acknowledged_at) if f.acknowledged_at else "ні",
            _when(f.reoffered_at),
        ]
        for f in files
    ]
    title = "Усі файли" if args.all else "Файли, які білінг ще не підтвердив"
    print(title)
    print(
        render_table(
            [
                "№",
                "файл",
                "рядків",
                "виправл.",
                "періоди",
                "доставлено",
                "підтверджено",
                "повторно",
            ],
            rows,
            indent=2,
            right_aligned={0, 2, 3},
        )
    )
    return EXIT_OK


def _when(moment: Optional[datetime]) -> str:
    return "" if moment is None else f"{moment:%d.%m.%Y %H:%M}"
