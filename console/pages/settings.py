"""«Налаштування» (admins): the month's submission window, contacts and tariffs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import acting, form_text, valid_period
from console.rendering import flash, render
from core.billing.tariffs import TARIFF_COLUMNS, import_tariffs, parse_tariffs
from core.contacts import EMAIL_KEY, HOURS_KEY, PHONE_KEY, load_contacts
from core.db.engine import run_unit_of_work
from core.db.models import Setting, StaffRole, Tariff, WindowOverride, period_of
from core.errors import StaffError
from core.readings.window import window_for, window_problem
from core.repository import console as console_repo
from core.repository import settings as settings_repo
from core.settings import get_settings

CONTACT_KEYS = {"phone": PHONE_KEY, "hours": HOURS_KEY, "email": EMAIL_KEY}
MAX_UPLOAD = 5 * 1024 * 1024  # a tariff file is a few lines


def _view(session: Session) -> Dict:
    settings = get_settings()
    now = settings.now()
    return {
        "defaults": (settings.window_first_day, settings.window_last_day),
        "window": window_for(session, settings.window_first_day, settings.window_last_day, now),
        "overrides": session.execute(select(WindowOverride).order_by(WindowOverride.period.desc()))
        .scalars()
        .all(),
        "contacts": load_contacts(session, settings),
        "stored": {
            name: settings_repo.get_setting(session, key) for name, key in CONTACT_KEYS.items()
        },
        "tariffs": settings_repo.current_tariffs(session, now.date()),
        "planned": session.execute(
            select(Tariff).where(Tariff.valid_from > now.date()).order_by(Tariff.valid_from)
        )
        .scalars()
        .all(),
        "tariff_columns": ";".join(TARIFF_COLUMNS) + ";note",
        "current_period": period_of(now.date()),
    }


@guarded(StaffRole.admin)
async def settings_page(request: Request) -> Response:
    return render(request, "settings.html", **(await run_unit_of_work(_view)))


def _day(text: str) -> Optional[int]:
    return int(text) if text.isdigit() else None


@guarded(StaffRole.admin)
async def save_window(request: Request) -> Response:
    period = valid_period(form_text(request, "period"))
    first, last = _day(form_text(request, "first_day")), _day(form_text(request, "last_day"))
    reset = form_text(request, "action") == "reset"
    user, settings = acting(request), get_settings()
    if period is None:
        flash(request, "Період має бути у форматі РРРР-ММ.", "error")
        return RedirectResponse("/settings", status_code=303)
    if not reset:
        problem = window_problem(
            period, first, last, settings.window_first_day, settings.window_last_day
        )
        if problem:
            flash(request, problem[0].upper() + problem[1:] + ".", "error")
            return RedirectResponse("/settings", status_code=303)

    def work(session: Session) -> None:
        override = session.get(WindowOverride, period)
        before = (
            None
            if override is None
            else {"first_day": override.first_day, "last_day": override.last_day}
        )
        if reset:
            if override is not None:
                session.delete(override)
            after = None
        else:
            override = override or WindowOverride(period=period)
            override.first_day, override.last_day = first, last
            session.add(override)
            after = {"first_day": first, "last_day": last}
        session.flush()
        console_repo.record_audit(
            session,
            user.username,
            "window",
            f"вікно прийому {period}",
            before,
            after,
            settings.now(),
        )

    await run_unit_of_work(work)
    flash(request, f"Вікно прийому за {period} збережено.")
    return RedirectResponse("/settings", status_code=303)


@guarded(StaffRole.admin)
async def save_contacts(request: Request) -> Response:
    values = {name: form_text(request, name) for name in CONTACT_KEYS}
    if values["email"] and "@" not in values["email"]:
        flash(request, f"«{values['email']}» не схоже на e-mail.", "error")
        return RedirectResponse("/settings", status_code=303)
    user, now = acting(request), get_settings().now()

    def work(session: Session) -> None:
        before, after = {}, {}
        for name, key in CONTACT_KEYS.items():
            old = settings_repo.get_setting(session, key)
            new = values[name] or None  # empty: back to the environment's value
            if old == new:
                continue
            before[name], after[name] = old, new
            if new is None:
                stored = session.get(Setting, key)
                if stored is not None:
                    session.delete(stored)
            else:
                settings_repo.set_setting(session, key, new)
        if after:
            session.flush()
            console_repo.record_audit(
                session, user.username, "contacts", "контакти", before, after, now
            )

    await run_unit_of_work(work)
    flash(request, "Контакти збережено.")
    return RedirectResponse("/settings", status_code=303)


@guarded(StaffRole.admin)
async def upload_tariffs(request: Request) -> Response:
    upload = request.state.form.get("file")
    if not isinstance(upload, UploadFile):
        flash(request, "Оберіть CSV-файл тарифів.", "error")
        return RedirectResponse("/settings", status_code=303)
    data = await upload.read(MAX_UPLOAD + 1)
    user, now = acting(request), get_settings().now()
    with tempfile.TemporaryDirectory(prefix="console-tariffs-") as folder:
        path = Path(folder) / "tariffs.csv"
        path.write_bytes(data[:MAX_UPLOAD])
        try:
            rows = parse_tariffs(path)
        except StaffError as error:
            flash(request, f"Тарифи не імпортовано: {error}", "error")
            return RedirectResponse("/settings", status_code=303)

    def work(session: Session):
        counts = import_tariffs(session, rows)
        console_repo.record_audit(
            session,
            user.username,
            "tariffs",
            "тарифи",
            None,
            [
                {
                    "service": r.service,
                    "category": r.category,
                    "price_uah": str(r.price_uah),
                    "valid_from": r.valid_from.isoformat(),
                }
                for r in rows
            ],
            now,
        )
        return counts

    added, updated, unchanged = await run_unit_of_work(work)
    flash(request, f"Тарифи: додано {added}, оновлено {updated}, без змін {unchanged}.")
    return RedirectResponse("/settings", status_code=303)
