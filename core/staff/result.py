"""What a staff operation answers both doors: done or refused, in Ukrainian words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    """`message` is the sentence the console flashes and `teplo` prints (or fails
    with); `value` is what the caller needs next (an account to go back to, a file)."""

    ok: bool
    message: str
    value: Any = None

    @classmethod
    def done(cls, message: str, value: Any = None) -> "Result":
        return cls(True, message, value)

    @classmethod
    def refused(cls, message: str, value: Any = None) -> "Result":
        return cls(False, message, value)
