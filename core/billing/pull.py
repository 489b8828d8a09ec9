"""Pages of the delivery feed for billing systems that pull (see billing_api/).

Pages follow the feed's positions, which are assigned under a lock in commit
order and never change; a cursor is the last position a page held. Asking
again with the same cursor returns the same readings (a retry after a lost
answer is safe), and readings saved while a client pages get later
positions, so they come on a later page and none is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List

from sqlalchemy.orm import Session

from core.billing.feed import FeedRow, decode_cursor, encode_cursor
from core.db.models.billing import BillingApiKey
from core.repository import billing as repo
from core.settings import get_settings

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
# Each call looks only at readings with ids near the newest already placed (a
# reading's transaction commits within seconds of taking its id); all readings
# are looked at every few minutes, and by every drop run, so one that took
# longer still joins the feed, at a later position.
RECENT_IDS = 1000
FULL_SCAN_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Page:
    rows: List[FeedRow]
    last_position: int
    has_more: bool


def cursor_secret(client: BillingApiKey) -> bytes:
    """BILLING_CURSOR_KEY with the client's key hash (a secret only we hold, stable
    across restarts): a cursor is good only for the client it was given to."""
    return f"{get_settings().billing_cursor_key}:{client.key_hash}".encode()


def cursor_for(client: BillingApiKey, position: int) -> str:
    return encode_cursor(position, cursor_secret(client))


def position_of(session: Session, client: BillingApiKey, cursor: str) -> int:
    """Where the page after `cursor` starts; ValueError for a cursor we never gave
    this client, or one past the feed's end.

    An unsigned cursor of before signing is taken only up to where the client
    has already got, so it cannot move the client's progress forward.
    """
    found = decode_cursor(cursor, cursor_secret(client))
    ceiling = repo.last_position(session) if found.signed else (client.last_position or 0)
    if found.position > ceiling:
        raise ValueError("cursor past the feed")
    return found.position


def read_page(
    session: Session, client: BillingApiKey, after: int, limit: int, now: datetime
) -> Page:
    """Up to `limit` readings after a position; new readings join the feed first.

    When a drop run holds the feed lock this call does not wait for it: the
    readings it is placing come on the client's next call.
    """
    counter = repo.lock_counter(session, wait=False)
    if counter is not None:
        full = counter.full_scan_at is None or now - counter.full_scan_at > FULL_SCAN_EVERY
        above = 0 if full else max(repo.highest_sequenced_reading(session) - RECENT_IDS, 0)
        repo.sequence_new_readings(session, counter, now, above_id=above)
    rows = [FeedRow.of(entry) for entry in repo.feed_rows(session, after=after, limit=limit + 1)]
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].position if rows else after
    client.last_position = max(client.last_position or 0, last)
    return Page(rows, last, has_more)
