"""`teplo attachments open ID`: where a file is, or a copy of it."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from core.attachments import path_of
from core.db.engine import unit_of_work
from core.repository import attachments as attachments_repo
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
    with unit_of_work() as session:
        attachment = attachments_repo.by_id(session, args.id)
        path = path_of(attachment) if attachment is not None else None
    if path is None:
        raise StaffError(f"вкладення №{args.id} немає")
    if not path.is_file():
        raise StaffError(f"файлу вкладення №{args.id} немає в теці {path.parent}")
    if args.to is None:
        print(path)
        return EXIT_OK
    target = args.to / path.name if args.to.is_dir() else args.to
    shutil.copyfile(path, target)
    print(f"Скопійовано в {target}")
    return EXIT_OK
