"""The console's configuration, read from environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass

from core.errors import StaffError

# Only for development on loopback; production refuses to start without a real secret.
DEV_SECRET = "dev-only-console-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class ConsoleConfig:
    secret_key: str
    production: bool
    # Secure cookies travel only over HTTPS: always in production (behind the proxy);
    # in development on http://127.0.0.1 the browser would drop them.
    secure_cookies: bool
    session_hours: int = 8
    login_failures: int = 5  # per user name within `login_window_minutes`
    client_failures: int = 20  # per client address within the same window
    login_window_minutes: int = 15
    host: str = "127.0.0.1"
    port: int = 8070
    # The project whose data/, models/ and results/ the «Навчання» page works on
    # (empty: this checkout), and the command «Навчити» runs in the background
    # (empty: `teplo retrain candidate`; tests put a quick stand-in here).
    project_dir: str = ""
    training_command: str = ""


def load_config() -> ConsoleConfig:
    """Reads CONSOLE_* variables; CONSOLE_ENV=production demands a secret key."""
    production = os.environ.get("CONSOLE_ENV", "development").strip().lower() == "production"
    secret = os.environ.get("CONSOLE_SECRET_KEY", "")
    if production and len(secret) < MIN_SECRET_LENGTH:
        raise StaffError(
            f"CONSOLE_SECRET_KEY має бути задано (щонайменше {MIN_SECRET_LENGTH} символи), "
            "коли CONSOLE_ENV=production"
        )
    secure = production or os.environ.get("CONSOLE_SECURE_COOKIES", "") == "1"
    return ConsoleConfig(
        secret_key=secret or DEV_SECRET,
        production=production,
        secure_cookies=secure,
        session_hours=int(os.environ.get("CONSOLE_SESSION_HOURS", "8")),
        login_failures=int(os.environ.get("CONSOLE_LOGIN_FAILURES", "5")),
        client_failures=int(os.environ.get("CONSOLE_CLIENT_FAILURES", "20")),
        login_window_minutes=int(os.environ.get("CONSOLE_LOGIN_WINDOW_MINUTES", "15")),
        host=os.environ.get("CONSOLE_HOST", "127.0.0.1"),
        port=int(os.environ.get("CONSOLE_PORT", "8070")),
        project_dir=os.environ.get("CONSOLE_PROJECT_DIR", ""),
        training_command=os.environ.get("CONSOLE_TRAINING_COMMAND", ""),
    )
