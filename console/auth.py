"""Who is signed in, what they may do, and the checks every request passes.

The session is Starlette's signed cookie (HttpOnly, SameSite=Strict, Secure in
production); it carries only the staff user's id and the CSRF token. The user
is re-read from the database on every request, so a disabled account or a
changed role takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Awaitable, Callable, Optional
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.config import ConsoleConfig
from console.csrf import csrf_valid, renew_token
from console.rendering import error_page
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole, StaffUser
from core.passwords import verify_password
from core.repository import audit as audit_repo
from core.repository import staff_users as staff_users_repo
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


def start_session(request: Request, user_id: int, epoch: int) -> None:
    """A fresh session on sign-in: nothing from before it (e.g. a planted token) carries over."""
    now = int(get_settings().now().timestamp())
    request.session.clear()
    request.session.update(uid=user_id, epoch=epoch, began=now, seen=now)
    renew_token(request)


def session_expired(config: ConsoleConfig, session: dict, is_admin: bool, now: int) -> bool:
    """The server's own check of a session's age: a copied cookie is no good past
    its lifetime whatever its max-age says. Administrators' sessions are
    shorter and also end after `admin_idle_minutes` without a request."""
    began, seen = session.get("began"), session.get("seen")
    if not isinstance(began, int) or not isinstance(seen, int):
        return True
    hours = (
        min(config.admin_session_hours, config.session_hours) if is_admin else config.session_hours
    )
    if now - began >= hours * 3600:
        return True
    return is_admin and now - seen >= config.admin_idle_minutes * 60


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

    principal = await run_unit_of_work(load)
    if principal is None:
        return None
    now = int(get_settings().now().timestamp())
    if session_expired(request.app.state.config, request.session, principal.is_admin, now):
        request.session.clear()
        return None
    request.session["seen"] = now
    return principal


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


UNKNOWN_USER = "(невідомий)"


async def attempt_login(
    config: ConsoleConfig, username: str, password: str, client: str
) -> LoginResult:
    """Checks the password unless the user name or the client is throttled.

    The attempt is counted before the password is checked
    (`staff_users_repo.reserve_login_attempt`), so parallel requests cannot
    exceed the limits. Sign-ins and failures go to the audit log, never the
    password, and a user name only if it is one of ours (people type their
    password into the wrong field).
    """
    now = get_settings().now()
    username = username.strip().lower()
    window = timedelta(minutes=config.login_window_minutes)
    limits = (config.login_failures, config.client_failures)

    attempt_id, retry_after = await run_unit_of_work(
        lambda s: staff_users_repo.reserve_login_attempt(s, username, client, now, window, limits)
    )
    if attempt_id is None:
        return LoginResult(retry_after=retry_after)

    user = await run_unit_of_work(lambda s: staff_users_repo.staff_user(s, username))
    valid = verify_password(user.password_hash if user else None, password)
    ok = valid and user is not None and user.active

    def settle(session: Session) -> None:
        staff_users_repo.settle_login_attempt(session, attempt_id, ok)
        audit_repo.record_audit(
            session,
            user.username if user is not None else UNKNOWN_USER,
            "sign_in" if ok else "sign_in_failed",
            f"з адреси {client}" if client else "",
            None,
            None,
            now,
        )

    await run_unit_of_work(settle)
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
