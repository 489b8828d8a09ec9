"""`settings`: the month's submission window, tariffs and service contacts."""

from __future__ import annotations

import argparse
import calendar
from pathlib import Path
from typing import List, Optional

from sqlalchemy import select

from core.billing.tariffs import TARIFF_COLUMNS, import_tariffs, parse_tariffs
from core.contacts import EMAIL_KEY, HOURS_KEY, PHONE_KEY, load_contacts
from core.db.engine import unit_of_work
from core.db.models import Setting, Tariff, WindowOverride
from core.readings.window import window_for
from core.repository import settings as settings_repo
from core.settings import get_settings
from staff.common import EXIT_OK, StaffError, period_arg
from staff.tables import render_table

CONTACT_KEYS = {"phone": PHONE_KEY, "hours": HOURS_KEY, "email": EMAIL_KEY}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "settings",
        help="вікно прийому, тарифи, контакти абонентського відділу",
        description="Налаштування місяця та довідкові дані, які показує асистент.",
    )
    commands = parser.add_subparsers(dest="settings_command", metavar="COMMAND", required=True)

    show = commands.add_parser(
        "show",
        help="показати поточні налаштування",
        description="Вікно прийому, контакти й тарифи, як їх бачить асистент.",
    )
    show.set_defaults(handler=run_show)

    window = commands.add_parser(
        "window",
        help="змінити вікно прийому показників для місяця",
        description="Перший і/або останній день прийому показників для одного місяця, "
        "напр. до 30 числа замість 28. Інші місяці не змінюються.",
    )
    window.add_argument("--period", type=period_arg, required=True, help="місяць РРРР-ММ")
    window.add_argument("--first-day", type=int, metavar="N", help="перший день прийому")
    window.add_argument("--last-day", type=int, metavar="N", help="останній день прийому (включно)")
    window.add_argument("--reset", action="store_true", help="повернути типові дні для місяця")
    window.set_defaults(handler=run_window)

    tariffs = commands.add_parser(
        "tariffs",
        help="імпорт тарифів з CSV",
        description="CSV із заголовком " + ";".join(TARIFF_COLUMNS) + "[;note]. Ціна в гривнях "
        "(десяткова кома або крапка), дата ДД.ММ.РРРР або РРРР-ММ-ДД. Тариф з тією ж послугою, "
        "категорією і датою замінюється; старі тарифи лишаються як історія. Якщо хоч один "
        "рядок помилковий, нічого не імпортується.",
    )
    tariffs.add_argument("file", type=Path, help="CSV-файл тарифів")
    tariffs.set_defaults(handler=run_tariffs)

    contacts = commands.add_parser(
        "contacts",
        help="контакти абонентського відділу, які називає асистент",
        description="Телефон, години роботи й e-mail. Без значення в базі асистент бере "
        "значення з налаштувань середовища (OPERATOR_PHONE, OPERATOR_HOURS, OPERATOR_EMAIL).",
    )
    contacts.add_argument("--phone", help='телефон, напр. "(0532) 50-00-00"')
    contacts.add_argument("--hours", help='години роботи, напр. "пн–пт 8:00–17:00"')
    contacts.add_argument("--email", help="e-mail")
    contacts.add_argument(
        "--reset",
        nargs="+",
        choices=sorted(CONTACT_KEYS),
        default=[],
        help="прибрати значення з бази (повернути значення середовища)",
    )
    contacts.set_defaults(handler=run_contacts)


