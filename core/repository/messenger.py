"""Messenger users' state: subscription and reminder preference, deliveries
already handled, and the reply keyboard each chat shows.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Dict, List, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.db.models import ChannelDelivery, ChannelKeyboard, DeliveryStatus, MessengerUser
from core.senders import SenderKey

Button = Dict[str, str]


# --- messenger users ---------------------------------------------------------------


def messenger_user(session: Session, sender: SenderKey, now: datetime) -> MessengerUser:
    """The user's messenger record, created on first use."""
    user = session.execute(
        select(MessengerUser).where(
            MessengerUser.channel == sender.channel, MessengerUser.sender_id == sender.sender_id
        )
    ).scalar_one_or_none()
    if user is None:
        user = MessengerUser(channel=sender.channel, sender_id=sender.sender_id, updated_at=now)
        session.add(user)
        session.flush()
    return user


def set_subscribed(session: Session, sender: SenderKey, subscribed: bool, now: datetime) -> None:
    user = messenger_user(session, sender, now)
    if user.subscribed != subscribed:
        user.subscribed, user.updated_at = subscribed, now
        session.flush()


def subscription(session: Session, sender: SenderKey) -> Optional[bool]:
    """True/False as recorded, None if the user has no record yet."""
    return session.execute(
        select(MessengerUser.subscribed).where(
            MessengerUser.channel == sender.channel, MessengerUser.sender_id == sender.sender_id
        )
    ).scalar_one_or_none()


# --- deliveries --------------------------------------------------------------------


def insert_delivery_claim(session: Session, channel: str, delivery_id: str, now: datetime) -> None:
    """Claims a delivery; raises IntegrityError if it is claimed already."""
    session.add(
        ChannelDelivery(
            channel=channel,
            delivery_id=delivery_id,
            status=DeliveryStatus.processing.value,
            claimed_at=now,
        )
    )
    session.flush()


def take_over_stale_claim(
    session: Session, channel: str, delivery_id: str, now: datetime, stale_before: datetime
) -> bool:
    """Takes over a claim still processing since before `stale_before`.

    Compare-and-set on claimed_at: of two concurrent re-deliveries only one wins.
    """
    row = session.execute(
        select(ChannelDelivery).where(
            ChannelDelivery.channel == channel, ChannelDelivery.delivery_id == delivery_id
        )
    ).scalar_one_or_none()
    if (
        row is None
        or row.status != DeliveryStatus.processing.value
        or row.claimed_at > stale_before
    ):
        return False
    taken = session.execute(
        update(ChannelDelivery)
        .where(ChannelDelivery.id == row.id, ChannelDelivery.claimed_at == row.claimed_at)
        .values(claimed_at=now)
    )
    return taken.rowcount == 1


def finish_delivery(session: Session, channel: str, delivery_id: str) -> None:
    session.execute(
        update(ChannelDelivery)
        .where(ChannelDelivery.channel == channel, ChannelDelivery.delivery_id == delivery_id)
        .values(status=DeliveryStatus.done.value)
    )


def purge_deliveries(session: Session, before: datetime, channel: Optional[str] = None) -> int:
    """Deletes delivery ids claimed before `before` (of one channel, or all)."""
    query = delete(ChannelDelivery).where(ChannelDelivery.claimed_at < before)
    if channel is not None:
        query = query.where(ChannelDelivery.channel == channel)
    return session.execute(query).rowcount


# --- reply keyboards ---------------------------------------------------------------


def load_keyboard(session: Session, sender: SenderKey) -> List[Button]:
    """The reply keyboard the chat shows now ([] if none)."""
    raw = session.execute(
        select(ChannelKeyboard.buttons).where(
            ChannelKeyboard.channel == sender.channel,
            ChannelKeyboard.sender_id == sender.sender_id,
        )
    ).scalar_one_or_none()
    return json.loads(raw) if raw else []


def save_keyboard(
    session: Session, sender: SenderKey, buttons: List[Button], now: datetime
) -> None:
    row = session.execute(
        select(ChannelKeyboard).where(
            ChannelKeyboard.channel == sender.channel,
            ChannelKeyboard.sender_id == sender.sender_id,
        )
    ).scalar_one_or_none()
    encoded = json.dumps(
        [{"title": b["title"], "payload": b["payload"]} for b in buttons], ensure_ascii=False
    )
    if row is None:
        session.add(
            ChannelKeyboard(
                channel=sender.channel, sender_id=sender.sender_id, buttons=encoded, updated_at=now
            )
        )
    else:
        row.buttons, row.updated_at = encoded, now
    session.flush()
