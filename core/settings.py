"""The configuration of every process, and the only reader of the environment.

Every knob has a safe embedded default so that `make run` works on a fresh
machine; production overrides them in the environment (never in the repo) or in
the env file `TEPLO_ENV_FILE` names (`/etc/teplo/teplo.env`, the same file for
compose, systemd, Kubernetes and `teplo`; the real environment wins over it).
`VARIABLES` lists every variable with its section, default and meaning:
docs/configuration.md is generated from it (`python -m core.settings --markdown`)
and `core.preflight` checks the variables each process needs in production.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"


ENV_FILE_VARIABLE = "TEPLO_ENV_FILE"


def read_env_file(path: Path) -> Dict[str, str]:
    """`NAME=value` lines (the systemd/compose env file format); # comments, optional quotes."""
    values: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip().removeprefix("export ")] = value
    return values


def environment() -> Dict[str, str]:
    """The env file `TEPLO_ENV_FILE` names (if any) overlaid with the real environment.

    A named file that does not exist is an error: a typo must not mean the demo defaults.
    """
    merged: Dict[str, str] = {}
    named = os.environ.get(ENV_FILE_VARIABLE, "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_FILE_VARIABLE}={named}: такого файлу немає")
        merged.update(read_env_file(path))
    merged.update(os.environ)
    return merged


def process_environment() -> "os._Environ[str]":
    """The live environment of this process, for what must change it or hand it on
    (Rasa's endpoint files read it, child processes inherit it)."""
    return os.environ


def export_env_file() -> None:
    """Puts the env file's variables into this process's environment (the real
    environment still wins): for Rasa's `${...}` and child processes."""
    for name, value in environment().items():
        os.environ.setdefault(name, value)


def env_str(name: str, default: str = "", env: Optional[Mapping[str, str]] = None) -> str:
    """A variable's value, `default` when unset or empty."""
    value = (environment() if env is None else env).get(name, "")
    return value if value != "" else default


def env_int(name: str, default: int, env: Optional[Mapping[str, str]] = None) -> int:
    return int(env_str(name, str(default), env))


def env_float(name: str, default: float, env: Optional[Mapping[str, str]] = None) -> float:
    return float(env_str(name, str(default), env))


def _env_int(name: str, default: int, env: Optional[Mapping[str, str]] = None) -> int:
    return env_int(name, default, env)


def _env_decimal(name: str, default: str, env: Optional[Mapping[str, str]] = None) -> Decimal:
    return Decimal(env_str(name, default, env))


@dataclass(frozen=True)
class LookupLimits:
    """How many accounts a messenger user may look up that they have not linked.

    Every such lookup counts, found or not: numbers are printed on paper bills
    and sequential, so counting only misses would let anyone walk them.
    """

    per_hour: int = 5
    per_day: int = 10
    # All users of a channel together: above it someone is walking the numbers
    # with many ids. Only an alert (a log line and teplo_lookup_ceiling_alerts_total):
    # each sender keeps their own limits, nobody else is stopped.
    per_channel_hour: int = 300
    # Distinct accounts (found, not linked) one sender may look up in 7 days.
    accounts_per_sender_week: int = 3
    # Wrong ownership answers one sender may give for one account in 30 days,
    # and across all accounts in a day (core/accounts/ownership.py).
    wrong_per_account_sender: int = 5
    wrong_per_sender_day: int = 5
    # Wrong answers for one account by anyone within 30 days: at `watch` staff get
    # a flag (the account still takes proofs), at `lock` typed digits are no longer
    # taken until staff resolve the flag (a shared Telegram number still proves).
    wrong_proofs_watch: int = 10
    wrong_proofs_per_account: int = 25
    # A right answer after this many wrong ones for the account (30 days) alerts staff.
    success_after_failures: int = 3


@dataclass(frozen=True)
class LoggingSection:
    """How our processes log (core/logs.py): `text` lines or `json` lines."""

    format: str = "text"


@dataclass(frozen=True)
class ModelsSection:
    """Where promotion publishes the model and where the replicas pull it from."""

    # The folder the model server serves (current.tar.gz); empty: no publication.
    publish_dir: str = ""
    # The URL the replicas pull (deploy/rasa/endpoints.yml `models.url`).
    url: str = ""


