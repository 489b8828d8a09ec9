"""Production start-up checks: refuse to start rather than run half-configured.

`python -m core.preflight` (run by `make serve-prod`) exits 1 with every
problem listed, in Ukrainian for the utility's engineer, when in production
mode (`ASSISTANT_MODE=production`, or `--production`):

- the operator contacts are still the demo values (or a placeholder);
- a secret is missing or too short to be a real one (ACTION_SERVER_TOKEN
  whenever the action server is not on loopback: it trusts any tracker);
- `DATABASE_URL` or the conversation store is SQLite (replicas cannot share it);
- a variable is set under a retired name (`configuration.RETIRED`), whose value
  would be ignored in silence (outside production: a warning);
- there is no promoted model (the assistant never trains at start-up: models
  come from `make retrain` or CI and are promoted through the quality gate).

Each process checks its own section at start (`start(process)`, called first by
every entry point of ours; the Rasa image's entry point and the systemd unit
of a replica run `python -m core.preflight --process rasa`): the variables of
core/configuration.py it needs, PostgreSQL rather than SQLite.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Optional
from urllib.parse import urlsplit

from core import configuration, logs
from core.settings import (
    PROJECT_ROOT,
    environment,
    export_env_file,
    is_loopback,
    load_settings,
)

DEMO_MARKERS = ("демо", "demo", "change-me", "00-00-00")
# Minimum lengths of what the messengers issue or we generate (`openssl rand -hex 16`).
SECRETS: Dict[str, int] = {
    "TELEGRAM_BOT_TOKEN": 40,
    "TELEGRAM_SECRET_TOKEN": 24,
    "VIBER_AUTH_TOKEN": 40,
}
# Needed only when the variable's service is used (the cluster endpoints).
OPTIONAL_SECRETS: Dict[str, int] = {
    "TRACKER_DB_PASSWORD": 12,
    "ACTION_SERVER_TOKEN": 24,
    "REDIS_PASSWORD": 16,
    "RASA_API_TOKEN": 24,
}
DEFAULT_MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
log = logging.getLogger(__name__)


def production_mode(environ: Optional[Mapping[str, str]] = None) -> bool:
    env = environment() if environ is None else environ
    return env.get("ASSISTANT_MODE", "").strip().lower() == "production"


def _demo_like(value: str) -> bool:
    lowered = value.strip().lower()
    return not lowered or any(marker in lowered for marker in DEMO_MARKERS)


def pinned_clock(environ: Mapping[str, str]) -> List[str]:
    """A pinned or moved business clock (tests and rehearsals) would date every
    reading and reminder wrongly."""
    return [
        f"{name} задано: годинник зафіксовано (лише для тестів і репетицій)"
        for name in ("ASSISTANT_NOW", "ASSISTANT_CLOCK_FILE")
        if environ.get(name, "").strip()
    ]


def problems(
    environ: Dict[str, str],
    model: Path = DEFAULT_MODEL,
    stored_contacts: Optional[Dict[str, str]] = None,
) -> List[str]:
    """Everything that makes this configuration unfit for production."""
    found: List[str] = retired_names(environ) + pinned_clock(environ)
    stored = stored_contacts or {}
    # Staff settings in the database win over the environment (core.contacts);
    # the built-in defaults are demo values and never count as set.
    phone = stored.get("phone") or environ.get("OPERATOR_PHONE", "")
    hours = stored.get("hours") or environ.get("OPERATOR_HOURS", "")
    if _demo_like(phone):
        found.append(
            "телефон абонентського відділу не задано або це демо-значення "
            "(OPERATOR_PHONE або `settings contacts`)"
        )
    if _demo_like(hours):
        found.append(
            "години роботи абонентського відділу не задано (OPERATOR_HOURS або `settings contacts`)"
        )
    for name, minimum in SECRETS.items():
        found += _secret_problem(environ, name, minimum, required=True)
    for name, minimum in OPTIONAL_SECRETS.items():
        required = name == "ACTION_SERVER_TOKEN" and not actions_on_loopback(environ)
        found += _secret_problem(environ, name, minimum, required=required)
    if not environ.get("DATABASE_URL"):
        found.append("DATABASE_URL не задано (потрібен PostgreSQL)")
    elif environ["DATABASE_URL"].startswith("sqlite"):
        found.append("DATABASE_URL вказує на SQLite; у виробництві — лише PostgreSQL")
    if environ.get("TRACKER_DB_DIALECT", "sqlite") == "sqlite":
        found.append("сховище розмов (TRACKER_DB_DIALECT) — SQLite; потрібен postgresql")
    if not model.is_file():
        found.append(
            f"немає затвердженої моделі {model}: асистент не навчається під час запуску; "
            "навчіть і затвердьте її `make retrain` (або в CI) і скопіюйте сюди"
        )
    return found


def retired_names(environ: Mapping[str, str]) -> List[str]:
    """A variable under a name no longer read: its value would be silently ignored."""
    return [
        f"{name} більше не читається: перейменуйте на {configuration.RETIRED[name]}"
        for name in configuration.retired_in(environ)
    ]


def unguarded_action_server(host: str) -> str:
    """Why an action server on `host` without ACTION_SERVER_TOKEN must not start."""
    return (
        f"Помилка: сервер дій слухає {host}, а ACTION_SERVER_TOKEN не задано; "
        "без нього будь-хто в мережі прочитає розмови будь-кого."
    )


def actions_on_loopback(environ: Mapping[str, str]) -> bool:
    """Whether the action server listens (SANIC_HOST) and is called
    (ACTION_SERVER_URL) on this machine only."""
    url = environ.get("ACTION_SERVER_URL", "")
    called = urlsplit(url).hostname or "127.0.0.1" if url else "127.0.0.1"
    return is_loopback(environ.get("SANIC_HOST") or "127.0.0.1") and is_loopback(called)


def process_problems(
    process: str, environ: Mapping[str, str], stored_contacts: Optional[Dict[str, str]] = None
) -> List[str]:
    """What keeps `process` (core/configuration.py PROCESSES) from running in production."""
    found: List[str] = retired_names(environ) + pinned_clock(environ)
    for variable in configuration.needed_by(process):
        if variable.secret_min:
            found += _secret_problem(environ, variable.name, variable.secret_min, required=True)
        elif not environ.get(variable.name, "").strip():
            found.append(f"{variable.name} не задано")
    url = environ.get("DATABASE_URL", "")
    if url.startswith("sqlite") and "DATABASE_URL" in {
        v.name for v in configuration.needed_by(process)
    }:
        found.append("DATABASE_URL вказує на SQLite; у виробництві — лише PostgreSQL")
    if process == "rasa" and environ.get("TRACKER_DB_DIALECT", "sqlite") == "sqlite":
        found.append("сховище розмов (TRACKER_DB_DIALECT) — SQLite; потрібен postgresql")
    if process == "actions":
        stored = stored_contacts or {}
        if _demo_like(stored.get("phone") or environ.get("OPERATOR_PHONE", "")):
            found.append(
                "телефон абонентського відділу не задано або це демо-значення "
                "(OPERATOR_PHONE або `settings contacts`)"
            )
    if process == "outbox" and not (
        environ.get("TELEGRAM_BOT_TOKEN") or environ.get("VIBER_AUTH_TOKEN")
    ):
        found.append("немає жодного месенджера: задайте TELEGRAM_BOT_TOKEN або VIBER_AUTH_TOKEN")
    return found


def start(process: str, configure_logs: bool = True) -> None:
    """The first call of every entry point of ours: the env file into the
    environment, our log format, and in production the process's own check —
    exit 1 with every problem listed rather than run half-configured."""
    export_env_file()
    if configure_logs:
        logs.configure(process)
    environ = environment()
    if not production_mode(environ):
        for problem in retired_names(environ):
            log.warning(problem)
        return
    stored = {}
    if process == "actions" and not load_settings().database_url.startswith("sqlite"):
        stored = _stored_contacts()
    found = process_problems(process, environ, stored)
    if found:
        _report(found)
        raise SystemExit(1)


def _report(found: List[str]) -> None:
    print("Асистент не запущено — конфігурація не готова до роботи:", file=sys.stderr)
    for problem in found:
        print(f"  • {problem}", file=sys.stderr)
    print("Див. docs/deploy.md і docs/configuration.md.", file=sys.stderr)


def _secret_problem(
    environ: Mapping[str, str], name: str, minimum: int, required: bool
) -> List[str]:
    value = environ.get(name, "")
    if not value:
        return [f"секрет {name} не задано"] if required else []
    if len(value) < minimum or _demo_like(value):
        return [f"секрет {name} закороткий або шаблонний (щонайменше {minimum} символів)"]
    return []


def _stored_contacts() -> Dict[str, str]:
    """Contacts staff set in the database (they take precedence); {} if unreachable."""
    try:
        from core.contacts import HOURS_KEY, PHONE_KEY
        from core.db.engine import unit_of_work
        from core.repository import settings as settings_repo

        with unit_of_work() as session:
            return {
                "phone": settings_repo.get_setting(session, PHONE_KEY) or "",
                "hours": settings_repo.get_setting(session, HOURS_KEY) or "",
            }
    except Exception:  # the database check is the servers' own; here contacts only
        return {}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.preflight", description=__doc__)
    parser.add_argument("--production", action="store_true", help="як ASSISTANT_MODE=production")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--process",
        choices=configuration.PROCESSES,
        help="перевірити лише те, що потрібно цьому процесу (модель — з сервера моделей)",
    )
    args = parser.parse_args(argv)
    environ = environment()
    if not (args.production or production_mode(environ)):
        return 0
    settings = load_settings()
    stored = _stored_contacts() if not settings.database_url.startswith("sqlite") else {}
    if args.process:
        found = process_problems(args.process, environ, stored)
    else:
        found = problems(dict(environ), args.model, stored)
    if found:
        _report(found)
        return 1
    print("Перевірку конфігурації пройдено.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
