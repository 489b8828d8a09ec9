"""«Розсилка» (admins): one text to all users, to streets, or to those who have not
submitted readings — a preview first, then sending with the recipients' count
confirmed. The operation is the core's (`core.staff.broadcast`), shared with
`teplo broadcast`; this page only reads the form and shows the plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import as_user, current_period, form_text, valid_period
from console.rendering import flash, render
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole
from core.errors import StaffError
from core.outbox.broadcast import MAX_TEXT, Audience, BroadcastPlan
from core.settings import get_settings
from core.staff import broadcast as staff_broadcast
from core.texts.outbox import moment

PAGE = "/broadcast"
_STREET_SEPARATORS = re.compile(r"[,\n]")
# Browsers send a textarea's line breaks as CRLF; `teplo` and the core's key use LF.
_LINE_BREAK = re.compile(r"\r\n?")


@dataclass(frozen=True)
class BroadcastForm:
    """What the admin typed, kept as typed so that a refused form comes back filled in."""

    text: str = ""
    streets: str = ""
    owing: bool = False
    period: str = ""


def _read_form(request: Request) -> BroadcastForm:
    return BroadcastForm(
        text=_LINE_BREAK.sub("\n", form_text(request, "text")),
        streets=_LINE_BREAK.sub("\n", form_text(request, "streets")),
        owing=form_text(request, "owing") == "1",
        # The box ticked with the month left empty: the current period.
        period=form_text(request, "period") or current_period(),
    )


def _audience(form: BroadcastForm) -> Audience:
    """The audience the form asks for; StaffError for a malformed month, like the core's
    own refusals (empty or long text), so that both read the same on the page."""
    streets = tuple(part.strip() for part in _STREET_SEPARATORS.split(form.streets) if part.strip())
    if not form.owing:
        return Audience(streets)
    period = valid_period(form.period)
    if period is None:
        raise StaffError(f"місяць «{form.period}» має бути у форматі РРРР-ММ, напр. 2026-11")
    return Audience(streets, period)


def _page(
    request: Request,
    form: BroadcastForm,
    plan: Optional[BroadcastPlan] = None,
    status_code: int = 200,
) -> Response:
    """The form, filled in, and the plan's preview with its confirmation when there is one."""
    return render(
        request,
        "broadcast.html",
        status_code=status_code,
        form=form,
        plan=plan,
        starts=moment(plan.not_before) if plan else "",
        max_text=MAX_TEXT,
    )


def _refused(request: Request, form: BroadcastForm, error: StaffError) -> Response:
    # Rendered, not redirected: the admin's text stays in the form to fix.
    flash(request, f"Розсилку не підготовлено: {error}", "error")
    return _page(request, form, status_code=400)


@guarded(StaffRole.admin)
async def broadcast_page(request: Request) -> Response:
    return _page(request, BroadcastForm(period=current_period()))


@guarded(StaffRole.admin)
async def preview(request: Request) -> Response:
    form = _read_form(request)
    now = get_settings().now()
    try:
        audience = _audience(form)
        plan = await run_unit_of_work(
            lambda session: staff_broadcast.preview(session, now, form.text, audience)
        )
    except StaffError as error:
        return _refused(request, form, error)
    return _page(request, form, plan)


@guarded(StaffRole.admin)
async def send(request: Request) -> Response:
    form = _read_form(request)
    expect = form_text(request, "expect")
    if not (expect.isascii() and expect.isdigit() and len(expect) <= 9):  # not «²», not 10**99
        return _refused(request, form, StaffError("немає підтвердженої кількості одержувачів"))
    try:
        result = await as_user(
            request, staff_broadcast.send, form.text, _audience(form), int(expect)
        )
    except StaffError as error:
        return _refused(request, form, error)
    if not result.ok:
        # The audience changed since the preview: its new size, to confirm again.
        flash(request, result.message, "error")
        plan, _ = result.value
        return _page(request, form, plan)
    flash(request, result.message)
    return RedirectResponse(PAGE, status_code=303)
