"""«Рахунок»: search, meters, readings by period, messenger links with «відв’язати»,
the photos and documents consumers sent (download audited),
and «Виправлення»: correcting or annulling a reading (the earlier one stays).
The reads and changes are the core's (`core.staff.accounts`, `core.staff.readings`,
`core.staff.attachments`); this page shows them."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from console.auth import guarded
from console.pages.common import acting, as_user, flash_back, form_text
from console.rendering import error_page, render
from core.db.models import Meter, Reading, ReadingSource
from core.senders import unqualify
from core.staff import accounts as staff_accounts
from core.staff import readings as staff_readings
from core.staff.attachments import open_attachment
from core.staff.flags import flag_label
from core.staff.result import Result
from core.texts.attachments import attachment_cells
from core.texts.common import meter_title

logger = logging.getLogger(__name__)


@guarded()
async def search_page(request: Request) -> Response:
    query = (request.query_params.get("q") or "").strip()[:100]
    accounts = await as_user(request, staff_accounts.search, query)
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
        if self.reading.channel == staff_readings.STAFF_CHANNEL:
            sender = self.reading.sender_id
            return "працівник " + (unqualify(staff_readings.STAFF_SENDER, sender) or sender)
        return "абонент"


def _view(page: staff_accounts.AccountPage) -> Dict:
    by_id = {meter.id: meter for meter in page.meters}
    titles = {
        m.id: meter_title(m.kind.value, m.serial, m.unit, m.location, full=True)
        for m in page.meters
    }
    periods: Dict[str, List[ReadingRow]] = defaultdict(list)
    for reading in page.readings:
        periods[reading.period].append(ReadingRow(reading, by_id[reading.meter_id]))
    return {
        "account": page.account,
        "meters": [(m, titles[m.id]) for m in page.meters],
        "titles": titles,
        "periods": sorted(periods.items(), reverse=True),
        "links": page.links,
        "flags": page.flags,
        "flag_label": flag_label,
        "attachments": [(row.attachment.id, attachment_cells(row)) for row in page.attachments],
    }


@guarded()
async def account_page(request: Request) -> Response:
    account_id = request.path_params["account_id"]
    page = await as_user(request, staff_accounts.account_page, account_id)
    if page is None:
        return error_page(request, 404, "Такого рахунку немає.")
    return render(request, "account.html", **_view(page))


@guarded()
async def attachment_file(request: Request) -> Response:
    """A photo or document a consumer sent, as a download; every download is audited."""
    attachment_id = request.path_params["attachment_id"]
    result = await as_user(request, open_attachment, attachment_id)
    if not result.ok:
        return error_page(request, 404, "Такого файлу немає (можливо, його вже видалено).")
    logger.info("console: attachment %d downloaded by %s", attachment_id, acting(request).username)
    return FileResponse(
        result.value.path,
        media_type=result.value.content_type,
        filename=f"attachment-{attachment_id}{result.value.path.suffix}",
    )


@guarded()
async def unlink(request: Request) -> Response:
    account_id = request.path_params["account_id"]
    result = await as_user(
        request, staff_readings.unlink, account_id, request.path_params["link_id"]
    )
    return flash_back(request, result, f"/accounts/{account_id}")


def _back_to_account(request: Request, result: Result) -> Response:
    request.app.state.figures.forget()
    if result.value is None:
        return error_page(request, 404, result.message)
    return flash_back(request, result, f"/accounts/{result.value}")


@guarded()
async def correct(request: Request) -> Response:
    """A new value for a reading in force; the old one stays, superseded."""
    result = await as_user(
        request,
        staff_readings.correct_reading,
        request.path_params["reading_id"],
        form_text(request, "value"),
        form_text(request, "reason"),
    )
    return _back_to_account(request, result)


@guarded()
async def annul(request: Request) -> Response:
    """Takes a reading out of force without a replacement (e.g. a test or a wrong meter)."""
    result = await as_user(
        request,
        staff_readings.annul_reading,
        request.path_params["reading_id"],
        form_text(request, "reason"),
    )
    return _back_to_account(request, result)
