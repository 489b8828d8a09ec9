"""The action server: rasa-sdk's app, on loopback unless told otherwise, and
refusing calls that do not carry the shared secret when one is configured.

Run as `python -m actions.server --port 5055`. Rasa sends the secret in the
`X-Action-Token` header (`action_endpoint.headers` in endpoints.yml, from
ACTION_SERVER_TOKEN); rasa-sdk itself checks nothing and trusts whatever
tracker it is sent (a forged one reads any user's history), so off loopback
the secret is required: without it the server refuses to start. A secret in
the URL (`?token=`, Rasa's `action_endpoint.token`) is refused: URLs end up in
access logs.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Optional

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import health, metrics, preflight
from core.settings import is_loopback, load_settings

logger = logging.getLogger(__name__)
OPEN_PATHS = {"/health", "/metrics"}
TOKEN_HEADER = "X-Action-Token"


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
            if "token" in request.args:
                logger.warning("action call with the secret in the URL refused; use the header")
                return response.json({"error": "send the token in the header"}, status=401)
            supplied = request.headers.get(TOKEN_HEADER) or ""
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
    settings = load_settings()
    host, token = settings.action_server_host, settings.action_server_token or None
    if token is None and not is_loopback(host):
        print(preflight.unguarded_action_server(host), file=sys.stderr)
        raise SystemExit(2)
    app = build_app(token)
    logger.info("action server on %s:%d, token %s", host, args.port, "required" if token else "off")
    app.run(host=host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
