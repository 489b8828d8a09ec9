"""«Білінг»: upload a subscriber file (preview with the rejected rows, then apply)
and download the readings export — the same core code as the command line."""

from __future__ import annotations

import io
import os
import secrets
import tempfile
from pathlib import Path
from typing import Optional

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import acting, form_text, period_param
from console.rendering import flash, render
from core.billing.export import accepted_readings, write_export
from core.billing.importer import apply_import, check_mass_deactivation, plan_import
from core.billing.subscriber_file import SubscriberFile, load_subscriber_file
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole
from core.errors import StaffError
from core.repository import console as console_repo
from core.settings import get_settings

MAX_UPLOAD = 64 * 1024 * 1024  # 300,000 meters are about 30 MB
SHOWN_REJECTS = 200
ENCODINGS = {"utf-8-sig": "UTF-8 (Excel)", "cp1251": "Windows-1251"}


def _upload_dir() -> Path:
    """A folder only this process's user can read: uploads hold personal data."""
    folder = Path(tempfile.gettempdir()) / f"teplo-console-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _pending(request: Request) -> Optional[Path]:
    token = request.session.get("billing_upload")
    if not isinstance(token, str) or not token.isalnum():
        return None
    path = _upload_dir() / f"{token}.csv"
    return path if path.exists() else None


@guarded()
async def billing_page(request: Request) -> Response:
    return render(request, "billing.html", period=period_param(request), encodings=ENCODINGS)


def _parse(path: Path) -> SubscriberFile:
    return load_subscriber_file(path, get_settings().now().date())


@guarded(StaffRole.admin)
async def upload(request: Request) -> Response:
    file = request.state.form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        flash(request, "Оберіть файл вивантаження з білінгу (CSV).", "error")
        return RedirectResponse("/billing", status_code=303)
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash(request, "Файл завеликий (понад 64 МБ).", "error")
        return RedirectResponse("/billing", status_code=303)
    old = _pending(request)
    if old is not None:
        old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    path = _upload_dir() / f"{token}.csv"
    path.write_bytes(data)
    full = form_text(request, "full") == "1"
    try:
        parsed = _parse(path)
        plan = await run_unit_of_work(lambda s: plan_import(s, parsed, full))
        if full:
            check_mass_deactivation(plan)
    except StaffError as error:
        path.unlink(missing_ok=True)
        flash(request, f"Файл не прийнято: {error}", "error")
        return RedirectResponse("/billing", status_code=303)
    request.session["billing_upload"] = token
    request.session["billing_full"] = full
    return render(
        request,
        "billing_preview.html",
        filename=file.filename,
        parsed=parsed,
        plan=plan,
        full=full,
        rejected=parsed.rejected[:SHOWN_REJECTS],
    )


@guarded(StaffRole.admin)
async def apply(request: Request) -> Response:
    path = _pending(request)
    if path is None:
        flash(request, "Немає перевіреного файлу: завантажте його ще раз.", "error")
        return RedirectResponse("/billing", status_code=303)
    full = bool(request.session.get("billing_full"))
    user, now = acting(request), get_settings().now()

    def work(session: Session):
        plan = plan_import(session, parsed, full)
        if full:
            check_mass_deactivation(plan)
        apply_import(session, plan)
        after = {
            "accounts": vars(plan.accounts),
            "meters": vars(plan.meters),
            "readings_added": len(plan.new_readings),
            "rows": parsed.rows,
            "rejected": len(parsed.rejected),
            "full": full,
        }
        console_repo.record_audit(
            session, user.username, "billing_import", "імпорт з білінгу", None, after, now
        )
        return plan

    try:
        parsed = _parse(path)
        plan = await run_unit_of_work(work)
        request.app.state.figures.forget()
    except StaffError as error:
        flash(request, f"Імпорт не виконано: {error}", "error")
        return RedirectResponse("/billing", status_code=303)
    finally:
        path.unlink(missing_ok=True)
        request.session.pop("billing_upload", None)
    flash(
        request,
        f"Імпорт завершено: рахунків додано {plan.accounts.added}, оновлено "
        f"{plan.accounts.updated}, деактивовано {plan.accounts.deactivated}; лічильників додано "
        f"{plan.meters.added}, оновлено {plan.meters.updated}, деактивовано "
        f"{plan.meters.deactivated}; показників додано {len(plan.new_readings)}.",
    )
    return RedirectResponse("/billing", status_code=303)


@guarded(StaffRole.admin)
async def discard(request: Request) -> Response:
    path = _pending(request)
    if path is not None:
        path.unlink(missing_ok=True)
    request.session.pop("billing_upload", None)
    flash(request, "Файл відкинуто, нічого не змінено.")
    return RedirectResponse("/billing", status_code=303)


@guarded()
async def export(request: Request) -> Response:
    """The readings export as a download; who downloaded it goes to the audit log."""
    period = period_param(request)
    encoding = request.query_params.get("encoding", "utf-8-sig")
    if encoding not in ENCODINGS:
        encoding = "utf-8-sig"
    user, now = acting(request), get_settings().now()

    def work(session: Session):
        rows = accepted_readings(session, period)
        console_repo.record_audit(
            session,
            user.username,
            "export",
            f"вивантаження показників {period}",
            None,
            {"rows": len(rows), "encoding": encoding},
            now,
        )
        return rows

    rows = await run_unit_of_work(work)
    buffer = io.BytesIO()
    write_export(buffer, rows, encoding)
    return Response(
        buffer.getvalue(),
        media_type=f"text/csv; charset={'windows-1251' if encoding == 'cp1251' else 'utf-8'}",
        headers={"Content-Disposition": f'attachment; filename="readings-{period}.csv"'},
    )
