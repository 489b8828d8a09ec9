"""The labels staff and consumers read for codes stored in the database: one table
each, for the console, `teplo` and the chat alike."""

from __future__ import annotations

from typing import Dict, List

from core.readings.checks import Rejection

# Where a reading or a message came from (`Reading.channel`, `AccountLink.channel`).
CHANNEL_LABELS: Dict[str, str] = {
    "telegram": "Telegram",
    "viber": "Viber",
    "web": "сайт",
    "rest": "REST (тест)",
    "console": "консоль",
    "billing": "білінг",
}

# Why a typed reading was refused; the reasons staff asked to see, always listed.
REASON_LABELS: Dict[str, str] = {
    Rejection.NOT_A_NUMBER.value: "не число",
    Rejection.LOWER_THAN_PREVIOUS.value: "менший за попередній",
    Rejection.IMPLAUSIBLE.value: "неправдоподібно велике споживання",
    Rejection.OUTSIDE_WINDOW.value: "поза вікном прийому",
    Rejection.TOO_MANY_DECIMALS.value: "забагато знаків після коми",
}


def channel_label(channel: str, unknown: str = "—") -> str:
    return CHANNEL_LABELS.get(channel, channel or unknown)


def rejection_rows(counts: Dict[str, int]) -> List[tuple]:
    """(label, count) of every listed reason (zero included), then of any other code."""
    reasons = list(REASON_LABELS) + sorted(set(counts) - set(REASON_LABELS))
    return [(REASON_LABELS.get(reason, reason), counts.get(reason, 0)) for reason in reasons]
