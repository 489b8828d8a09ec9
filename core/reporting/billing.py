"""How the hand-over to billing goes: delivered, pending, unacknowledged, and when billing last took data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy.orm import Session

from core.repository import billing as repo


@dataclass(frozen=True)
class ApiClient:
    name: str
    last_used_at: Optional[datetime]
    behind: int  # feed entries after the furthest one it was served


@dataclass
class HandoverStatus:
    period: str
    delivered: int = 0  # the period's readings in a drop file
    pending: int = 0  # ... in no file yet
    unacknowledged: int = 0  # ... in files billing has not acknowledged
    unacknowledged_files: int = 0
    last_file_at: Optional[datetime] = None
    last_ack_at: Optional[datetime] = None
    last_api_at: Optional[datetime] = None
    api_clients: List[ApiClient] = field(default_factory=list)
    # The oldest data billing has not taken (an unacknowledged file, or a reading neither
    # in a file nor pulled), and the limit after which that is a warning.
    waiting_since: Optional[datetime] = None
    stale_after: timedelta = timedelta(hours=48)
    now: Optional[datetime] = None

    @property
    def stale(self) -> bool:
        return (
            self.waiting_since is not None
            and self.now is not None
            and self.now - self.waiting_since > self.stale_after
        )


def handover_status(
    session: Session, period: str, now: datetime, stale_hours: int
) -> HandoverStatus:
    status = HandoverStatus(period, stale_after=timedelta(hours=stale_hours), now=now)
    status.delivered, status.pending, status.unacknowledged = repo.period_delivery_counts(
        session, period
    )
    (
        status.last_file_at,
        status.last_ack_at,
        status.unacknowledged_files,
        oldest_file,
    ) = repo.file_times(session)
    # Readings not yet placed in the feed count as waiting for every client.
    newest = repo.last_position(session) + repo.unsequenced_count(session)
    active = [key for key in repo.api_keys(session) if key.revoked_at is None]
    status.api_clients = [
        ApiClient(key.name, key.last_used_at, max(newest - (key.last_position or 0), 0))
        for key in active
    ]
    used = [key.last_used_at for key in active if key.last_used_at is not None]
    status.last_api_at = max(used) if used else None
    pulled_up_to = max((key.last_position or 0 for key in active), default=0)
    taken_up_to = max(pulled_up_to, repo.last_filed_position(session))
    oldest_reading = repo.oldest_untaken_reading(session, taken_up_to)
    candidates = [moment for moment in (oldest_file, oldest_reading) if moment is not None]
    status.waiting_since = min(candidates) if candidates else None
    return status
