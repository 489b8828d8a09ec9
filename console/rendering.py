"""Templates and the values every page shows: the user, the CSRF token, messages.

Starlette's `Jinja2Templates` renders; `page_context` (its context processor)
adds what every page shows, and the open-case counts of the navigation come
from the application (`app.state.case_counts`), so this module imports no page.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from console.csrf import csrf_token
from core.settings import KYIV
from core.texts.common import format_period
from core.texts.labels import channel_label

TEMPLATES = Path(__file__).parent / "templates"


def decimal_comma(value: Optional[Decimal]) -> str:
    if value is None:
        return "—"
    return f"{value:f}".replace(".", ",")


def kyiv_time(value: Optional[datetime]) -> str:
    if value is None:
        return "—"
    return value.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")


def kyiv_date(value: Optional[date]) -> str:
    return "—" if value is None else value.strftime("%d.%m.%Y")


def percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{Decimal(part * 100) / Decimal(whole):.1f}".replace(".", ",") + " %"


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    decimal=decimal_comma,
    when=kyiv_time,
    day=kyiv_date,
    period_name=format_period,
    channel=channel_label,
)
_env.globals.update(percent=percent)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message shown once on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append([kind, text])


def _take_flashes(request: Request) -> List[Tuple[str, str]]:
    return [tuple(item) for item in request.session.pop("flash", [])]


def page_context(request: Request) -> Dict[str, Any]:
    """What every page shows besides its own values (the context processor)."""
    return {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "messages": _take_flashes(request),
        "path": request.url.path,
        # Called by the navigation only when someone is signed in (a query, cached).
        "case_counts": request.app.state.case_counts,
    }


templates = Jinja2Templates(env=_env, context_processors=[page_context])


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, message=message)
