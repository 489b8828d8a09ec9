"""`teplo retrain inbox`: misunderstood messages of a period → a CSV for review."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from core.db.engine import unit_of_work
from core.errors import StaffError
from core.repository import accounts as accounts_repo
from core.settings import get_settings
from retrain import inbox
from retrain.common import Project
from staff.common import EXIT_OK, date_arg, fraction_arg

DEFAULT_DAYS = 30


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inbox",
        help="нерозпізнані повідомлення за період → CSV для перегляду",
        description="Повідомлення споживачів, на які асистент відповів «не зрозумів» або "
        "розпізнав з упевненістю нижче порогу, згруповані й без повторів; найчастіші зверху. "
        "Номери рахунків і показники замінено на 0123456 / 1234,5.",
    )
    parser.add_argument(
        "--from",
        dest="first",
        type=date_arg,
        metavar="ДАТА",
        help=f"перший день (типово {DEFAULT_DAYS} днів тому)",
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=date_arg,
        metavar="ДАТА",
        help="останній день включно (типово сьогодні)",
    )
    parser.add_argument(
        "--threshold",
        type=fraction_arg,
        default=inbox.DEFAULT_THRESHOLD,
        metavar="ЧАСТКА",
        help=f"поріг упевненості від 0 до 1 (типово {inbox.DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="ФАЙЛ",
        help="куди записати (типово var/review/inbox-ПЕРІОД.csv)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.trackerdb import tracker_store_url, user_messages

    today = get_settings().now().date()
    last = args.last or today
    first = args.first or today - timedelta(days=DEFAULT_DAYS)
    if last < first:
        raise StaffError("кінець періоду раніше за початок")
    project = Project(args.project)
    start, end = inbox.day_range(first, last)
    with unit_of_work() as session:
        private_words = accounts_repo.personal_words(session)
    entries = inbox.build_inbox(
        user_messages(tracker_store_url(project), start, end), args.threshold, private_words
    )
    out = args.out or project.root / "var" / "review" / f"inbox-{first}-{last}.csv"
    inbox.write_review_file(out, entries)
    total = sum(e.count for e in entries)
    print(
        f"{total} нерозпізнаних повідомлень, {len(entries)} різних фраз "
        f"({first:%d.%m.%Y}–{last:%d.%m.%Y}) → {out}"
    )
    if entries:
        print(
            "Заповніть колонку «Правильний намір» (teplo retrain intents — список), "
            f"збережіть і запустіть: teplo retrain merge {out}"
        )
    return EXIT_OK
