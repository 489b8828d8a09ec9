"""Channel state in the assistant's database: deliveries already handled, the
last reply keyboard shown in each chat, and messenger subscriptions.

The tables share `Base` with the subscriber schema so that `create_all` makes
them; `ensure_schema` also creates them on first use, so a database created
before the channels existed keeps working.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import weakref
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, List, Optional, TypeVar

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.db import engine as db_engine
from actions.db import repository as repo
from actions.db.models import AwareDateTime, Base, MessengerUser
from actions.db.repository import SenderKey

logger = logging.getLogger(__name__)

PROCESSING, DONE = "processing", "done"
# A claim older than this belongs to a process that died mid-update; the
# messenger's re-delivery may then take it over instead of losing the message.
STALE_CLAIM = timedelta(minutes=10)
# Messengers re-deliver for hours at most; a week of ids is plenty.
KEEP_DELIVERIES = timedelta(days=7)
PURGE_EVERY = timedelta(hours=1)

Button = Dict[str, str]
T = TypeVar("T")


class ChannelDelivery(Base):
    """One incoming update or callback, by the messenger's own id (no user data)."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (UniqueConstraint("channel", "delivery_id", name="uq_channel_delivery"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    delivery_id = Column(String(64), nullable=False)
    status = Column(String(12), nullable=False, default=PROCESSING)
    claimed_at = Column(AwareDateTime(), nullable=False, index=True)


class ChannelKeyboard(Base):
    """The reply keyboard last shown in a chat: maps a pressed title back to its payload."""

    __tablename__ = "channel_keyboards"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_channel_keyboard"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    buttons = Column(Text, nullable=False, default="[]")
    updated_at = Column(AwareDateTime(), nullable=False)


CHANNEL_TABLES = [ChannelDelivery.__table__, ChannelKeyboard.__table__]

_schema_lock = threading.Lock()
_ready: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_last_purge: Dict[str, datetime] = {}


def _now() -> datetime:
    # Real time, not the assistant's pinned business clock: staleness is physical.
    return datetime.now(timezone.utc)


def ensure_schema() -> None:
    """Creates the channel tables once per engine if they are missing."""
    engine = db_engine.get_engine()
    if engine in _ready:
        return
    with _schema_lock:
        if engine not in _ready:
            Base.metadata.create_all(engine, tables=CHANNEL_TABLES)
            _ready.add(engine)


async def run(work: Callable[[Session], T]) -> T:
    """Runs `work(session)` in one transaction on a worker thread."""
    if db_engine.get_engine() not in _ready:
        await asyncio.to_thread(ensure_schema)
    return await db_engine.run_in_session(work)


# --- deliveries -------------------------------------------------------------------


def _insert_claim(session: Session, channel: str, delivery_id: str, now: datetime) -> None:
    session.add(ChannelDelivery(channel=channel, delivery_id=delivery_id, status=PROCESSING,
                                claimed_at=now))
    session.flush()


def _take_over_stale(session: Session, channel: str, delivery_id: str, now: datetime) -> bool:
    # Compare-and-set on claimed_at: of two concurrent re-deliveries only one wins.
    row = session.execute(
        select(ChannelDelivery).where(ChannelDelivery.channel == channel,
                                      ChannelDelivery.delivery_id == delivery_id)
    ).scalar_one_or_none()
    if row is None or row.status != PROCESSING or row.claimed_at > now - STALE_CLAIM:
        return False
    taken = session.execute(
        update(ChannelDelivery)
        .where(ChannelDelivery.id == row.id, ChannelDelivery.claimed_at == row.claimed_at)
        .values(claimed_at=now)
    )
    return taken.rowcount == 1


async def claim_delivery(channel: str, delivery_id: str) -> bool:
    """True if this process should handle the delivery; False for a duplicate."""
    now = _now()
    await _purge_old(channel, now)
    try:
        await run(lambda s: _insert_claim(s, channel, delivery_id, now))
        return True
    except IntegrityError:
        return await run(lambda s: _take_over_stale(s, channel, delivery_id, now))


async def finish_delivery(channel: str, delivery_id: str) -> None:
    await run(lambda s: s.execute(
        update(ChannelDelivery)
        .where(ChannelDelivery.channel == channel, ChannelDelivery.delivery_id == delivery_id)
        .values(status=DONE)
    ))


async def _purge_old(channel: str, now: datetime) -> None:
    last = _last_purge.get(channel)
    if last is not None and now - last < PURGE_EVERY:
        return
    _last_purge[channel] = now
    await run(lambda s: s.execute(
        delete(ChannelDelivery).where(ChannelDelivery.channel == channel,
                                      ChannelDelivery.claimed_at < now - KEEP_DELIVERIES)
    ))


# --- reply keyboards --------------------------------------------------------------


def _load_keyboard(session: Session, sender: SenderKey) -> List[Button]:
    raw = session.execute(
        select(ChannelKeyboard.buttons).where(ChannelKeyboard.channel == sender.channel,
                                              ChannelKeyboard.sender_id == sender.sender_id)
    ).scalar_one_or_none()
    return json.loads(raw) if raw else []


def _save_keyboard(session: Session, sender: SenderKey, buttons: List[Button]) -> None:
    row = session.execute(
        select(ChannelKeyboard).where(ChannelKeyboard.channel == sender.channel,
                                      ChannelKeyboard.sender_id == sender.sender_id)
    ).scalar_one_or_none()
    encoded = json.dumps(
        [{"title": b["title"], "payload": b["payload"]} for b in buttons], ensure_ascii=False
    )
    if row is None:
        session.add(ChannelKeyboard(channel=sender.channel, sender_id=sender.sender_id,
                                    buttons=encoded, updated_at=_now()))
    else:
        row.buttons, row.updated_at = encoded, _now()
    session.flush()


async def load_keyboard(sender: SenderKey) -> List[Button]:
    """The reply keyboard the chat shows now ([] if none)."""
    return await run(lambda s: _load_keyboard(s, sender))


async def save_keyboard(sender: SenderKey, buttons: List[Button]) -> None:
    await run(lambda s: _save_keyboard(s, sender, buttons))


# --- subscriptions ----------------------------------------------------------------


def _set_subscribed(session: Session, sender: SenderKey, subscribed: bool) -> None:
    user = repo.messenger_user(session, sender, _now())
    if user.subscribed != subscribed:
        user.subscribed, user.updated_at = subscribed, _now()
        session.flush()


def _subscription(session: Session, sender: SenderKey) -> Optional[bool]:
    return session.execute(
        select(MessengerUser.subscribed).where(MessengerUser.channel == sender.channel,
                                               MessengerUser.sender_id == sender.sender_id)
    ).scalar_one_or_none()


async def set_subscribed(sender: SenderKey, subscribed: bool) -> None:
    """Records on the user's messenger record whether they may be messaged."""
    await run(lambda s: _set_subscribed(s, sender, subscribed))


async def subscription(sender: SenderKey) -> Optional[bool]:
    """True/False as recorded, None if the user has no record yet."""
    return await run(lambda s: _subscription(s, sender))


async def mark_subscribed(sender: SenderKey) -> None:
    """A user who writes to the bot is subscribed (Viber sends no callback for that)."""
    if await subscription(sender) is not True:
        await set_subscribed(sender, True)
