"""Outbound messaging settings, from environment variables (defaults in brackets).

Rates stay inside the messengers' published limits: Telegram allows about 30
messages a second overall and about one a second to one chat; Viber documents
no overall figure for `send_message` (500 broadcast requests per 10 s, and at
most 100 unanswered messages a user per hour), so its default is cautious.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Dict, Tuple

from core.settings import env_float, env_int, env_str

TELEGRAM_MAX_PER_SECOND = 30.0
VIBER_MAX_PER_SECOND = 50.0


def _float(name: str, default: float) -> float:
    return env_float(name, default)


def _int(name: str, default: int) -> int:
    return env_int(name, default)


def _clock(name: str, default: str) -> time:
    hours, minutes = env_str(name, default).strip().split(":")
    return time(int(hours), int(minutes))


def _days(name: str, default: str) -> Tuple[int, ...]:
    raw = env_str(name, default)
    return tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))


@dataclass(frozen=True)
class OutboxConfig:
    per_second: Dict[str, float]  # overall rate per channel
    per_chat_interval: float  # seconds between two messages to one chat
    max_attempts: int
    backoff_seconds: float  # first wait after a network/server error; doubles each time
    lease_seconds: int  # how long a claimed row belongs to its sender
    quiet_start: time  # nothing is sent from quiet_start ...
    quiet_end: time  # ... until quiet_end (Europe/Kyiv)
    reminder_days_before: Tuple[int, ...]  # days before the window's last day (0: that day)
    reminder_time: time


def load_outbox_config() -> OutboxConfig:
    """Reads the environment; rates above the messengers' limits are capped."""
    return OutboxConfig(
        per_second={
            "telegram": min(_float("OUTBOX_TELEGRAM_PER_SECOND", 25.0), TELEGRAM_MAX_PER_SECOND),
            "viber": min(_float("OUTBOX_VIBER_PER_SECOND", 20.0), VIBER_MAX_PER_SECOND),
        },
        per_chat_interval=_float("OUTBOX_PER_CHAT_INTERVAL", 1.0),
        max_attempts=_int("OUTBOX_MAX_ATTEMPTS", 5),
        backoff_seconds=_float("OUTBOX_BACKOFF_SECONDS", 30.0),
        lease_seconds=_int("OUTBOX_LEASE_SECONDS", 120),
        quiet_start=_clock("OUTBOX_QUIET_START", "21:00"),
        quiet_end=_clock("OUTBOX_QUIET_END", "09:00"),
        reminder_days_before=_days("REMINDER_DAYS_BEFORE", "3,0"),
        reminder_time=_clock("REMINDER_TIME", "10:00"),
    )
