"""The console's Starlette application: routes, the signed session, security headers."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Optional

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.config import ConsoleConfig, load_config, project_of
from console.figures_cache import FiguresCache, current_periods
from console.pages import (
    account,
    admin,
    billing,
    broadcast,
    cases,
    conversations,
    flags,
    login,
    month,
    reports,
    settings,
    training,
)
from core import health, metrics
from core.settings import get_settings
from retrain.background import TrainingRunner
from retrain.inbox_cache import InboxCache

STATIC = Path(__file__).parent / "static"

SECURITY_HEADERS = [
    # Only our own files; inline SVG is markup, not script, so it needs nothing more.
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    # Pages show personal data: never keep them in a shared browser's cache.
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Adds the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def home(request: Request) -> Response:
    return RedirectResponse("/month", status_code=303)


async def health_check(request: Request) -> Response:
    """Does the database answer (docs/monitoring.md); no sign-in, no personal data."""
    status, body = await health.response()
    return Response(body, status_code=status, media_type="application/json")


async def exposition(request: Request) -> Response:
    """Prometheus metrics of this process; the proxy must not publish them."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


ROUTES = [
    Route("/", home),
    Route("/health", health_check),
    Route("/metrics", exposition),
    Route("/login", login.login_page, methods=["GET"]),
    Route("/login", login.login_submit, methods=["POST"]),
    Route("/logout", login.logout, methods=["POST"]),
    Route("/month", month.month_page),
    Route("/accounts", account.search_page),
    Route("/accounts/{account_id:int}", account.account_page),
    Route("/attachments/{attachment_id:int}", account.attachment_file),
    Route(
        "/accounts/{account_id:int}/links/{link_id:int}/unlink", account.unlink, methods=["POST"]
    ),
    Route("/readings/{reading_id:int}/correct", account.correct, methods=["POST"]),
    Route("/readings/{reading_id:int}/annul", account.annul, methods=["POST"]),
    *cases.ROUTES,
    *conversations.ROUTES,
    Route("/flags", flags.flags_page),
    Route("/flags/{flag_id:int}/resolve", flags.resolve, methods=["POST"]),
    Route("/flags/{flag_id:int}/decide", flags.decide, methods=["POST"]),
    Route("/bars/{bar_id:int}/lift", flags.lift_bar, methods=["POST"]),
    Route("/training", training.training_page),
    Route("/training/labels", training.save_labels, methods=["POST"]),
    Route("/training/start", training.start_training, methods=["POST"]),
    Route("/training/promote", training.promote, methods=["POST"]),
    Route("/training/keep", training.keep, methods=["POST"]),
    Route("/settings", settings.settings_page),
    Route("/settings/window", settings.save_window, methods=["POST"]),
    Route("/settings/contacts", settings.save_contacts, methods=["POST"]),
    Route("/settings/tariffs", settings.upload_tariffs, methods=["POST"]),
    Route("/billing", billing.billing_page),
    Route("/billing/upload", billing.upload, methods=["POST"]),
    Route("/billing/apply", billing.apply, methods=["POST"]),
    Route("/billing/discard", billing.discard, methods=["POST"]),
    Route("/billing/export", billing.export),
    Route("/broadcast", broadcast.broadcast_page),
    Route("/broadcast/preview", broadcast.preview, methods=["POST"]),
    Route("/broadcast/send", broadcast.send, methods=["POST"]),
    Route("/reports/{report}", reports.download),
    Route("/audit", admin.audit_page),
    Route("/staff", admin.staff_page),
    Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
]


def create_app(config: Optional[ConsoleConfig] = None) -> Starlette:
    config = config or load_config()
    figures = FiguresCache()
    runner = TrainingRunner(project_of(config), config.training_command)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The pages staff open first: this month's and last month's figures, counted
        # in the background from the start so that nobody waits for them.
        figures.warm_up(current_periods(get_settings().now().date()))
        # A training run a previous console started: follow it again, or record its end.
        await run_in_threadpool(runner.resume)
        yield
        runner.stop()

    app = Starlette(
        lifespan=lifespan,
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=config.secret_key,
                session_cookie="console_session",
                max_age=config.session_hours * 3600,
                same_site="strict",
                https_only=config.secure_cookies,
            ),
        ],
    )
    app.state.config = config
    app.state.figures = figures
    app.state.training = runner
    app.state.inbox = InboxCache()
    app.state.case_counts = cases.nav_counts  # the navigation's open cases
    return app
