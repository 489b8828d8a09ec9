"""Templates and the values every page shows: the user, the CSRF token, messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, List, Optional, Tuple

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from console.auth import csrf_token
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
_env.globals.update(percent=percent, case_counts=lambda: _case_counts())


def _case_counts():
    from console.pages.cases import nav_counts  # late: the page module renders with this one

    return nav_counts()


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message shown once on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append([kind, text])


def _take_flashes(request: Request) -> List[Tuple[str, str]]:
    return [tuple(item) for item in request.session.pop("flash", [])]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.update(
        request=request,
        user=getattr(request.state, "user", None),
        csrf_token=csrf_token(request),
        messages=_take_flashes(request),
        path=request.url.path,
    )
    return HTMLResponse(_env.get_template(template).render(**context), status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, message=message)
