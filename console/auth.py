"""Who is signed in, what they may do, and the checks every request passes.

The session is Starlette's signed cookie (HttpOnly, SameSite=Strict, Secure in
production); it carries only the staff user's id and the CSRF token. The user
is re-read from the database on every request, so a disabled account or a
changed role takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Awaitable, Callable, Optional
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.config import ConsoleConfig
from console.passwords import verify_password
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole, StaffUser
from core.repository import console as console_repo
from core.settings import get_settings

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Principal:
    id: int
    username: str
    full_name: str
    role: StaffRole

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.admin

    @property
    def role_label(self) -> str:
        return "адміністратор" if self.is_admin else "оператор"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(request: Request, submitted: object) -> bool:
    expected = request.session.get("csrf")
    return (
        bool(expected)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected.encode(), submitted.encode())
    )


async def current_user(request: Request) -> Optional[Principal]:
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None

    epoch = request.session.get("epoch")

    def load(session: Session) -> Optional[Principal]:
        user = session.get(StaffUser, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return Principal(user.id, user.username, user.full_name, StaffRole(user.role))

    return await run_unit_of_work(load)


def guarded(role: StaffRole = StaffRole.clerk) -> Callable[[Handler], Handler]:
    """Signed-in users of the role only; every POST must carry the session's CSRF token.

    The form of a checked POST is in `request.state.form`, the user in `request.state.user`.
    """

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            user = await current_user(request)
            if user is None:
                request.session.pop("uid", None)
                target = quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else "")
                )
                return RedirectResponse(f"/login?next={target}", status_code=303)
            request.state.user = user
            # Imported here: rendering needs this module's csrf_token (import cycle).
            from console.rendering import error_page

            if role == StaffRole.admin and not user.is_admin:
                return error_page(request, 403, "Ця сторінка лише для адміністраторів.")
            if request.method == "POST":
                form = await request.form()
                if not csrf_valid(request, form.get("csrf_token")):
                    return error_page(
                        request,
                        403,
                        "Форма застаріла або надіслана не з консолі. Оновіть сторінку й спробуйте ще раз.",
                    )
                request.state.form = form
            return await handler(request)

        return endpoint

    return decorate


@dataclass(frozen=True)
class LoginResult:
    user: Optional[Principal] = None
    retry_after: Optional[datetime] = None  # set when throttled
    epoch: int = 0


async def attempt_login(
    config: ConsoleConfig, username: str, password: str, client: str
) -> LoginResult:
    """Checks the password unless the user name or the client is throttled; records the attempt."""
    now = get_settings().now()
    username = username.strip().lower()
    window = timedelta(minutes=config.login_window_minutes)

    def throttled_until(session: Session) -> Optional[datetime]:
        since = now - window
        for failures, limit in (
            (
                console_repo.failed_logins_since(session, since, username=username),
                config.login_failures,
            ),
            (
                console_repo.failed_logins_since(session, since, client=client),
                config.client_failures,
            ),
        ):
            if len(failures) >= limit:
                # Free again when the oldest counted failure leaves the window.
                return failures[-limit] + window
        return None

    retry_after = await run_unit_of_work(throttled_until)
    if retry_after is not None:
        return LoginResult(retry_after=retry_after)

    user = await run_unit_of_work(lambda s: console_repo.staff_user(s, username))
    valid = verify_password(user.password_hash if user else None, password)
    ok = valid and user is not None and user.active
    await run_unit_of_work(
        lambda s: console_repo.record_login_attempt(s, username, client, ok, now)
    )
    if not ok:
        return LoginResult()
    return LoginResult(
        user=Principal(user.id, user.username, user.full_name, StaffRole(user.role)),
        epoch=user.session_epoch,
    )


async def end_sessions(user_id: int) -> None:
    """Signs the user out everywhere: cookies of the old epoch are refused from now on."""

    def bump(session: Session) -> None:
        user = session.get(StaffUser, user_id)
        if user is not None:
            user.session_epoch += 1

    await run_unit_of_work(bump)