@dataclass(frozen=True)
class Settings:
    """Immutable snapshot of the configuration."""

    database_url: str
    window_first_day: int
    window_last_day: int
    lookup_limits: LookupLimits
    # Plausible monthly consumption ceilings, in the kind's base unit
    # (Gcal for heat, m³ for hot water); above them the user must confirm.
    monthly_ceiling: Dict[str, Decimal] = field(default_factory=dict)
    operator_phone: str = ""
    operator_hours: str = ""
    operator_email: str = ""
    fixed_now: str = ""
    # A file that moves the business clock of every process reading it (rehearsals).
    clock_file: str = ""
    # Days conversations and anonymous events are kept (teplo privacy purge).
    retention_days: int = 180
    # Hand-over to billing (core/billing/delivery.py, billing_api/).
    billing_drop_dir: str = ""
    billing_encoding: str = "utf-8-sig"
    billing_stale_hours: int = 48
    # Signs the pull API's cursors (with each client's key hash); rotating it
    # only makes clients' next call with an old cursor a 400.
    billing_cursor_key: str = ""
    # Photos and documents consumers send (core/attachments.py): the folder
    # they are kept in, outside the database, and the largest file taken.
    attachments_dir: str = ""
    # Conversations saved as test-story candidates from «Розмови» (retrain/story_candidates.py);
    # empty: var/story_candidates of the console's project.
    story_candidates_dir: str = ""
    attachments_max_bytes: int = 10 * 1024 * 1024
    # What one messenger user may have kept per day (Kyiv): files and bytes.
    attachments_per_day: int = 20
    attachments_bytes_per_day: int = 50 * 1024 * 1024
    # The action server: where it listens (SANIC_HOST) and the secret Rasa must
    # send in `ACTION_TOKEN_HEADER`; required whenever the host is not loopback.
    action_server_host: str = "127.0.0.1"
    action_server_token: str = ""
    # ASSISTANT_MODE=production: the preflight checks, no demo fallbacks.
    production: bool = False
    # The role the migrations run as (deploy/postgres/roles.sql); empty: DATABASE_URL.
    database_owner_url: str = ""
    logging: LoggingSection = field(default_factory=LoggingSection)
    models: ModelsSection = field(default_factory=ModelsSection)

    def now(self) -> datetime:
        """Current time in Kyiv (see `in_kyiv`); `ASSISTANT_NOW` pins it for tests
        and demos, with any UTC offset (or none: Kyiv time); `ASSISTANT_CLOCK_FILE`
        moves it while the processes run (`moved_clock`)."""
        if self.clock_file:
            return moved_clock(Path(self.clock_file))
        if self.fixed_now:
            pinned = datetime.fromisoformat(self.fixed_now)
            return in_kyiv(pinned if pinned.tzinfo else pinned.replace(tzinfo=KYIV))
        return in_kyiv(datetime.now(timezone.utc))


def in_kyiv(moment: datetime) -> datetime:
    """`moment` as Kyiv's wall time, with the fixed UTC offset Kyiv has then (+02:00
    or +03:00).

    Python adds a timedelta to a datetime of a ZoneInfo zone in wall-clock time:
    at 04:30 on Kyiv's spring-switch night `now - timedelta(hours=1)` in
    Europe/Kyiv is 03:30, an hour that does not exist and resolves to the same
    instant as now (the channel's hourly lookup ceiling counted nothing), and on the autumn
    night an hour back was two. With a fixed offset every `now ± duration` is
    physical time; calendar rules take their dates from `astimezone(KYIV)` and
    build local times with `datetime.combine(..., tzinfo=KYIV)`.
    """
    local = moment.astimezone(KYIV)
    return local.replace(tzinfo=timezone(local.utcoffset()))


def later(moment: datetime, duration: timedelta) -> datetime:
    """`moment` plus a physical duration (negative: earlier), as Kyiv wall time
    with the offset of the instant reached (`in_kyiv`), ready to show."""
    return in_kyiv(moment.astimezone(timezone.utc) + duration)


def moved_clock(path: Path) -> datetime:
    """The time a clock file sets, running on: the file holds a moment (ISO, with
    its offset) and the wall-clock instant (Unix seconds) it was written at; a
    rehearsal rewrites it (atomically) to move every process of the month at once.
    """
    moment, _, written = path.read_text(encoding="utf-8").strip().partition(" ")
    elapsed = datetime.now(timezone.utc).timestamp() - float(written)
    return in_kyiv(datetime.fromisoformat(moment) + timedelta(seconds=elapsed))


