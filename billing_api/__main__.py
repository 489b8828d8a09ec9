"""`python -m billing_api [--host 127.0.0.1] [--port 5070]`: serve the pull API."""

from __future__ import annotations

import argparse

from billing_api.app import create_app
from core import preflight
from core.settings import env_int, env_str


def main() -> None:
    parser = argparse.ArgumentParser(description="API показників для білінгу")
    parser.add_argument("--host", default=env_str("BILLING_API_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=env_int("BILLING_API_PORT", 5070))
    args = parser.parse_args()
    preflight.start("billing-api")
    # Sanic's access log would print query strings (cursors); our call log is enough.
    create_app().run(host=args.host, port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
