"""`python -m console`: the staff console on loopback (behind the reverse proxy in production)."""

from __future__ import annotations

import sys

import uvicorn

from console.app import create_app
from console.config import load_config
from core import preflight
from core.errors import StaffError


def main() -> int:
    preflight.start("console")
    try:
        config = load_config()
    except StaffError as error:
        print(f"Помилка: {error}", file=sys.stderr)
        return 1
    if not config.production:
        print("Консоль у режимі розробки (CONSOLE_ENV=production для роботи).", file=sys.stderr)
    print(f"Консоль працівників: http://{config.host}:{config.port}/", file=sys.stderr)
    # No access log: request paths carry account ids and search words.
    uvicorn.run(
        create_app(config),
        host=config.host,
        port=config.port,
        access_log=False,
        # No websockets here; Rasa's pinned `websockets` is older than uvicorn's support.
        ws="none",
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
