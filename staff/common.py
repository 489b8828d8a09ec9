"""Helpers every staff command shares: errors, periods, sessions, progress bars."""

from __future__ import annotations

import argparse
import re
import sys
from contextlib import contextmanager
from datetime import datetime
from typing import Iterable, Iterator, Optional, Tuple, TypeVar

from sqlalchemy.orm import Session
from tqdm import tqdm

from actions.db.engine import session_factory
from actions.settings import KYIV

T = TypeVar("T")

# Exit codes, also listed in docs/staff-guide.md.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_PARTIAL = 3  # imported, but some rows were rejected

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class StaffError(Exception):
    """A failure to report to staff in plain words (no traceback), exit code 1."""


def period_arg(text: str) -> str:
    """argparse type for "YYYY-MM"."""
    if not _PERIOD.match(text.strip()):
        raise argparse.ArgumentTypeError(f"період «{text}» має бути у форматі РРРР-ММ, напр. 2026-11")
    return text.strip()


def month_bounds(period: str) -> Tuple[datetime, datetime]:
    """Start of the month and start of the next one, Europe/Kyiv."""
    year, month = map(int, period.split("-"))
    start = datetime(year, month, 1, tzinfo=KYIV)
    end = datetime(year + (month == 12), 1 if month == 12 else month + 1, 1, tzinfo=KYIV)
    return start, end


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction: commit on success, rollback on error."""
    with session_factory()() as session, session.begin():
        yield session


@contextmanager
def read_only() -> Iterator[Session]:
    """A session for reports. Closing it rolls back at the connection level but,
    unlike `rollback()`, leaves loaded objects readable for printing."""
    with session_factory()() as session:
        yield session


def progress(
    iterable: Optional[Iterable[T]] = None, *, total: Optional[int] = None, desc: str = "",
    unit: str = "рядк.",
) -> tqdm:
    """A progress bar on stderr; silent when stderr is not a terminal (tests, cron)."""
    return tqdm(
        iterable, total=total, desc=desc, unit=unit, file=sys.stderr, disable=None,
        leave=False, dynamic_ncols=True, mininterval=0.3,
    )


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
