"""Per-client keys for the billing pull API: shown once, kept only as a SHA-256 hash.

A key is 32 random bytes (URL-safe base64 with a recognisable prefix), so a
plain SHA-256 is enough: there is nothing to guess that a slow hash would
protect, unlike passwords.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy.orm import Session

from core.db.models.billing import BillingApiKey
from core.errors import StaffError
from core.repository import billing as repo

KEY_PREFIX = "tpe_"
_NAME = re.compile(r"^[\w.-]{1,60}$")


@dataclass(frozen=True)
class KeyInfo:
    """What staff see of a key: never the key itself."""

    name: str
    created_at: datetime
    revoked_at: Optional[datetime]
    last_used_at: Optional[datetime]


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, now: datetime) -> Tuple[KeyInfo, str]:
    """A new named key; returns it in clear this once (the database keeps its hash)."""
    if not _NAME.match(name):
        raise StaffError(
            "назва ключа: до 60 літер, цифр, «_», «-» або «.», без пробілів (напр. billing-main)"
        )
    if repo.api_key_by_name(session, name) is not None:
        raise StaffError(f"ключ «{name}» уже є; відкличте його або оберіть іншу назву")
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    key = BillingApiKey(name=name, key_hash=hash_key(token), created_at=now, last_position=0)
    session.add(key)
    session.flush()
    return _info(key), token


def revoke_key(session: Session, name: str, now: datetime) -> KeyInfo:
    key = repo.api_key_by_name(session, name)
    if key is None:
        raise StaffError(f"ключа «{name}» немає")
    if key.revoked_at is None:
        key.revoked_at = now
    return _info(key)


def list_keys(session: Session) -> List[KeyInfo]:
    return [_info(key) for key in repo.api_keys(session)]


def authenticate(session: Session, token: Optional[str], now: datetime) -> Optional[BillingApiKey]:
    """The active key for a presented token (and its use recorded), or None."""
    if not token or not token.startswith(KEY_PREFIX):
        return None
    key = repo.api_key_by_hash(session, hash_key(token))
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = now
    return key


def _info(key: BillingApiKey) -> KeyInfo:
    return KeyInfo(key.name, key.created_at, key.revoked_at, key.last_used_at)
