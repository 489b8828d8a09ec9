"""Channel state for the connectors, awaitable: deliveries already handled, the
last reply keyboard shown in each chat, and messenger subscriptions.

The tables and queries live in the core (`core.repository.messenger`); this
module adds what only the connectors need: physical time for staleness and an
hourly purge of old delivery ids.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Dict, List, Optional

from sqlalchemy.exc import IntegrityError

from core import metrics
from core.db.engine import run_unit_of_work
from core.privacy import DELIVERIES_KEPT
from core.repository import messenger as messenger_repo
from core.repository.messenger import Button
from core.senders import SenderKey
from core.settings import wall_clock

# A claim older than this belongs to a process that died mid-update; the
# messenger's re-delivery may then take it over instead of losing the message.
STALE_CLAIM = timedelta(minutes=10)
PURGE_EVERY = timedelta(hours=1)

_last_purge: Dict[str, datetime] = {}


def _now() -> datetime:
    # Real time, not the assistant's pinned business clock: staleness is physical.
    return wall_clock()


async def claim_delivery(channel: str, delivery_id: str) -> bool:
    """True if this process should handle the delivery; False for a duplicate."""
    now = _now()
    await _purge_old(channel, now)
    try:
        await run_unit_of_work(
            lambda s: messenger_repo.insert_delivery_claim(s, channel, delivery_id, now)
        )
        return True
    except IntegrityError:
        taken_over = await run_unit_of_work(
            lambda s: messenger_repo.take_over_stale_claim(
                s, channel, delivery_id, now, now - STALE_CLAIM
            )
        )
    if not taken_over:
        metrics.MESSAGES_DEDUPLICATED.labels(channel).inc()
    return taken_over


async def finish_delivery(channel: str, delivery_id: str) -> None:
    await run_unit_of_work(lambda s: messenger_repo.finish_delivery(s, channel, delivery_id))


async def _purge_old(channel: str, now: datetime) -> None:
    last = _last_purge.get(channel)
    if last is not None and now - last < PURGE_EVERY:
        return
    _last_purge[channel] = now
    await run_unit_of_work(
        lambda s: messenger_repo.purge_deliveries(s, now - DELIVERIES_KEPT, channel)
    )


async def load_keyboard(sender: SenderKey) -> List[Button]:
    """The reply keyboard the chat shows now ([] if none)."""
    return await run_unit_of_work(lambda s: messenger_repo.load_keyboard(s, sender))


async def save_keyboard(sender: SenderKey, buttons: List[Button]) -> None:
    now = _now()
    await run_unit_of_work(lambda s: messenger_repo.save_keyboard(s, sender, buttons, now))


async def set_subscribed(sender: SenderKey, subscribed: bool) -> None:
    """Records on the user's messenger record whether they may be messaged."""
    now = _now()
    await run_unit_of_work(lambda s: messenger_repo.set_subscribed(s, sender, subscribed, now))


async def subscription(sender: SenderKey) -> Optional[bool]:
    """True/False as recorded, None if the user has no record yet."""
    return await run_unit_of_work(lambda s: messenger_repo.subscription(s, sender))


async def mark_subscribed(sender: SenderKey) -> None:
    """A user who writes to the bot is subscribed (Viber sends no callback for that)."""
    if await subscription(sender) is not True:
        await set_subscribed(sender, True)
