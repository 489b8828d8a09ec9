"""The console's configuration, read from environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import StaffError
from core.settings import env_int, env_str, environment

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
    env = environment()
    production = env_str("CONSOLE_ENV", "development", env).strip().lower() == "production"
    secret = env_str("CONSOLE_SECRET_KEY", "", env)
    if production and len(secret) < MIN_SECRET_LENGTH:
        raise StaffError(
            f"CONSOLE_SECRET_KEY має бути задано (щонайменше {MIN_SECRET_LENGTH} символи), "
            "коли CONSOLE_ENV=production"
        )
    secure = production or env_str("CONSOLE_SECURE_COOKIES", "", env) == "1"
    return ConsoleConfig(
        secret_key=secret or DEV_SECRET,
        production=production,
        secure_cookies=secure,
        session_hours=env_int("CONSOLE_SESSION_HOURS", 8, env),
        login_failures=env_int("CONSOLE_LOGIN_FAILURES", 5, env),
        client_failures=env_int("CONSOLE_CLIENT_FAILURES", 20, env),
        login_window_minutes=env_int("CONSOLE_LOGIN_WINDOW_MINUTES", 15, env),
        host=env_str("CONSOLE_HOST", "127.0.0.1", env),
        port=env_int("CONSOLE_PORT", 8070, env),
        project_dir=env_str("CONSOLE_PROJECT_DIR", "", env),
        training_command=env_str("CONSOLE_TRAINING_COMMAND", "", env),
    )
