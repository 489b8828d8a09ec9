"""«Налаштування» (admins): the month's submission window, contacts and tariffs.
The operations are the core's (`core.staff.settings`), shared with `teplo settings`."""

from __future__ import annotations

import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Optional

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import as_user, flash_back, form_text, valid_period
from console.rendering import flash, render
from core.billing.tariffs import TARIFF_COLUMNS
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole
from core.settings import get_settings
from core.staff import settings as staff_settings

MAX_UPLOAD = 5 * 1024 * 1024  # a tariff file is a few lines
PAGE = "/settings"


@guarded(StaffRole.admin)
async def settings_page(request: Request) -> Response:
    settings = get_settings()
    view = await run_unit_of_work(
        lambda s: staff_settings.settings_view(s, settings, settings.now())
    )
    return render(
        request,
        "settings.html",
        tariff_columns=";".join(TARIFF_COLUMNS) + ";note",
        **{field.name: getattr(view, field.name) for field in fields(view)},
    )


def _day(text: str) -> Optional[int]:
    return int(text) if text.isdigit() else None


@guarded(StaffRole.admin)
async def save_window(request: Request) -> Response:
    period = valid_period(form_text(request, "period"))
    if period is None:
        flash(request, "Період має бути у форматі РРРР-ММ.", "error")
        return RedirectResponse(PAGE, status_code=303)
    if form_text(request, "action") == "reset":
        result = await as_user(request, staff_settings.reset_window, period)
    else:
        first, last = _day(form_text(request, "first_day")), _day(form_text(request, "last_day"))
        result = await as_user(
            request, staff_settings.set_window, get_settings(), period, first, last
        )
    return flash_back(request, result, PAGE)


@guarded(StaffRole.admin)
async def save_contacts(request: Request) -> Response:
    # Every field is in the form: an empty one is the environment's value again.
    changes = {name: form_text(request, name) for name in staff_settings.CONTACT_KEYS}
    result = await as_user(request, staff_settings.save_contacts, get_settings(), changes)
    return flash_back(request, result, PAGE)


@guarded(StaffRole.admin)
async def upload_tariffs(request: Request) -> Response:
    upload = request.state.form.get("file")
    if not isinstance(upload, UploadFile):
        flash(request, "Оберіть CSV-файл тарифів.", "error")
        return RedirectResponse(PAGE, status_code=303)
    data = await upload.read(MAX_UPLOAD + 1)
    with tempfile.TemporaryDirectory(prefix="console-tariffs-") as folder:
        path = Path(folder) / "tariffs.csv"
        path.write_bytes(data[:MAX_UPLOAD])
        result = await as_user(request, staff_settings.import_tariff_file, path)
    return flash_back(request, result, PAGE)
