"""The catalogue of every environment variable: section, default, meaning, and
which processes need it set in production.

`core.settings` reads them (the only reader of the environment); the
production preflight (`core.preflight`) checks each process's variables; the
table in docs/configuration.md is generated from here
(`python -m core.configuration > docs/configuration.md`, kept equal by
tests/deploy/test_settings.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple

# The processes of a production deployment (compose services, systemd units,
# Kubernetes workloads); `teplo` is the staff command line and its timers.
PROCESSES = ("rasa", "actions", "outbox", "console", "billing-api", "migrate", "teplo")


@dataclass(frozen=True)
class Variable:
    name: str
    section: str
    default: str
    meaning: str
    # Processes that refuse to start in production while it is unset.
    needed_by: Tuple[str, ...] = ()
    # A secret: at least this many characters, never a template value.
    secret_min: int = 0


_DB = ("rasa", "actions", "outbox", "console", "billing-api", "teplo")
_TRACKER = ("rasa",)
_MESSENGERS = ("rasa",)

VARIABLES: Tuple[Variable, ...] = (
    Variable(
        "TEPLO_ENV_FILE",
        "general",
        "",
        "env file every process reads first (`/etc/teplo/teplo.env`); the real environment wins",
    ),
    Variable(
        "ASSISTANT_MODE", "general", "", "`production`: the preflight checks, no demo fallbacks"
    ),
    Variable(
        "ASSISTANT_NOW", "general", "", "pins the business clock (ISO time; tests and demos only)"
    ),
    Variable(
        "ASSISTANT_CLOCK_FILE",
        "general",
        "",
        "a file that moves the business clock of running processes (the rehearsal only)",
    ),
    Variable(
        "LOG_FORMAT",
        "logging",
        "text",
        "`text` lines or `json` lines (one object a line) for every process of ours and Rasa",
    ),
    Variable(
        "DATABASE_URL",
        "database",
        "sqlite:///var/assistant.db",
        "the services' database (the limited role `teplo_app`)",
        _DB + ("migrate",),
    ),
    Variable(
        "DATABASE_OWNER_URL",
        "database",
        "DATABASE_URL",
        "the owner role the migrations run as (`teplo_owner`)",
    ),
    Variable(
        "TRACKER_DB_DIALECT",
        "rasa",
        "sqlite",
        "conversation store: `postgresql` in production",
        _TRACKER,
    ),
    Variable("TRACKER_DB_HOST", "rasa", "", "conversation store `host:port`", _TRACKER),
    Variable("TRACKER_DB_NAME", "rasa", "rasa_tracker", "conversation database", _TRACKER),
    Variable(
        "TRACKER_DB_USER", "rasa", "", "conversation database role (`teplo_tracker`)", _TRACKER
    ),
    Variable("TRACKER_DB_PASSWORD", "rasa", "", "its password", _TRACKER, 12),
    Variable("REDIS_HOST", "rasa", "", "Redis of the conversation locks", _TRACKER),
    Variable("REDIS_PORT", "rasa", "6379", "its port", _TRACKER),
    Variable("REDIS_PASSWORD", "rasa", "", "its password", _TRACKER, 16),
    Variable("REDIS_DB", "rasa", "0", "its database number", _TRACKER),
    Variable(
        "TICKET_LOCK_LIFETIME",
        "rasa",
        "60",
        "seconds a replica holds a chat's lock (Rasa reads it); after a replica dies"
        " mid-turn, that chat waits this long",
    ),
    Variable(
        "RASA_MODEL_URL",
        "rasa",
        "",
        "the model server the replicas pull the promoted model from",
        ("rasa",),
    ),
    Variable(
        "MODEL_PUBLISH_DIR",
        "rasa",
        "",
        "the folder promotion publishes `current.tar.gz` into (served as RASA_MODEL_URL)",
    ),
    Variable(
        "RASA_URL",
        "rasa",
        "http://127.0.0.1:5005",
        "a Rasa server for `teplo retrain reload` (without a model server)",
    ),
    Variable("RASA_API_TOKEN", "rasa", "", "its HTTP API token", (), 24),
    Variable("RASA_LOG_FILE", "rasa", "", "`scripts/quiet_rasa.py`: Rasa's log into this file"),
    Variable(
        "ACTION_SERVER_URL",
        "action server",
        "http://127.0.0.1:5055/webhook",
        "where the replicas call the actions",
        ("rasa",),
    ),
    Variable(
        "ACTION_SERVER_TOKEN",
        "action server",
        "",
        "shared secret of replicas and action server",
        ("rasa", "actions"),
        24,
    ),
    Variable("ACTION_PORT", "action server", "5055", "action server port"),
    Variable(
        "SANIC_HOST",
        "action server",
        "127.0.0.1",
        "action server address (`0.0.0.0` in a container)",
    ),
    Variable(
        "OPERATOR_PHONE",
        "assistant",
        "(0532) 00-00-00 (демо-номер)",
        "customer office phone (or `teplo settings contacts`)",
    ),
    Variable("OPERATOR_HOURS", "assistant", "пн–пт 8:00–17:00…", "customer office hours"),
    Variable("OPERATOR_EMAIL", "assistant", "", "customer office e-mail"),
    Variable("READINGS_WINDOW_FIRST_DAY", "assistant", "1", "first day of the readings window"),
    Variable("READINGS_WINDOW_LAST_DAY", "assistant", "28", "last day of the readings window"),
    Variable(
        "CEILING_HEAT_GCAL_PER_MONTH", "assistant", "4", "heat above this a month must be confirmed"
    ),
    Variable(
        "CEILING_HOT_WATER_M3_PER_MONTH",
        "assistant",
        "25",
        "hot water above this a month must be confirmed",
    ),
    Variable(
        "ACCOUNT_LOOKUPS_PER_HOUR", "assistant", "5", "account lookups a user may make an hour"
    ),
    Variable("ACCOUNT_LOOKUPS_PER_DAY", "assistant", "10", "account lookups a user may make a day"),
    Variable(
        "ACCOUNT_LOOKUPS_PER_CHANNEL_HOUR",
        "assistant",
        "300",
        "lookups of all users of a channel an hour",
    ),
    Variable(
        "ACCOUNT_LOOKUPS_DISTINCT_PER_WEEK",
        "assistant",
        "3",
        "distinct accounts (not linked) one user may look up in 7 days",
    ),
    Variable(
        "ACCOUNT_WRONG_PROOFS_PER_SENDER",
        "assistant",
        "5",
        "wrong ownership answers one user may give for one account in 30 days",
    ),
    Variable(
        "ACCOUNT_WRONG_PROOFS_PER_SENDER_DAY",
        "assistant",
        "5",
        "wrong ownership answers one user may give a day, all accounts together",
    ),
    Variable(
        "ACCOUNT_WRONG_PROOFS_WATCH",
        "assistant",
        "10",
        "wrong answers for an account in 30 days (anyone) that flag it for staff",
    ),
    Variable(
        "ACCOUNT_WRONG_PROOFS_LOCK",
        "assistant",
        "25",
        "wrong answers for an account in 30 days after which typed digits are not taken",
    ),
    Variable(
        "ACCOUNT_PROOF_ALERT_AFTER_FAILURES",
        "assistant",
        "3",
        "a right answer after this many wrong ones for the account alerts staff",
    ),
    Variable(
        "CASE_HOURS",
        "assistant",
        "1-5 08:00-17:00",
        "when clerks answer cases, e.g. `1-5 08:00-17:00` (weekdays 1..7, Kyiv)",
    ),
    Variable("TELEGRAM_BOT_TOKEN", "telegram", "", "bot token from @BotFather", _MESSENGERS, 40),
    Variable("TELEGRAM_BOT_NAME", "telegram", "", "bot user name", _MESSENGERS),
    Variable("TELEGRAM_WEBHOOK_URL", "telegram", "", "public HTTPS webhook", _MESSENGERS),
    Variable("TELEGRAM_SECRET_TOKEN", "telegram", "", "webhook secret header", _MESSENGERS, 24),
    Variable(
        "TELEGRAM_API_URL", "telegram", "https://api.telegram.org", "Bot API base (tests: the fake)"
    ),
    Variable("VIBER_AUTH_TOKEN", "viber", "", "Viber bot token", _MESSENGERS, 40),
    Variable("VIBER_BOT_NAME", "viber", "Показники", "sender name", _MESSENGERS),
    Variable("VIBER_WEBHOOK_URL", "viber", "", "public HTTPS webhook", _MESSENGERS),
    Variable(
        "VIBER_CHAT_URI", "viber", "", "public account URI for bill links (`teplo billing links`)"
    ),
    Variable("VIBER_AVATAR_URL", "viber", "", "sender avatar (HTTPS image under 100 KB)"),
    Variable(
        "VIBER_API_URL", "viber", "https://chatapi.viber.com/pa", "Viber API base (tests: the fake)"
    ),
    Variable(
        "OUTBOX_TELEGRAM_PER_SECOND", "outbox", "25", "Telegram messages a second (at most 30)"
    ),
    Variable("OUTBOX_VIBER_PER_SECOND", "outbox", "20", "Viber messages a second (at most 50)"),
    Variable("OUTBOX_PER_CHAT_INTERVAL", "outbox", "1", "seconds between two messages to one chat"),
    Variable("OUTBOX_MAX_ATTEMPTS", "outbox", "5", "attempts before a message is given up"),
    Variable("OUTBOX_BACKOFF_SECONDS", "outbox", "30", "first wait after an error (doubles)"),
    Variable(
        "OUTBOX_LEASE_SECONDS", "outbox", "120", "how long a claimed message belongs to its sender"
    ),
    Variable("OUTBOX_QUIET_START", "outbox", "21:00", "nothing is sent from (Kyiv)"),
    Variable("OUTBOX_QUIET_END", "outbox", "09:00", "... until"),
    Variable("REMINDER_DAYS_BEFORE", "outbox", "3,0", "reminder days before the window's last day"),
    Variable("REMINDER_TIME", "outbox", "10:00", "reminder time of day"),
    Variable(
        "BILLING_DROP_DIR",
        "billing",
        "var/billing-drop",
        "billing's drop folder (`teplo billing drop`)",
    ),
    Variable("BILLING_ENCODING", "billing", "utf-8-sig", "drop file encoding"),
    Variable(
        "BILLING_STALE_HOURS",
        "billing",
        "48",
        "unacknowledged drop files older than this are flagged",
    ),
    Variable(
        "BILLING_CURSOR_KEY",
        "billing",
        "",
        "extra key in the pull API cursors' HMAC (with the client key's hash)",
    ),
    Variable("BILLING_API_HOST", "billing", "127.0.0.1", "billing pull API address"),
    Variable("BILLING_API_PORT", "billing", "5070", "billing pull API port"),
    Variable(
        "CONSOLE_ENV", "console", "development", "`production`: secure cookies, a real secret"
    ),
    Variable("CONSOLE_SECRET_KEY", "console", "", "session signing key", ("console",), 32),
    Variable("CONSOLE_SECURE_COOKIES", "console", "", "`1`: secure cookies outside production"),
    Variable("CONSOLE_SESSION_HOURS", "console", "8", "session length"),
    Variable("CONSOLE_ADMIN_SESSION_HOURS", "console", "4", "an admin session's absolute length"),
    Variable(
        "CONSOLE_ADMIN_IDLE_MINUTES", "console", "30", "an admin session ends after this idle time"
    ),
    Variable("CONSOLE_LOGIN_FAILURES", "console", "5", "failed logins a user name a window"),
    Variable("CONSOLE_CLIENT_FAILURES", "console", "20", "failed logins an address a window"),
    Variable("CONSOLE_LOGIN_WINDOW_MINUTES", "console", "15", "the login failure window"),
    Variable("CONSOLE_HOST", "console", "127.0.0.1", "console address"),
    Variable("CONSOLE_PORT", "console", "8070", "console port"),
    Variable("CONSOLE_PROJECT_DIR", "console", "", "project the «Навчання» page works on"),
    Variable("CONSOLE_TRAINING_COMMAND", "console", "", "command «Навчити» runs"),
    Variable(
        "STORY_CANDIDATES_DIR",
        "console",
        "var/story_candidates",
        "test-story candidates saved from «Розмови» (a shared volume: forget-me deletes them)",
    ),
    Variable(
        "ATTACHMENTS_DIR",
        "attachments",
        "var/attachments",
        "consumers' photos and documents (a shared volume)",
    ),
    Variable("ATTACHMENTS_MAX_MB", "attachments", "10", "largest file taken"),
    Variable("ATTACHMENTS_PER_DAY", "attachments", "20", "files one user may send a day"),
    Variable("ATTACHMENTS_MB_PER_DAY", "attachments", "50", "megabytes one user may send a day"),
    Variable("RETENTION_DAYS", "retention", "180", "days conversations and events are kept"),
    Variable("BACKUP_DIR", "backup", "/var/backups/teplo", "where deploy/backup.sh writes"),
    Variable("BACKUP_KEEP_DAYS", "backup", "14", "backups older than this are removed"),
    Variable("NLU_DATA_DIR", "backup", "", "data/nlu as retraining edits it (backed up)"),
    Variable(
        "POSTGRES_PASSWORD",
        "deployment",
        "",
        "compose: the PostgreSQL superuser (creates the roles only)",
        (),
        16,
    ),
    Variable(
        "TEPLO_OWNER_PASSWORD",
        "deployment",
        "",
        "compose: password of `teplo_owner` (as in DATABASE_OWNER_URL)",
        (),
        16,
    ),
    Variable(
        "TEPLO_APP_PASSWORD",
        "deployment",
        "",
        "compose: password of `teplo_app` (as in DATABASE_URL)",
        (),
        16,
    ),
    Variable("TEPLO_VERSION", "deployment", "", "compose: image tag, pyproject.toml's version"),
    Variable(
        "TLS_LETSENCRYPT_DIR",
        "deployment",
        "/etc/letsencrypt",
        "compose: certbot's folder (certificate `teplo`)",
    ),
    Variable(
        "BACKUP_HOST_DIR",
        "deployment",
        "/var/backups/teplo",
        "compose: the host folder backups go to",
    ),
)
BY_NAME: Dict[str, Variable] = {v.name: v for v in VARIABLES}

# Names no longer read -> the variable that took over. Limits against abuse: a value
# left under the old name would be silently replaced by the default, so a process
# warns when one is set and refuses to start in production (`core.preflight`).
RETIRED: Dict[str, str] = {
    "ACCOUNT_LOOKUP_FAILURES_PER_HOUR": "ACCOUNT_LOOKUPS_PER_HOUR",
    "ACCOUNT_WRONG_PROOFS_PER_DAY": "ACCOUNT_WRONG_PROOFS_LOCK",
}


def retired_in(environ: Mapping[str, str]) -> List[str]:
    """The retired names set in `environ`."""
    return [name for name in RETIRED if name in environ]


def needed_by(process: str) -> List[Variable]:
    """The variables `process` needs set in production."""
    return [v for v in VARIABLES if process in v.needed_by]


def markdown() -> str:
    """docs/configuration.md."""
    lines = [
        "# Configuration",
        "",
        "Generated from `core/configuration.py` (`python -m core.configuration >",
        "docs/configuration.md`); tests/deploy/test_settings.py fails when they differ.",
        "Every process reads the environment through `core/settings.py` only, after",
        "the env file `TEPLO_ENV_FILE` names (`/etc/teplo/teplo.env` everywhere; the",
        "real environment wins). In production (`ASSISTANT_MODE=production`) each",
        "process refuses to start while a variable of its column is unset, a demo",
        "value, or a secret shorter than the minimum (`python -m core.preflight",
        "--process NAME` shows the same check).",
        "",
        "| variable | section | default | needed in production by | meaning |",
        "|---|---|---|---|---|",
    ]
    for v in VARIABLES:
        default = f"`{v.default}`" if v.default else ""
        needed = ", ".join(v.needed_by)
        if v.secret_min:
            needed += f" (secret, ≥ {v.secret_min} chars)"
        lines.append(f"| `{v.name}` | {v.section} | {default} | {needed} | {v.meaning} |")
    lines += [
        "",
        "## Retired names",
        "",
        "No longer read. A process warns when one is set, and refuses to start in",
        "production: rename it.",
        "",
        "| retired | now |",
        "|---|---|",
    ]
    lines += [f"| `{old}` | `{new}` |" for old, new in RETIRED.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
