"""«Рахунок»: search, meters, readings by period, messenger links with «відв’язати»,
the photos and documents consumers sent (download audited),
and «Виправлення»: correcting or annulling a reading (the earlier one stays)."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Dict, List, Optional

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from console.auth import guarded
from console.pages.common import acting, form_text
from console.pages.flags import flag_label
from console.rendering import error_page, flash, render
from core.attachments import path_of
from core.billing.csvfiles import decimals_of, fits, parse_decimal
from core.db.engine import run_unit_of_work
from core.db.models import AccountLink, Meter, Reading, ReadingSource
from core.repository import attachments as attachments_repo
from core.repository import console as console_repo
from core.repository import holders as holders_repo
from core.repository import readings as readings_repo
from core.settings import get_settings
from core.texts.attachments import attachment_cells
from core.texts.common import meter_title

logger = logging.getLogger(__name__)

CONSOLE_CHANNEL = "console"


@guarded()
async def search_page(request: Request) -> Response:
    query = (request.query_params.get("q") or "").strip()[:100]
    accounts = await run_unit_of_work(lambda s: console_repo.search_accounts(s, query))
    if len(accounts) == 1 and query:
        return RedirectResponse(f"/accounts/{accounts[0].id}", status_code=303)
    return render(request, "search.html", query=query, accounts=accounts)


@dataclass(frozen=True)
class ReadingRow:
    reading: Reading
    meter: Meter

    @property
    def who(self) -> str:
        if self.reading.source == ReadingSource.billing:
            return "білінг"
        if self.reading.channel == CONSOLE_CHANNEL:
            return "працівник " + self.reading.sender_id.removeprefix("staff:")
        return "абонент"


def _account_view(session: Session, account_id: int) -> Optional[Dict]:
    account = console_repo.account_by_id(session, account_id)
    if account is None:
        return None
    meters = console_repo.account_meters(session, account_id)
    by_id = {meter.id: meter for meter in meters}
    periods: Dict[str, List[ReadingRow]] = defaultdict(list)
    for reading in console_repo.meter_readings(session, list(by_id), periods=6):
        periods[reading.period].append(ReadingRow(reading, by_id[reading.meter_id]))
    return {
        "account": account,
        "meters": [
            (m, meter_title(m.kind.value, m.serial, m.unit, m.location, full=True)) for m in meters
        ],
        "titles": {
            m.id: meter_title(m.kind.value, m.serial, m.unit, m.location, full=True) for m in meters
        },
        "periods": sorted(periods.items(), reverse=True),
        "links": console_repo.account_links(session, account_id),
        "flags": holders_repo.flags_of_account(session, account_id),
        "flag_label": flag_label,
        "attachments": [
            (row.attachment.id, attachment_cells(row))
            for row in attachments_repo.listed(session, account_id=account_id, limit=50)
        ],
    }


@guarded()
async def account_page(request: Request) -> Response:
    account_id = request.path_params["account_id"]
    view = await run_unit_of_work(lambda s: _account_view(s, account_id))
    if view is None:
        return error_page(request, 404, "Такого рахунку немає.")
    return render(request, "account.html", **view)


@guarded()
async def attachment_file(request: Request) -> Response:
    """A photo or document a consumer sent, as a download; every download is audited."""
    attachment_id = request.path_params["attachment_id"]
    user = acting(request)
    now = get_settings().now()

    def work(session: Session):
        attachment = attachments_repo.by_id(session, attachment_id)
        if attachment is None or not path_of(attachment).is_file():
            return None
        account = (
            console_repo.account_by_id(session, attachment.account_id)
            if attachment.account_id
            else None
        )
        target = f"рахунок {account.number}" if account is not None else "без рахунку"
        console_repo.record_audit(
            session,
            user.username,
            "attachment_download",
            target,
            None,
            {"attachment": attachment.id},
            now,
        )
        return path_of(attachment), attachment.content_type

    found = await run_unit_of_work(work)
    if found is None:
        return error_page(request, 404, "Такого файлу немає (можливо, його вже видалено).")
    path, content_type = found
    logger.info("console: attachment %d downloaded by %s", attachment_id, user.username)
    return FileResponse(
        path,
        media_type=content_type,
        filename=f"attachment-{attachment_id}{path.suffix}",
    )


def masked_sender(sender_id: str) -> str:
    """Enough of a messenger id to tell two users apart, not enough to contact them."""
    return "…" + sender_id[-4:] if len(sender_id) > 4 else "…"


@guarded()
async def unlink(request: Request) -> Response:
    account_id = request.path_params["account_id"]
    link_id = request.path_params["link_id"]
    user = acting(request)
    now = get_settings().now()

    def work(session: Session) -> bool:
        link = session.get(AccountLink, link_id)
        if link is None or link.account_id != account_id:
            return False
        before = {
            "channel": link.channel,
            "user": masked_sender(link.sender_id),
            "linked_at": link.linked_at.isoformat(timespec="seconds"),
        }
        session.delete(link)
        console_repo.record_audit(
            session, user.username, "unlink", f"рахунок {link.account.number}", before, None, now
        )
        return True

    if await run_unit_of_work(work):
        flash(request, "Користувача месенджера відв’язано від рахунку.")
    else:
        flash(request, "Цей зв’язок уже видалено.", "error")
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


@guarded()
async def correct(request: Request) -> Response:
    """A new value for a reading in force; the old one stays, superseded."""
    reading_id = request.path_params["reading_id"]
    reason = form_text(request, "reason")
    raw = form_text(request, "value")
    user = acting(request)
    now = get_settings().now()

    def work(session: Session) -> tuple:
        reading = session.get(Reading, reading_id)
        if reading is None:
            return None, "Такого показника немає."
        account_id = reading.meter.account_id
        if not reading.in_force:
            return account_id, "Цей показник уже замінено; виправляйте чинний."
        if not reason:
            return account_id, "Вкажіть причину виправлення."
        try:
            value = parse_decimal(raw)
        except (ValueError, InvalidOperation):
            return account_id, f"«{raw}» — не число. Приклад: 1234,5"
        meter = reading.meter
        if decimals_of(value) > meter.decimals:
            return account_id, f"Лічильник показує {meter.decimals} знаки після коми."
        if not fits(value, 14, 4) or value < Decimal(0):
            return account_id, "Таке значення не може бути показником."
        if value == reading.value:
            return account_id, "Нове значення таке саме, як чинне."
        new = readings_repo.store_reading(
            session,
            meter.id,
            reading.period,
            value,
            now,
            CONSOLE_CHANNEL,
            f"staff:{user.username}",
            ReadingSource.assistant,
        )
        console_repo.record_audit(
            session,
            user.username,
            "correct_reading",
            f"рахунок {meter.account.number}, лічильник №{meter.serial}, {reading.period}",
            {"reading_id": reading.id, "value": str(reading.value)},
            {"reading_id": new.id, "value": str(value)},
            now,
            reason,
        )
        return account_id, None

    account_id, problem = await run_unit_of_work(work)
    request.app.state.figures.forget()
    if account_id is None:
        return error_page(request, 404, problem)
    flash(
        request,
        problem or "Показник виправлено; попередній збережено як замінений.",
        "error" if problem else "ok",
    )
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


@guarded()
async def annul(request: Request) -> Response:
    """Takes a reading out of force without a replacement (e.g. a test or a wrong meter)."""
    reading_id = request.path_params["reading_id"]
    reason = form_text(request, "reason")
    user = acting(request)
    now = get_settings().now()

    def work(session: Session) -> tuple:
        reading = session.get(Reading, reading_id)
        if reading is None:
            return None, "Такого показника немає."
        meter = reading.meter
        if not reading.in_force:
            return meter.account_id, "Цей показник уже не чинний."
        if not reason:
            return meter.account_id, "Вкажіть причину анулювання."
        reading.in_force = False
        session.flush()
        console_repo.record_audit(
            session,
            user.username,
            "annul_reading",
            f"рахунок {meter.account.number}, лічильник №{meter.serial}, {reading.period}",
            {"reading_id": reading.id, "value": str(reading.value), "in_force": True},
            {"reading_id": reading.id, "value": str(reading.value), "in_force": False},
            now,
            reason,
        )
        return meter.account_id, None

    account_id, problem = await run_unit_of_work(work)
    request.app.state.figures.forget()
    if account_id is None:
        return error_page(request, 404, problem)
    flash(
        request,
        problem or "Показник анульовано; він лишається в історії.",
        "error" if problem else "ok",
    )
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)
