"""`teplo settings show`: the window, contacts and tariffs as the assistant sees them."""

from __future__ import annotations

import argparse
from typing import List

from core.db.engine import unit_of_work
from core.db.models import Tariff
from core.settings import get_settings
from core.staff.settings import settings_view
from staff.common import EXIT_OK
from staff.tables import render_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "show",
        help="показати поточні налаштування",
        description="Вікно прийому, контакти й тарифи, як їх бачить асистент.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    now = settings.now()
    with unit_of_work() as session:
        view = settings_view(session, settings, now)
    window, contacts = view.window, view.contacts

    print("Вікно прийому показників")
    print(f"  типово: з {settings.window_first_day} по {settings.window_last_day} число")
    state = "відкрите" if window.is_open else "закрите"
    print(
        f"  зараз ({now:%d.%m.%Y}): період {window.period}, з {window.first:%d.%m} "
        f"по {window.last:%d.%m} — {state}"
    )
    for override in sorted(view.overrides, key=lambda o: o.period):
        print(
            f"  {override.period}: перший день {override.first_day or 'типовий'}, "
            f"останній {override.last_day or 'типовий'}"
        )

    print("Контакти абонентського відділу")
    for label, name, value in (
        ("телефон", "phone", contacts.phone),
        ("години", "hours", contacts.hours),
        ("e-mail", "email", contacts.email),
    ):
        source = "з бази" if view.stored[name] else "з середовища"
        print(f"  {label}: {value or '—'} ({source})")

    print(f"Тарифи, чинні на {now:%d.%m.%Y}")
    _print_tariffs(view.tariffs)
    if view.planned:
        print("Заплановані тарифи")
        _print_tariffs(view.planned)
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
