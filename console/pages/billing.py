"""«Білінг»: upload a subscriber file (preview with the rejected rows, then apply)
and download the readings export — the core's operations (`core.staff.billing`),
shared with `teplo billing import|export`."""

from __future__ import annotations

import io
import os
import secrets
import tempfile
from pathlib import Path
from typing import Optional

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import as_user, form_text, period_param
from console.rendering import flash, render
from core.billing.export import write_export
from core.billing.subscriber_file import SubscriberFile, load_subscriber_file
from core.db.models import StaffRole
from core.errors import StaffError
from core.settings import get_settings
from core.staff import billing as staff_billing

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
        plan = await as_user(request, staff_billing.import_subscribers, parsed, full, dry_run=True)
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
    try:
        parsed = _parse(path)
        plan = await as_user(request, staff_billing.import_subscribers, parsed, full)
        request.app.state.figures.forget()
    except StaffError as error:
        flash(request, f"Імпорт не виконано: {error}", "error")
        return RedirectResponse("/billing", status_code=303)
    finally:
        path.unlink(missing_ok=True)
        request.session.pop("billing_upload", None)
    flash(request, staff_billing.import_summary(plan))
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
    rows = await as_user(request, staff_billing.export_readings, period, encoding)
    buffer = io.BytesIO()
    write_export(buffer, rows, encoding)
    return Response(
        buffer.getvalue(),
        media_type=f"text/csv; charset={'windows-1251' if encoding == 'cp1251' else 'utf-8'}",
        headers={"Content-Disposition": f'attachment; filename="readings-{period}.csv"'},
    )
