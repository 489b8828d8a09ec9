"""Signing in and out, with throttling of repeated wrong passwords."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import (
    attempt_login,
    csrf_valid,
    current_user,
    end_sessions,
    guarded,
    start_session,
)
from console.rendering import flash, render
from core.texts.common import format_date


def _safe_next(target: str) -> str:
    # Only paths of this site: "//evil.example", "/\\evil.example" (browsers read it as
    # "//") or "https://…" would leave it.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/month"


async def login_page(request: Request) -> Response:
    if await current_user(request) is not None:
        return RedirectResponse("/month", status_code=303)
    return render(request, "login.html", next=_safe_next(request.query_params.get("next", "")))


async def login_submit(request: Request) -> Response:
    form = await request.form()
    next_page = _safe_next(str(form.get("next", "")))
    if not csrf_valid(request, form.get("csrf_token")):
        return render(
            request,
            "login.html",
            status_code=403,
            next=next_page,
            problem="Сторінка входу застаріла. Спробуйте ще раз.",
        )
    username = str(form.get("username", ""))[:60]
    password = str(form.get("password", ""))[:200]
    client = request.client.host if request.client else ""
    result = await attempt_login(request.app.state.config, username, password, client)
    if result.retry_after is not None:
        when = result.retry_after
        return render(
            request,
            "login.html",
            status_code=429,
            next=next_page,
            username=username,
            problem=f"Забагато невдалих спроб. Спробуйте після {when:%H:%M} "
            f"({format_date(when.date())}).",
        )
    if result.user is None:
        return render(
            request,
            "login.html",
            status_code=401,
            next=next_page,
            username=username,
            problem="Неправильне ім’я користувача або пароль.",
        )
    start_session(request, result.user.id, result.epoch)
    return RedirectResponse(next_page, status_code=303)


@guarded()
async def logout(request: Request) -> Response:
    await end_sessions(request.state.user.id)
    request.session.clear()
    flash(request, "Ви вийшли з консолі.")
    return RedirectResponse("/login", status_code=303)
