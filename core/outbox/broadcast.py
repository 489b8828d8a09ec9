"""Staff broadcasts: one text to a chosen audience, through the outbox (same limits,
same quiet hours). Planned under a key derived from the text and the audience, so
confirming the same broadcast twice sends it once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Sequence

from sqlalchemy.orm import Session

from core.db.models import OutboxKind
from core.errors import StaffError
from core.outbox.config import OutboxConfig, load_outbox_config
from core.outbox.quiet import not_before_quiet_end
from core.repository.outbox import audience as audience_repo
from core.repository.outbox import queue as outbox_queue
from core.senders import SenderKey

MAX_TEXT = 1000  # well under both messengers' limits, and a phone screen


@dataclass(frozen=True)
class Audience:
    streets: Sequence[str] = ()
    owing_period: Optional[str] = None

    def describe(self) -> str:
        parts = []
        if self.streets:
            parts.append("вулиці: " + ", ".join(self.streets))
        if self.owing_period:
            parts.append(f"не передали показники за {self.owing_period}")
        return "; ".join(parts) or "усі користувачі"


@dataclass(frozen=True)
class BroadcastPlan:
    text: str
    audience: Audience
    recipients: List[SenderKey]
    tag: str
    not_before: datetime

    @property
    def by_channel(self) -> dict:
        counts: dict = {}
        for sender in self.recipients:
            counts[sender.channel] = counts.get(sender.channel, 0) + 1
        return counts


def prepare(
    session: Session,
    text: str,
    audience: Audience,
    now: datetime,
    config: Optional[OutboxConfig] = None,
) -> BroadcastPlan:
    """Who would get the text and from when (a dry run: nothing is stored)."""
    config = config or load_outbox_config()
    text = text.strip()
    if not text:
        raise StaffError("текст розсилки порожній")
    if len(text) > MAX_TEXT:
        raise StaffError(f"текст розсилки задовгий: {len(text)} символів, можна до {MAX_TEXT}")
    recipients = audience_repo.broadcast_audience(session, audience.streets, audience.owing_period)
    fingerprint = "\n".join(
        [
            text,
            "|".join(sorted(s.casefold() for s in audience.streets)),
            audience.owing_period or "",
        ]
    )
    tag = hashlib.sha256(fingerprint.encode()).hexdigest()[:12]
    not_before = not_before_quiet_end(now, config.quiet_start, config.quiet_end)
    return BroadcastPlan(text, audience, recipients, tag, not_before)


def enqueue(session: Session, plan: BroadcastPlan, now: datetime) -> int:
    """Puts the broadcast in the outbox; returns how many messages were new."""
    planned = [
        outbox_queue.Planned(
            key=f"broadcast:{plan.tag}:{sender.sender_id}",
            kind=OutboxKind.broadcast.value,
            sender=sender,
            text=plan.text,
            buttons=(),
            not_before=plan.not_before,
        )
        for sender in plan.recipients
    ]
    added = 0
    for start in range(0, len(planned), 2000):
        added += outbox_queue.enqueue(session, planned[start : start + 2000], now)
    return added