def wall_clock() -> datetime:
    """The machine's real time (UTC), for physical durations only: leases,
    staleness of delivery claims. Business rules use `Settings.now()`."""
    return datetime.now(timezone.utc)


def load_settings() -> Settings:
    """Reads the environment (and the env file) into a fresh `Settings` (no caching)."""
    env = environment()
    return Settings(
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        window_first_day=_env_int("READINGS_WINDOW_FIRST_DAY", 1, env),
        window_last_day=_env_int("READINGS_WINDOW_LAST_DAY", 28, env),
        lookup_limits=LookupLimits(
            per_hour=_env_int("ACCOUNT_LOOKUPS_PER_HOUR", 5, env),
            per_day=_env_int("ACCOUNT_LOOKUPS_PER_DAY", 10, env),
            per_channel_hour=_env_int("ACCOUNT_LOOKUPS_PER_CHANNEL_HOUR", 300, env),
            accounts_per_sender_week=_env_int("ACCOUNT_LOOKUPS_DISTINCT_PER_WEEK", 3, env),
            wrong_per_account_sender=_env_int("ACCOUNT_WRONG_PROOFS_PER_SENDER", 5, env),
            wrong_per_sender_day=_env_int("ACCOUNT_WRONG_PROOFS_PER_SENDER_DAY", 5, env),
            wrong_proofs_watch=_env_int("ACCOUNT_WRONG_PROOFS_WATCH", 10, env),
            wrong_proofs_per_account=_env_int("ACCOUNT_WRONG_PROOFS_LOCK", 25, env),
            success_after_failures=_env_int("ACCOUNT_PROOF_ALERT_AFTER_FAILURES", 3, env),
        ),
        monthly_ceiling={
            "heat": _env_decimal("CEILING_HEAT_GCAL_PER_MONTH", "4", env),
            "hot_water": _env_decimal("CEILING_HOT_WATER_M3_PER_MONTH", "25", env),
        },
        operator_phone=env.get("OPERATOR_PHONE", "(0532) 00-00-00 (демо-номер)"),
        operator_hours=env.get("OPERATOR_HOURS", "пн–пт 8:00–17:00, обідня перерва 12:00–13:00"),
        operator_email=env.get("OPERATOR_EMAIL", ""),
        fixed_now=env.get("ASSISTANT_NOW", ""),
        clock_file=env.get("ASSISTANT_CLOCK_FILE", ""),
        retention_days=_env_int("RETENTION_DAYS", 180, env),
        billing_drop_dir=env.get("BILLING_DROP_DIR") or str(PROJECT_ROOT / "var" / "billing-drop"),
        billing_encoding=env.get("BILLING_ENCODING") or "utf-8-sig",
        billing_stale_hours=_env_int("BILLING_STALE_HOURS", 48, env),
        attachments_dir=env.get("ATTACHMENTS_DIR") or str(PROJECT_ROOT / "var" / "attachments"),
        attachments_max_bytes=_env_int("ATTACHMENTS_MAX_MB", 10, env) * 1024 * 1024,
        story_candidates_dir=env.get("STORY_CANDIDATES_DIR", ""),
        production=env.get("ASSISTANT_MODE", "").strip().lower() == "production",
        database_owner_url=env.get("DATABASE_OWNER_URL", ""),
        logging=LoggingSection(format=(env.get("LOG_FORMAT") or "text").strip().lower()),
        models=ModelsSection(
            publish_dir=env.get("MODEL_PUBLISH_DIR", ""),
            url=env.get("RASA_MODEL_URL", ""),
        ),
        billing_cursor_key=env.get("BILLING_CURSOR_KEY", ""),
        attachments_per_day=_env_int("ATTACHMENTS_PER_DAY", 20, env),
        attachments_bytes_per_day=_env_int("ATTACHMENTS_MB_PER_DAY", 50, env) * 1024 * 1024,
        action_server_host=env.get("SANIC_HOST") or "127.0.0.1",
        action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
    )


def is_loopback(host: str) -> bool:
    """Whether a listening address or URL host is this machine only."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return load_settings()


def month_bounds(period: str) -> Tuple[datetime, datetime]:
    """Start of the billing period ("YYYY-MM") and of the next one, Europe/Kyiv."""
    year, month = map(int, period.split("-"))
    start = datetime(year, month, 1, tzinfo=KYIV)
    end = datetime(year + (month == 12), 1 if month == 12 else month + 1, 1, tzinfo=KYIV)
    return start, end
