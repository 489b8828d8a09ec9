"""`teplo attachments open ID`: where a file is, or a copy of it (audited, as the
console's download)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from core.db.engine import unit_of_work
from core.settings import get_settings
from core.staff.actor import cli_actor
from core.staff.attachments import open_attachment
from staff.common import EXIT_OK, StaffError, whole_number


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "open",
        help="шлях до файлу або його копія",
        description="Друкує шлях до файлу в теці вкладень; з --to копіює його у вказаний файл.",
    )
    parser.add_argument("id", type=whole_number, metavar="НОМЕР", help="номер зі списку")
    parser.add_argument("--to", type=Path, metavar="ФАЙЛ", help="куди скопіювати файл")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    how = "path" if args.to is None else "copy"
    with unit_of_work() as session:
        result = open_attachment(session, cli_actor(), get_settings().now(), args.id, how)
        if not result.ok:
            raise StaffError(result.message)
        path = result.value.path
        if args.to is None:
            print(path)
            return EXIT_OK
        # Inside the unit of work: the audit entry stays only if the copy was made.
        target = args.to / path.name if args.to.is_dir() else args.to
        shutil.copyfile(path, target)
    print(f"Скопійовано в {target}")
    return EXIT_OK
