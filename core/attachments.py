"""Photos and documents consumers send: which are taken, where the files go,
and when they are deleted.

- Taken: JPEG, PNG, WebP and HEIC pictures and PDF documents up to
  `ATTACHMENTS_MAX_MB` (default 10). The type is decided by the file's first
  bytes, not by the name or type the sender's client declared.
- Kept outside the database in `ATTACHMENTS_DIR` (default `var/attachments/`),
  each under a random name (`<token>.<ext>`), never a name the sender chose;
  a row in `attachments` says whose it is (channel + sender id) and, when the
  conversation was about one, the account, the meter and the period.
- One sender may have at most `ATTACHMENTS_PER_DAY` files (default 20) and
  `ATTACHMENTS_MB_PER_DAY` (default 50) kept per day; a file they already
  sent (same SHA-256) is acknowledged again, not stored again: forwarding one
  PDF thousands of times costs one copy.
- Deleted with the conversations after the retention (`teplo privacy purge`)
  and at once when the sender asks to be forgotten.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum
from pathlib import Path
from typing import Iterable, List, Optional

from sqlalchemy.orm import Session

from core.db.engine import run_unit_of_work
from core.db.models import Attachment, period_of
from core.repository import accounts as accounts_repo
from core.repository import attachments as attachments_repo
from core.senders import SenderKey
from core.settings import KYIV, get_settings

logger = logging.getLogger(__name__)

# Content type -> file extension, for every type taken.
ACCEPTED = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}
# What a sender's client may declare for a file we would take (checked before
# fetching it; the bytes decide afterwards).
DECLARED_TYPES = set(ACCEPTED) | {"image/jpg", "image/heif"}
DECLARED_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".pdf"}
# ISO base media brands of HEIC/HEIF still pictures.
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class Refusal(str, Enum):
    WRONG_TYPE = "wrong_type"
    TOO_BIG = "too_big"
    UNAVAILABLE = "unavailable"  # the messenger did not give us the file
    DAILY_LIMIT = "daily_limit"  # the sender's files for today are used up


class AttachmentRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def max_bytes() -> int:
    return get_settings().attachments_max_bytes


def folder() -> Path:
    return Path(get_settings().attachments_dir)


def path_of(attachment: Attachment) -> Path:
    return folder() / f"{attachment.token}{ACCEPTED.get(attachment.content_type, '.bin')}"


def sniff(data: bytes) -> Optional[str]:
    """The content type the file's first bytes show, if it is one we take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return "image/heic"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def declared_refusal(
    size: Optional[int], mime_type: Optional[str] = None, file_name: Optional[str] = None
) -> Optional[Refusal]:
    """Whether what the messenger says about a file already rules it out."""
    if size is not None and size > max_bytes():
        return Refusal.TOO_BIG
    if mime_type and mime_type.lower() not in DECLARED_TYPES:
        return Refusal.WRONG_TYPE
    if file_name and not mime_type and Path(file_name).suffix.lower() not in DECLARED_EXTENSIONS:
        return Refusal.WRONG_TYPE
    return None


@dataclass(frozen=True)
class StoredFile:
    token: str
    content_type: str
    size: int
    sha256: str


def _write(data: bytes) -> StoredFile:
    if len(data) > max_bytes():
        raise AttachmentRefused(Refusal.TOO_BIG)
    content_type = sniff(data)
    if content_type is None:
        raise AttachmentRefused(Refusal.WRONG_TYPE)
    token = secrets.token_hex(16)
    target = folder()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = target / f"{token}{ACCEPTED[content_type]}"
    partial = target / f".{token}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, final)
    return StoredFile(token, content_type, len(data), hashlib.sha256(data).hexdigest())


def record(session: Session, sender: SenderKey, stored: StoredFile, now: datetime) -> Attachment:
    return attachments_repo.add_attachment(
        session,
        Attachment(
            token=stored.token,
            channel=sender.channel,
            sender_id=sender.sender_id,
            period=period_of(now.astimezone(KYIV).date()),
            content_type=stored.content_type,
            size_bytes=stored.size,
            sha256=stored.sha256,
            received_at=now,
        ),
    )


def _within_daily_limit(session: Session, sender: SenderKey, size: int, now: datetime) -> bool:
    settings = get_settings()
    day = datetime.combine(now.astimezone(KYIV).date(), time(), tzinfo=KYIV)
    count, total = attachments_repo.received_since(session, sender, day)
    return count < settings.attachments_per_day and total + size <= (
        settings.attachments_bytes_per_day
    )


async def store_received(data: bytes, sender: SenderKey, now: datetime) -> str:
    """Checks and keeps a file a messenger user sent; returns its token.

    A file the sender already sent returns the token it was kept under.
    Raises AttachmentRefused for a type we do not take, a file too big, or a
    sender over their daily limit.
    """
    digest = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
    kept = await run_unit_of_work(lambda s: attachments_repo.same_file(s, sender, digest))
    if kept is not None:
        logger.info("attachment %s sent again; not stored twice", kept)
        return kept
    if not await run_unit_of_work(lambda s: _within_daily_limit(s, sender, len(data), now)):
        raise AttachmentRefused(Refusal.DAILY_LIMIT)
    stored = await asyncio.to_thread(_write, data)
    try:
        await run_unit_of_work(lambda s: record(s, sender, stored, now))
    except Exception:
        _unlink(folder() / f"{stored.token}{ACCEPTED[stored.content_type]}")
        raise
    logger.info("attachment %s kept: %s, %d bytes", stored.token, stored.content_type, stored.size)
    return stored.token


@dataclass(frozen=True)
class Noted:
    content_type: str
    account_number: Optional[str]


def note_context(
    session: Session,
    token: str,
    sender: SenderKey,
    account_number: Optional[str],
    meter_id: Optional[int],
) -> Optional[Noted]:
    """Notes on the sender's own attachment what the conversation was about:
    the account chosen in it, else the sender's only linked account, and the
    meter being asked for. None if the token is not the sender's (a typed
    payload cannot claim another's file)."""
    attachment = attachments_repo.by_token(session, token)
    if attachment is None or (attachment.channel, attachment.sender_id) != (
        sender.channel,
        sender.sender_id,
    ):
        return None
    linked = accounts_repo.linked_accounts(session, sender)
    chosen = [a for a in linked if a.number == account_number]
    account = (
        chosen[0] if chosen else linked[0] if len(linked) == 1 and not account_number else None
    )
    if account is not None:
        attachment.account_id = account.id
        meters = {m.id for m in accounts_repo.active_meters(session, account.id)}
        attachment.meter_id = meter_id if meter_id in meters else None
        session.flush()
    return Noted(attachment.content_type, account.number if account is not None else None)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _delete(session: Session, attachments: Iterable[Attachment]) -> int:
    """Deletes the files first: a failed commit then leaves a row without its
    file, never a personal file without a row that would get it deleted."""
    rows: List[Attachment] = list(attachments)
    for attachment in rows:
        _unlink(path_of(attachment))
    return attachments_repo.delete_rows(session, [a.id for a in rows])


def forget_sender_attachments(session: Session, sender: SenderKey) -> int:
    return _delete(session, attachments_repo.of_sender(session, sender))


def purge_attachments(session: Session, before: datetime) -> int:
    return _delete(session, attachments_repo.received_before(session, before))