# --- show ------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    settings = get_settings()
    now = settings.now()
    with unit_of_work() as session:
        window = window_for(session, settings.window_first_day, settings.window_last_day, now)
        overrides = (
            session.execute(select(WindowOverride).order_by(WindowOverride.period)).scalars().all()
        )
        contacts = load_contacts(session, settings)
        stored = {key: settings_repo.get_setting(session, key) for key in CONTACT_KEYS.values()}
        current = settings_repo.current_tariffs(session, now.date())
        planned = (
            session.execute(
                select(Tariff).where(Tariff.valid_from > now.date()).order_by(Tariff.valid_from)
            )
            .scalars()
            .all()
        )

    print("Вікно прийому показників")
    print(f"  типово: з {settings.window_first_day} по {settings.window_last_day} число")
    state = "відкрите" if window.is_open else "закрите"
    print(
        f"  зараз ({now:%d.%m.%Y}): період {window.period}, з {window.first:%d.%m} "
        f"по {window.last:%d.%m} — {state}"
    )
    for override in overrides:
        print(
            f"  {override.period}: перший день {override.first_day or 'типовий'}, "
            f"останній {override.last_day or 'типовий'}"
        )

    print("Контакти абонентського відділу")
    for label, key, value in (
        ("телефон", PHONE_KEY, contacts.phone),
        ("години", HOURS_KEY, contacts.hours),
        ("e-mail", EMAIL_KEY, contacts.email),
    ):
        source = "з бази" if stored[key] else "з середовища"
        print(f"  {label}: {value or '—'} ({source})")

    print(f"Тарифи, чинні на {now:%d.%m.%Y}")
    _print_tariffs(current)
    if planned:
        print("Заплановані тарифи")
        _print_tariffs(planned)
    return EXIT_OK


def _print_tariffs(tariffs: List[Tariff]) -> None:
    if not tariffs:
        print("  немає")
        return
    rows = [
        [
            t.service,
            t.category,
            t.unit,
            f"{t.price_uah:f}".replace(".", ","),
            f"{t.valid_from:%d.%m.%Y}",
            t.note,
        ]
        for t in tariffs
    ]
    print(
        render_table(
            ["послуга", "категорія", "одиниця", "ціна, грн", "діє з", "примітка"],
            rows,
            indent=2,
            right_aligned={3},
        )
    )


# --- window --------------------------------------------------------------------------


def run_window(args: argparse.Namespace) -> int:
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
        check_window(
            args.period, first or settings.window_first_day, last or settings.window_last_day
        )
        override.first_day, override.last_day = first, last
        session.add(override)
    print(
        f"Прийом показників за {args.period}: з {first or settings.window_first_day} "
        f"по {last or settings.window_last_day} число включно."
    )
    return EXIT_OK


def check_window(period: str, first: int, last: int) -> None:
    year, month = map(int, period.split("-"))
    days = calendar.monthrange(year, month)[1]
    for name, day in (("перший", first), ("останній", last)):
        if not 1 <= day <= days:
            raise StaffError(f"{name} день {day} поза місяцем {period} (1–{days})")
    if first > last:
        raise StaffError(f"перший день ({first}) пізніше за останній ({last})")


# --- tariffs ---------------------------------------------------------------------------


def run_tariffs(args: argparse.Namespace) -> int:
    rows = parse_tariffs(args.file)
    with unit_of_work() as session:
        added, updated, unchanged = import_tariffs(session, rows)
    print(f"Тарифи: додано {added}, оновлено {updated}, без змін {unchanged}.")
    return EXIT_OK


# --- contacts ----------------------------------------------------------------------------


def run_contacts(args: argparse.Namespace) -> int:
    new_values = {
        name: getattr(args, name) for name in CONTACT_KEYS if getattr(args, name) is not None
    }
    if not new_values and not args.reset:
        raise StaffError("вкажіть --phone, --hours, --email або --reset")
    for name in args.reset:
        if name in new_values:
            raise StaffError(f"--{name} і --reset {name} одночасно")
    for name, value in new_values.items():
        if not value.strip():
            raise StaffError(
                f"порожнє значення --{name}; щоб прибрати його, скористайтеся --reset {name}"
            )
    if "email" in new_values and "@" not in new_values["email"]:
        raise StaffError(f"«{new_values['email']}» не схоже на e-mail")
    with unit_of_work() as session:
        for name, value in new_values.items():
            settings_repo.set_setting(session, CONTACT_KEYS[name], value.strip())
        for name in args.reset:
            stored: Optional[Setting] = session.get(Setting, CONTACT_KEYS[name])
            if stored is not None:
                session.delete(stored)
        contacts = load_contacts(session, get_settings())
    print(f"Асистент тепер називає: {contacts.line()}")
    return EXIT_OK
