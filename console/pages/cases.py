"""«Звернення»: the queue of cases, one case's transcript beside the account's facts,
the reply box, taking a case and closing it. The operations are the core's
(`core.staff.cases`); this page only calls them."""

from __future__ import annotations

import time
from typing import Dict, List, Optional

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console.auth import guarded
from console.pages.common import acting, form_text
from console.rendering import error_page, flash, render
from core.db.engine import run_unit_of_work, unit_of_work
from core.db.models import Case, CaseStatus
from core.handoff import cases
from core.repository import accounts as accounts_repo
from core.repository import attachments as attachments_repo
from core.repository import console as console_repo
from core.settings import get_settings
from core.staff import cases as staff_cases
from core.texts.common import meter_title

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

    def load(session: Session):
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


def _facts(session: Session, numbers: List[str]) -> List[dict]:
    """Each proved account with its address and meters' latest readings."""
    facts = []
    for number in numbers:
        account = accounts_repo.find_account(session, number)
        if account is None:
            continue
        meters = console_repo.account_meters(session, account.id)
        latest: Dict[int, object] = {}
        for reading in console_repo.meter_readings(session, [m.id for m in meters], periods=1):
            latest.setdefault(reading.meter_id, reading)
        facts.append(
            {
                "account": account,
                "meters": [
                    (meter_title(m.kind.value, m.serial, m.unit, m.location), latest.get(m.id))
                    for m in meters
                ],
            }
        )
    return facts


def _load_case(session: Session, case_id: int) -> Optional[dict]:
    case = session.get(Case, case_id)
    if case is None:
        return None
    lines = []
    for message in cases.case_messages(session, case_id):
        attachment = (
            attachments_repo.by_token(session, message.attachment_token)
            if message.attachment_token
            else None
        )
        lines.append((message, attachment.id if attachment else None))
    return {"case": case, "lines": lines, "facts": _facts(session, cases.case_accounts(case))}


@guarded()
async def case_page(request: Request) -> Response:
    loaded = await run_unit_of_work(lambda s: _load_case(s, request.path_params["case_id"]))
    if loaded is None:
        return error_page(request, 404, "Такого звернення немає.")
    return render(
        request,
        "case.html",
        status_labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
        author_labels=AUTHOR_LABELS,
        **loaded,
    )


def _operation(name: str, done: str):
    """A POST that runs one core operation on the case and comes back to it."""

    @guarded()
    async def endpoint(request: Request) -> Response:
        case_id = request.path_params["case_id"]
        user, now = acting(request), get_settings().now()
        operation = getattr(staff_cases, name)
        extra = {"reply": ("text",), "close": ("reason",)}.get(name, ())
        values = [form_text(request, field) for field in extra]
        try:
            await run_unit_of_work(lambda s: operation(s, user.username, now, case_id, *values))
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
