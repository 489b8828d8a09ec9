"""`teplo settings show`: the window, contacts and tariffs as the assistant sees them."""

from __future__ import annotations

import argparse
from typing import List

from sqlalchemy import select

from core.contacts import EMAIL_KEY, HOURS_KEY, PHONE_KEY, load_contacts
from core.db.engine import unit_of_work
from core.db.models import Tariff, WindowOverride
from core.readings.window import window_for
from core.repository import settings as settings_repo
from core.settings import get_settings
from staff.commands.settings.contacts import CONTACT_KEYS
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
