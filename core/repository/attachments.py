"""Rows of the photos and documents consumers sent (the files are in the
attachments folder, `core.attachments`).

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.db.models import Account, Attachment, Meter
from core.senders import SenderKey


def add_attachment(session: Session, attachment: Attachment) -> Attachment:
    session.add(attachment)
    session.flush()
    return attachment


def by_token(session: Session, token: str) -> Optional[Attachment]:
    return session.execute(select(Attachment).where(Attachment.token == token)).scalar_one_or_none()


def by_id(session: Session, attachment_id: int) -> Optional[Attachment]:
    return session.get(Attachment, attachment_id)


@dataclass(frozen=True)
class AttachmentRow:
    attachment: Attachment
    account_number: Optional[str]
    meter_serial: Optional[str]


def listed(
    session: Session,
    account_number: Optional[str] = None,
    since: Optional[datetime] = None,
    limit: int = 500,
    account_id: Optional[int] = None,
) -> List[AttachmentRow]:
    """Newest first, with the account number and meter serial they were noted with."""
    query = (
        select(Attachment, Account.number, Meter.serial)
        .outerjoin(Account, Account.id == Attachment.account_id)
        .outerjoin(Meter, Meter.id == Attachment.meter_id)
        .order_by(Attachment.received_at.desc(), Attachment.id.desc())
    )
    if account_number is not None:
        query = query.where(Account.number == account_number)
    if account_id is not None:
        query = query.where(Attachment.account_id == account_id)
    if since is not None:
        query = query.where(Attachment.received_at >= since)
    return [AttachmentRow(*row) for row in session.execute(query.limit(limit))]


def of_sender(session: Session, sender: SenderKey) -> List[Attachment]:
    return list(
        session.execute(
            select(Attachment).where(
                Attachment.channel == sender.channel, Attachment.sender_id == sender.sender_id
            )
        ).scalars()
    )


def same_file(session: Session, sender: SenderKey, sha256: str) -> Optional[str]:
    """The token of a file with this SHA-256 the sender already sent, if any."""
    return session.execute(
        select(Attachment.token)
        .where(
            Attachment.channel == sender.channel,
            Attachment.sender_id == sender.sender_id,
            Attachment.sha256 == sha256,
        )
        .limit(1)
    ).scalar_one_or_none()


def received_since(session: Session, sender: SenderKey, since: datetime) -> Tuple[int, int]:
    """(files, bytes) the sender had kept since `since`."""
    count, total = session.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size_bytes), 0)).where(
            Attachment.channel == sender.channel,
            Attachment.sender_id == sender.sender_id,
            Attachment.received_at >= since,
        )
    ).one()
    return int(count), int(total)


def received_before(session: Session, before: datetime) -> List[Attachment]:
    return list(
        session.execute(select(Attachment).where(Attachment.received_at < before)).scalars()
    )


def delete_rows(session: Session, ids: List[int]) -> int:
    if not ids:
        return 0
    return session.execute(delete(Attachment).where(Attachment.id.in_(ids))).rowcount
