"""«Звернення»: the queue of cases, one case's transcript beside the account's facts,
the reply box, taking a case and closing it. The reads and operations are the
core's (`core.staff.cases`, reads audited); this page only calls them."""

from __future__ import annotations

import time
from typing import Dict

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console.auth import guarded
from console.pages.common import as_user, form_text
from console.rendering import error_page, flash, render
from core.db.engine import run_unit_of_work, unit_of_work
from core.db.models import CaseStatus
from core.handoff import cases
from core.staff import cases as staff_cases

STATUS_LABELS = {
    CaseStatus.new.value: "нові",
    CaseStatus.waiting_us.value: "чекають на нас",
    CaseStatus.waiting_consumer.value: "чекають на споживача",
    CaseStatus.closed.value: "закриті",
}
REASON_LABELS = {
    "asked": "попросив працівника",
    "misunderstood": "бот двічі не зрозумів",
    "complaint": "скарга",
    "meter": "проблема з лічильником",
}
AUTHOR_LABELS = {"consumer": "споживач", "clerk": "працівник", "assistant": "бот"}
# The navigation's counts: read at most this often per console process.
NAV_SECONDS = 10.0
_nav: Dict[str, object] = {"at": -1e9, "counts": {}}


def nav_counts() -> Dict[str, int]:
    """Open cases by status, for the navigation of every page."""
    if time.monotonic() - float(_nav["at"]) > NAV_SECONDS:  # type: ignore[arg-type]
        with unit_of_work() as session:
            _nav["counts"] = cases.counts_by_status(session)
        _nav["at"] = time.monotonic()
    return dict(_nav["counts"])  # type: ignore[arg-type]


def _forget_nav() -> None:
    _nav["at"] = -1e9


@guarded()
async def queue_page(request: Request) -> Response:
    status = request.query_params.get("status") or CaseStatus.new.value
    if status not in STATUS_LABELS:
        status = CaseStatus.new.value

    def load(session):
        return cases.counts_by_status(session), cases.cases_with_status(session, status)

    counts, rows = await run_unit_of_work(load)
    return render(
        request,
        "cases.html",
        status=status,
        counts=counts,
        rows=[(row, cases.case_accounts(row)) for row in rows],
        status_labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
    )


@guarded()
async def case_page(request: Request) -> Response:
    loaded = await as_user(request, staff_cases.case_page, request.path_params["case_id"])
    if loaded is None:
        return error_page(request, 404, "Такого звернення немає.")
    return render(
        request,
        "case.html",
        status_labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
        author_labels=AUTHOR_LABELS,
        case=loaded.case,
        lines=loaded.lines,
        facts=loaded.facts,
    )


def _operation(name: str, done: str):
    """A POST that runs one core operation on the case and comes back to it."""

    @guarded()
    async def endpoint(request: Request) -> Response:
        case_id = request.path_params["case_id"]
        operation = getattr(staff_cases, name)
        extra = {"reply": ("text",), "close": ("reason",)}.get(name, ())
        values = [form_text(request, field) for field in extra]
        try:
            await as_user(request, operation, case_id, *values)
        except staff_cases.CaseError as error:
            flash(request, str(error), "error")
        else:
            flash(request, done)
            _forget_nav()
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    return endpoint


ROUTES = [
    Route("/cases", queue_page),
    Route("/cases/{case_id:int}", case_page),
    Route("/cases/{case_id:int}/take", _operation("take", "Звернення ваше."), methods=["POST"]),
    Route(
        "/cases/{case_id:int}/reply",
        _operation("reply", "Відповідь надіслано споживачеві."),
        methods=["POST"],
    ),
    Route(
        "/cases/{case_id:int}/close",
        _operation("close", "Звернення закрито, споживача повідомлено."),
        methods=["POST"],
    ),
]
