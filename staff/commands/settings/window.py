"""`teplo settings window`: the first and last day of submissions for one month."""

from __future__ import annotations

import argparse
import calendar

from core.db.engine import unit_of_work
from core.db.models import WindowOverride
from core.readings.window import window_problem
from core.settings import get_settings
from staff.common import EXIT_OK, StaffError, period_arg, whole_number


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
        with unit_of_work() as session:
            override = session.get(WindowOverride, args.period)
            if override is not None:
                session.delete(override)
        print(f"Для {args.period} знову типові дні прийому.")
        return EXIT_OK
    if args.first_day is None and args.last_day is None:
        raise StaffError("вкажіть --first-day, --last-day або --reset")
    settings = get_settings()
    with unit_of_work() as session:
        override = session.get(WindowOverride, args.period) or WindowOverride(period=args.period)
        first = args.first_day if args.first_day is not None else override.first_day
        last = args.last_day if args.last_day is not None else override.last_day
        problem = window_problem(
            args.period, first, last, settings.window_first_day, settings.window_last_day
        )
        if problem:
            raise StaffError(problem)
        override.first_day, override.last_day = first, last
        session.add(override)
    days = calendar.monthrange(*map(int, args.period.split("-")))[1]
    print(
        f"Прийом показників за {args.period}: з {first or min(settings.window_first_day, days)} "
        f"по {last or min(settings.window_last_day, days)} число включно."
    )
    return EXIT_OK
