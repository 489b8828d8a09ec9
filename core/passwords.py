"""Staff passwords: argon2id hashes only, never the password itself."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import StaffError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified when the user name is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("no such user, only for timing")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise StaffError(f"пароль має бути не коротший за {MIN_LENGTH} символів")
    if password.strip() != password:
        raise StaffError("пароль не може починатися чи закінчуватися пробілом")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if the password matches; False for a wrong one or an unknown user (same cost)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
