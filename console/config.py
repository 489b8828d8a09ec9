"""The console's configuration, read from environment variables."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from core.errors import StaffError
from core.settings import env_int, env_str, environment, is_loopback
from retrain.common import Project

MIN_SECRET_LENGTH = 32
# Keys that were once printed in this repository: whoever read it could sign a session.
KNOWN_KEYS = frozenset({"dev-only-console-secret-do-not-use-in-production"})


@dataclass(frozen=True)
class ConsoleConfig:
    secret_key: str
    production: bool
    # Secure cookies travel only over HTTPS: always in production (behind the proxy);
    # in development on http://127.0.0.1 the browser would drop them.
    secure_cookies: bool
    session_hours: int = 8  # absolute lifetime of every session, checked by the server
    # Administrators can change users and settings: their sessions end sooner,
    # and after a pause without requests.
    admin_session_hours: int = 4
    admin_idle_minutes: int = 30
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


def project_of(config: ConsoleConfig) -> Project:
    """The project the «Навчання» page (and what reads the conversations) works on."""
    return Project(Path(config.project_dir)) if config.project_dir else Project()


def secret_key(given: str, production: bool, host: str) -> str:
    """The key that signs sessions; never one anybody else could know.

    Without CONSOLE_SECRET_KEY a console on loopback in development gets a
    random key per process (sessions end when it restarts); anywhere else it
    refuses to start.
    """
    if given in KNOWN_KEYS:
        raise StaffError("CONSOLE_SECRET_KEY — відомий усім ключ із репозиторію; задайте свій")
    if given and len(given) < MIN_SECRET_LENGTH:
        raise StaffError(f"CONSOLE_SECRET_KEY має бути щонайменше {MIN_SECRET_LENGTH} символи")
    if given:
        return given
    if production or not is_loopback(host):
        raise StaffError(
            f"CONSOLE_SECRET_KEY має бути задано (щонайменше {MIN_SECRET_LENGTH} символи), "
            "коли CONSOLE_ENV=production або консоль слухає не лише 127.0.0.1"
        )
    return secrets.token_urlsafe(48)


def load_config() -> ConsoleConfig:
    """Reads CONSOLE_* variables; see `secret_key` for the rules on the key."""
    env = environment()
    production = env_str("CONSOLE_ENV", "development", env).strip().lower() == "production"
    host = env_str("CONSOLE_HOST", "127.0.0.1", env)
    secure = production or env_str("CONSOLE_SECURE_COOKIES", "", env) == "1"
    return ConsoleConfig(
        secret_key=secret_key(env_str("CONSOLE_SECRET_KEY", "", env), production, host),
        production=production,
        secure_cookies=secure,
        session_hours=env_int("CONSOLE_SESSION_HOURS", 8, env),
        admin_session_hours=env_int("CONSOLE_ADMIN_SESSION_HOURS", 4, env),
        admin_idle_minutes=env_int("CONSOLE_ADMIN_IDLE_MINUTES", 30, env),
        login_failures=env_int("CONSOLE_LOGIN_FAILURES", 5, env),
        client_failures=env_int("CONSOLE_CLIENT_FAILURES", 20, env),
        login_window_minutes=env_int("CONSOLE_LOGIN_WINDOW_MINUTES", 15, env),
        host=host,
        port=env_int("CONSOLE_PORT", 8070, env),
        project_dir=env_str("CONSOLE_PROJECT_DIR", "", env),
        training_command=env_str("CONSOLE_TRAINING_COMMAND", "", env),
    )
