"""Who the outbox writes to: users still owing readings (reminders, planned in
one INSERT ... SELECT) and the audience of a broadcast.

The queue itself is `core.repository.outbox.queue`. Every function takes the
caller's session and never commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional, Sequence

from sqlalchemy import and_, case, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from core.db.models import Account, AccountLink, MessengerUser, Meter, OutboxStatus, Reading
from core.db.types import AwareDateTime
from core.repository.outbox.queue import Button, insert_new
from core.senders import SenderKey


def _owing(query, period: str, only: Optional[SenderKey]):
    """Restricts a query over account_links to meters still without a reading for
    `period`, of users who proved the account, have reminders on and are not known
    to be unreachable."""
    reading = and_(
        Reading.meter_id == Meter.id, Reading.period == period, Reading.in_force.is_(True)
    )
    query = (
        query.join(Account, and_(Account.id == AccountLink.account_id, Account.active.is_(True)))
        .join(Meter, and_(Meter.account_id == Account.id, Meter.active.is_(True)))
        .outerjoin(Reading, reading)
        .outerjoin(
            MessengerUser,
            and_(
                MessengerUser.channel == AccountLink.channel,
                MessengerUser.sender_id == AccountLink.sender_id,
            ),
        )
        .where(
            Reading.id.is_(None),
            # Reminders list accounts and meters: only for users who proved them.
            AccountLink.proved_at.is_not(None),
            AccountLink.suspended_at.is_(None),
            or_(
                MessengerUser.id.is_(None),
                and_(
                    MessengerUser.reminders_enabled.is_(True),
                    MessengerUser.subscribed.is_(True),
                ),
            ),
        )
    )
    if only is not None:
        query = query.where(
            AccountLink.channel == only.channel, AccountLink.sender_id == only.sender_id
        )
    return query


def owing_rows(session: Session, period: str, only: Optional[SenderKey]):
    """(channel, sender_id, account number, meter kind, location) still owing a reading."""
    query = select(
        AccountLink.channel, AccountLink.sender_id, Account.number, Meter.kind, Meter.location
    ).select_from(AccountLink)
    query = _owing(query, period, only).order_by(
        AccountLink.channel, AccountLink.sender_id, Account.number, Meter.kind, Meter.id
    )
    return session.execute(query)


def _joined(dialect: str, value, separator: str, *order):
    """string_agg in a stated order (PostgreSQL); group_concat on SQLite, whose
    order is that of the ordered subquery it reads."""
    if dialect == "postgresql":
        return func.string_agg(value, aggregate_order_by(literal(separator), *order))
    return func.group_concat(value, separator)


@dataclass(frozen=True)
class OwingMessage:
    """How `plan_owing` words each user's message: `head`, then one line per account,
    `line_prefix` + number + `number_separator` + its meters' labels joined by ", "."""

    key_prefix: str  # + the user's sender id
    kind: str
    head: str
    line_prefix: str
    number_separator: str
    meter_labels: Dict[str, str]  # meter kind -> label
    buttons: Sequence[Button]
    not_before: datetime


def plan_owing(
    session: Session,
    period: str,
    message: OwingMessage,
    now: datetime,
    only: Optional[SenderKey] = None,
) -> int:
    """One outbox row per user owing readings for `period`, in one INSERT ... SELECT
    (100 000 users in seconds); keys already there are skipped. Returns rows added."""
    dialect = session.get_bind().dialect.name
    label = case(
        *[(Meter.kind == kind, literal(text)) for kind, text in message.meter_labels.items()],
        else_=literal(""),
    ) + case((Meter.location != "", literal(" (") + Meter.location + literal(")")), else_="")
    meters = (
        _owing(
            select(
                AccountLink.channel.label("channel"),
                AccountLink.sender_id.label("sender_id"),
                Account.number.label("number"),
                Meter.kind.label("kind"),
                Meter.id.label("meter_id"),
                label.label("label"),
            ).select_from(AccountLink),
            period,
            only,
        )
        .order_by(AccountLink.channel, AccountLink.sender_id, Account.number, Meter.kind, Meter.id)
        .subquery("owed_meters")
    )
    accounts = (
        select(
            meters.c.channel,
            meters.c.sender_id,
            meters.c.number,
            (
                literal(message.line_prefix)
                + meters.c.number
                + literal(message.number_separator)
                + _joined(dialect, meters.c.label, ", ", meters.c.kind, meters.c.meter_id)
            ).label("line"),
        )
        .group_by(meters.c.channel, meters.c.sender_id, meters.c.number)
        .order_by(meters.c.channel, meters.c.sender_id, meters.c.number)
        .subquery("owed_accounts")
    )
    per_user = (
        select(
            (literal(message.key_prefix) + accounts.c.sender_id).label("key"),
            literal(message.kind).label("kind"),
            accounts.c.channel,
            accounts.c.sender_id,
            (
                literal(message.head) + _joined(dialect, accounts.c.line, "\n", accounts.c.number)
            ).label("text"),
            literal(json.dumps(list(message.buttons), ensure_ascii=False)).label("buttons"),
            literal(OutboxStatus.pending.value).label("status"),
            literal(0).label("attempts"),
            literal(message.not_before, AwareDateTime()).label("next_attempt_at"),
            literal(now, AwareDateTime()).label("created_at"),
            literal("").label("last_error"),
        )
        .where(true())  # SQLite needs a WHERE before ON CONFLICT to parse the upsert
        .group_by(accounts.c.channel, accounts.c.sender_id)
    )
    statement = insert_new(session).from_select(
        [
            "key",
            "kind",
            "channel",
            "sender_id",
            "text",
            "buttons",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "last_error",
        ],
        per_user,
    )
    result = session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
    return max(result.rowcount, 0)


def broadcast_audience(
    session: Session, streets: Sequence[str] = (), owing_period: Optional[str] = None
) -> List[SenderKey]:
    """Messenger users not known to be unreachable: everyone who ever wrote, or, with
    `streets` (parts of the street name, any case) or `owing_period`, the holders of
    active accounts on those streets / still without a reading for that period."""
    reachable = or_(MessengerUser.id.is_(None), MessengerUser.subscribed.is_(True))
    holders = (
        select(AccountLink.channel, AccountLink.sender_id, Account.street)
        .join(Account, and_(Account.id == AccountLink.account_id, Account.active.is_(True)))
        .outerjoin(
            MessengerUser,
            and_(
                MessengerUser.channel == AccountLink.channel,
                MessengerUser.sender_id == AccountLink.sender_id,
            ),
        )
        .where(reachable)
    )
    if owing_period is not None:
        owed = (
            select(Meter.account_id)
            .outerjoin(
                Reading,
                and_(
                    Reading.meter_id == Meter.id,
                    Reading.period == owing_period,
                    Reading.in_force.is_(True),
                ),
            )
            .where(Meter.active.is_(True), Reading.id.is_(None))
        )
        holders = holders.where(Account.id.in_(owed))
    wanted = [street.casefold() for street in streets if street.strip()]
    found = set()
    for channel, sender_id, street in session.execute(holders):
        # Matched here, not in SQL: SQLite's lower() leaves Cyrillic alone.
        if not wanted or any(part in street.casefold() for part in wanted):
            found.add((channel, sender_id))
    if not wanted and owing_period is None:
        users = session.execute(
            select(MessengerUser.channel, MessengerUser.sender_id).where(
                MessengerUser.subscribed.is_(True)
            )
        )
        found.update((channel, sender_id) for channel, sender_id in users)
    return [SenderKey(channel, sender_id) for channel, sender_id in sorted(found)]
