"""The month's settings staff change from either door (console «Налаштування» and
`teplo settings`): the submission window, the service department's contacts, the
tariffs. Each operation validates, writes its own audit entry and never commits."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.billing.tariffs import import_tariffs, parse_tariffs
from core.contacts import EMAIL_KEY, HOURS_KEY, PHONE_KEY, Contacts, load_contacts
from core.db.models import Setting, Tariff, WindowOverride, period_of
from core.errors import StaffError
from core.readings.window import WindowStatus, window_for, window_problem
from core.repository import audit as audit_repo
from core.repository import settings as settings_repo
from core.settings import Settings
from core.staff.result import Result

# The contacts' names on both doors (form fields, `--phone` …) and their keys.
CONTACT_KEYS = {"phone": PHONE_KEY, "hours": HOURS_KEY, "email": EMAIL_KEY}


@dataclass(frozen=True)
class SettingsView:
    """What both doors show: the window now, the moved months, contacts, tariffs."""

    defaults: Tuple[int, int]
    window: WindowStatus
    overrides: List[WindowOverride]
    contacts: Contacts
    stored: Dict[str, Optional[str]]  # by contact name; None: the environment's value
    tariffs: List[Tariff]
    planned: List[Tariff]
    current_period: str


def settings_view(session: Session, settings: Settings, now: datetime) -> SettingsView:
    return SettingsView(
        defaults=(settings.window_first_day, settings.window_last_day),
        window=window_for(session, settings.window_first_day, settings.window_last_day, now),
        overrides=list(
            session.execute(select(WindowOverride).order_by(WindowOverride.period.desc())).scalars()
        ),
        contacts=load_contacts(session, settings),
        stored={
            name: settings_repo.get_setting(session, key) for name, key in CONTACT_KEYS.items()
        },
        tariffs=settings_repo.current_tariffs(session, now.date()),
        planned=list(
            session.execute(
                select(Tariff).where(Tariff.valid_from > now.date()).order_by(Tariff.valid_from)
            ).scalars()
        ),
        current_period=period_of(now.date()),
    )


def window_days(session: Session, period: str) -> Tuple[Optional[int], Optional[int]]:
    """The moved first and last day of a period (None: the default day)."""
    override = settings_repo.window_override(session, period)
    return (None, None) if override is None else (override.first_day, override.last_day)


def _days(override: Optional[WindowOverride]) -> Optional[dict]:
    if override is None:
        return None
    return {"first_day": override.first_day, "last_day": override.last_day}


def set_window(
    session: Session,
    actor: str,
    now: datetime,
    settings: Settings,
    period: str,
    first_day: Optional[int],
    last_day: Optional[int],
) -> Result:
    """Moves one month's window; a day left out (None) is the default day."""
    problem = window_problem(
        period, first_day, last_day, settings.window_first_day, settings.window_last_day
    )
    if problem:
        return Result.refused(problem[0].upper() + problem[1:] + ".")
    override = settings_repo.window_override(session, period)
    before = _days(override)
    if override is None:
        override = WindowOverride(period=period)
        session.add(override)
    override.first_day, override.last_day = first_day, last_day
    session.flush()
    audit_repo.record_audit(
        session, actor, "window", f"вікно прийому {period}", before, _days(override), now
    )
    days = calendar.monthrange(*map(int, period.split("-")))[1]
    first = first_day or min(settings.window_first_day, days)
    last = last_day or min(settings.window_last_day, days)
    return Result.done(f"Вікно прийому за {period} збережено: з {first} по {last} число включно.")


def reset_window(session: Session, actor: str, now: datetime, period: str) -> Result:
    """The month takes the default days again (audited even when nothing was moved)."""
    override = settings_repo.window_override(session, period)
    before = _days(override)
    if override is not None:
        session.delete(override)
        session.flush()
    audit_repo.record_audit(session, actor, "window", f"вікно прийому {period}", before, None, now)
    return Result.done(f"Для {period} знову типові дні прийому.")


def save_contacts(
    session: Session,
    actor: str,
    now: datetime,
    settings: Settings,
    changes: Mapping[str, Optional[str]],
) -> Result:
    """Sets the contacts named in `changes`; None or an empty text is the environment's
    value again; names left out stay as they are. The value is the contacts now."""
    unknown = set(changes) - set(CONTACT_KEYS)
    if unknown:
        raise ValueError(f"unknown contacts: {sorted(unknown)}")
    wanted = {name: (value or "").strip() or None for name, value in changes.items()}
    email = wanted.get("email")
    if email and "@" not in email:
        return Result.refused(f"«{email}» не схоже на e-mail.")
    before, after = {}, {}
    for name, new in wanted.items():
        key = CONTACT_KEYS[name]
        old = settings_repo.get_setting(session, key)
        if old == new:
            continue
        before[name], after[name] = old, new
        if new is None:
            session.delete(session.get(Setting, key))
        else:
            settings_repo.set_setting(session, key, new)
    session.flush()
    if after:
        audit_repo.record_audit(session, actor, "contacts", "контакти", before, after, now)
    contacts = load_contacts(session, settings)
    return Result.done("Контакти збережено.", contacts)


def import_tariff_file(session: Session, actor: str, now: datetime, path: Path) -> Result:
    """Tariffs from a CSV file: all rows or none (the first wrong row says why)."""
    try:
        rows = parse_tariffs(path)
    except StaffError as error:
        return Result.refused(f"Тарифи не імпортовано: {error}")
    added, updated, unchanged = import_tariffs(session, rows)
    audit_repo.record_audit(
        session,
        actor,
        "tariffs",
        "тарифи",
        None,
        [
            {
                "service": row.service,
                "category": row.category,
                "price_uah": str(row.price_uah),
                "valid_from": row.valid_from.isoformat(),
            }
            for row in rows
        ],
        now,
    )
    return Result.done(f"Тарифи: додано {added}, оновлено {updated}, без змін {unchanged}.")
