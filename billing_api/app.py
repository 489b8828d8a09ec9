"""The Sanic application: routes, the call log, one unit of work per call."""

from __future__ import annotations

import logging
import time

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from billing_api import handlers
from core import health, metrics
from core.db.engine import run_unit_of_work
from core.settings import get_settings

log = logging.getLogger("billing_api.calls")


def create_app(name: str = "billing_api") -> Sanic:
    app = Sanic(name)

    async def health_check(request: Request) -> HTTPResponse:
        status, body = await health.response()
        return HTTPResponse(body, status=status, content_type="application/json")

    # Does the database answer (docs/monitoring.md).
    app.add_route(health_check, "/health", methods=["GET"], name="health")

    @app.get("/metrics")
    async def exposition(request: Request) -> HTTPResponse:
        body, content_type = metrics.exposition()
        return HTTPResponse(body, content_type=content_type)

    @app.get("/v1/readings")
    async def readings(request: Request) -> HTTPResponse:
        started = time.perf_counter()
        headers = {key.lower(): value for key, value in request.headers.items()}
        params = {key: request.args.get(key) for key in ("cursor", "limit", "format")}
        now = get_settings().now()
        reply = await run_unit_of_work(lambda s: handlers.readings(s, headers, params, now))
        # Who called, the outcome and how many rows: no readings, accounts or keys.
        log.info(
            "GET /v1/readings client=%s status=%d rows=%d ms=%.0f",
            reply.client,
            reply.status,
            reply.rows,
            (time.perf_counter() - started) * 1000,
        )
        return HTTPResponse(
            reply.body, status=reply.status, headers=reply.headers, content_type=reply.content_type
        )

    return app
