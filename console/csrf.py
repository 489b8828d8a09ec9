"""The session's CSRF token: every form of the console carries it, every POST is checked
against it (`console.auth.guarded`). Its own module, so that rendering (which puts the
token into the forms) and the checks need not import each other."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"


def renew_token(request: Request) -> str:
    """A new token for the session (at sign-in: a token planted before it is void)."""
    token = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    return request.session.get(SESSION_KEY) or renew_token(request)


def csrf_valid(request: Request, submitted: object) -> bool:
    """Whether a form's token is the session's (compared in constant time)."""
    expected = request.session.get(SESSION_KEY)
    return (
        bool(expected)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected.encode(), submitted.encode())
    )
