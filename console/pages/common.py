"""What several pages share: the period parameter and the acting staff user."""

from __future__ import annotations

import re
from typing import Optional

from starlette.requests import Request

from console.auth import Principal
from core.db.models import period_of
from core.settings import get_settings

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def period_param(request: Request, name: str = "period") -> str:
    """The period asked for ("YYYY-MM"), the current one when absent or malformed."""
    value = (request.query_params.get(name) or "").strip()
    return value if _PERIOD.match(value) else period_of(get_settings().now().date())


def valid_period(value: object) -> Optional[str]:
    text = str(value or "").strip()
    return text if _PERIOD.match(text) else None


def acting(request: Request) -> Principal:
    return request.state.user


def form_text(request: Request, name: str) -> str:
    value = request.state.form.get(name)
    return value.strip() if isinstance(value, str) else ""
