"""`teplo billing drop`: the scheduled hand-over of new readings into billing's folder (cron/systemd)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.staff.actor import cli_actor
from core.staff.maintenance import drop_readings
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "drop",
        help="покласти нові показники у теку білінгу (запускає таймер)",
        description="Записує всі ще не доставлені показники (нові й виправлення) у файл "
        "readings-НОМЕР.csv з маніфестом у теку білінгу. Кожен показник потрапляє рівно в "
        "один файл, навіть після збою чи двох одночасних запусків. Спершу фіксує "
        "підтвердження білінгу (файл .ack або забраний файл).",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        metavar="ТЕКА",
        help="тека білінгу (типово змінна BILLING_DROP_DIR або var/billing-drop)",
    )
    parser.add_argument(
        "--encoding",
        choices=("utf-8-sig", "utf-8", "cp1251"),
        help="кодування (типово BILLING_ENCODING або utf-8-sig — UTF-8 з BOM)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result = drop_readings(cli_actor(), args.folder, args.encoding)
    for file in result.acknowledged:
        print(f"Білінг підтвердив {file.name} ({_how(file.acknowledged_how)}).")
    for file in result.finished:
        print(f"Дописано перерваний файл {file.name}: показників {file.rows}.")
    if result.written is None:
        print("Нових показників немає; файл не створено.")
    else:
        written = result.written
        print(
            f"Записано {written.name}: показників {written.rows}, з них виправлень "
            f"{written.corrections}; періоди {written.periods.replace(',', ', ')}."
        )
    return EXIT_OK


def _how(how: str) -> str:
    return "файл .ack" if how == "ack" else "файл забрано з теки"
