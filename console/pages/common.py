"""What several pages share: the period parameter, the acting staff user, and
running a core staff operation (`core.staff`) as that user."""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import Principal
from console.rendering import flash
from core.db.engine import run_unit_of_work
from core.db.models import period_of
from core.settings import get_settings
from core.staff.result import Result

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def current_period() -> str:
    """This month ("YYYY-MM") on the business clock."""
    return period_of(get_settings().now().date())


def period_param(request: Request, name: str = "period") -> str:
    """The period asked for ("YYYY-MM"), the current one when absent or malformed."""
    value = (request.query_params.get(name) or "").strip()
    return value if _PERIOD.match(value) else current_period()


def valid_period(value: object) -> Optional[str]:
    text = str(value or "").strip()
    return text if _PERIOD.match(text) else None


def acting(request: Request) -> Principal:
    return request.state.user


def form_text(request: Request, name: str) -> str:
    value = request.state.form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def as_user(
    request: Request, operation: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Runs `operation(session, actor, now, …)` in one unit of work as the signed-in user."""
    actor, now = acting(request).username, get_settings().now()
    return await run_unit_of_work(lambda session: operation(session, actor, now, *args, **kwargs))


def flash_back(request: Request, result: Result, url: str) -> Response:
    """The operation's message on the page the user goes back to."""
    flash(request, result.message, "ok" if result.ok else "error")
    return RedirectResponse(url, status_code=303)
