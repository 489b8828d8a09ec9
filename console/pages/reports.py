"""Report downloads for clerks (CSV or Excel) from the billing and month pages;
the core writes the audit entry (`core.staff.exports`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from console.auth import guarded
from console.pages.common import acting, period_param
from console.rendering import error_page
from core.db.engine import run_unit_of_work
from core.settings import get_settings
from core.staff.exports import FORMATS, REPORTS, export_report


@guarded()
async def download(request: Request) -> Response:
    report = request.path_params["report"]
    file_format = request.query_params.get("format", "xlsx")
    if report not in REPORTS or file_format not in FORMATS:
        return error_page(request, 404, "Такого звіту немає.")
    period, user, now = period_param(request), acting(request), get_settings().now()
    made = await run_unit_of_work(
        lambda s: export_report(s, user.username, now, report, period, file_format)
    )
    return Response(
        made.data,
        media_type=made.content_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )
