"""`teplo settings window`: the first and last day of submissions for one month."""

from __future__ import annotations

import argparse
from typing import Optional

from core.settings import get_settings
from core.staff import settings as staff_settings
from staff.common import StaffError, as_cli, period_arg, shown, whole_number


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "window",
        help="змінити вікно прийому показників для місяця",
        description="Перший і/або останній день прийому показників для одного місяця, "
        "напр. до 30 числа замість 28. Інші місяці не змінюються.",
    )
    parser.add_argument(
        "--period", type=period_arg, required=True, metavar="РРРР-ММ", help="місяць"
    )
    parser.add_argument(
        "--first-day", type=whole_number, metavar="ДЕНЬ", help="перший день прийому"
    )
    parser.add_argument(
        "--last-day", type=whole_number, metavar="ДЕНЬ", help="останній день прийому (включно)"
    )
    parser.add_argument("--reset", action="store_true", help="повернути типові дні для місяця")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.reset:
        if args.first_day is not None or args.last_day is not None:
            raise StaffError("--reset не поєднується з --first-day/--last-day")
        return shown(as_cli(staff_settings.reset_window, args.period))
    if args.first_day is None and args.last_day is None:
        raise StaffError("вкажіть --first-day, --last-day або --reset")
    return shown(as_cli(_move, args.period, args.first_day, args.last_day))


def _move(session, actor, now, period: str, first: Optional[int], last: Optional[int]):
    """A day not given keeps the month's moved day, if it has one."""
    moved_first, moved_last = staff_settings.window_days(session, period)
    return staff_settings.set_window(
        session,
        actor,
        now,
        get_settings(),
        period,
        moved_first if first is None else first,
        moved_last if last is None else last,
    )
