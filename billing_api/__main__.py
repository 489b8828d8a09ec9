"""`python -m billing_api [--host 127.0.0.1] [--port 5070]`: serve the pull API."""

from __future__ import annotations

import argparse
import logging
import os

from billing_api.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="API показників для білінгу")
    parser.add_argument("--host", default=os.environ.get("BILLING_API_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BILLING_API_PORT", "5070")))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Sanic's access log would print query strings (cursors); our call log is enough.
    create_app().run(host=args.host, port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
