"""The action server: rasa-sdk's app, on loopback unless told otherwise, and
refusing calls that do not carry the shared secret when one is configured.

Run as `python -m actions.server --port 5055`. Rasa sends the secret as the
`token` query parameter (`action_endpoint.token` in endpoints.yml, from
ACTION_SERVER_TOKEN); rasa-sdk itself checks nothing and trusts whatever
tracker it is sent, so on another host the secret is what keeps others out.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Optional

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import health, metrics, preflight

logger = logging.getLogger(__name__)
OPEN_PATHS = {"/health", "/metrics"}


def build_app(token: Optional[str]) -> Sanic:
    """rasa-sdk's app for the `actions` package, with the secret checked if given,
    `/health` checking the database and `/metrics` (docs/monitoring.md)."""
    app = create_app("actions", cors_origins=None)

    @app.on_request
    async def health_check(request: Request):
        # rasa-sdk's own /health answers "ok" whatever the database says; ours first.
        if request.path != "/health":
            return None
        status, body = await health.response()
        return HTTPResponse(body, status=status, content_type="application/json")

    @app.get("/metrics")
    async def exposition(_: Request) -> HTTPResponse:
        body, content_type = metrics.exposition()
        return HTTPResponse(body, content_type=content_type)

    if token:

        @app.on_request
        async def require_token(request: Request):
            if request.path in OPEN_PATHS:
                return None
            supplied = request.args.get("token") or ""
            if not hmac.compare_digest(supplied.encode(), token.encode()):
                logger.warning("action call without the right token refused (%s)", request.path)
                return response.json({"error": "unauthorized"}, status=401)
            return None

    return app


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description="The assistant's action server (rasa-sdk).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    args = parser.parse_args(argv)
    preflight.start("actions")
    host = os.environ.get("SANIC_HOST") or "127.0.0.1"
    token = os.environ.get("ACTION_SERVER_TOKEN") or None
    app = build_app(token)
    logger.info("action server on %s:%d, token %s", host, args.port, "required" if token else "off")
    app.run(host=host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
