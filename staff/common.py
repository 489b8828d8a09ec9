"""What every staff command shares: exit codes, the error type, argument types."""

from __future__ import annotations

import argparse
import re

from core.errors import StaffError

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "StaffError", "period_arg"]

# Exit codes, also listed in docs/staff-guide.md.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_PARTIAL = 3  # imported, but some rows were rejected

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_arg(text: str) -> str:
    """argparse type for "YYYY-MM"."""
    if not _PERIOD.match(text.strip()):
        raise argparse.ArgumentTypeError(
            f"період «{text}» має бути у форматі РРРР-ММ, напр. 2026-11"
        )
    return text.strip()
