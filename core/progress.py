"""Progress bars for long staff jobs (billing import, file generation)."""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, Optional, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(
    iterable: Optional[Iterable[T]] = None,
    *,
    total: Optional[int] = None,
    desc: str = "",
    unit: str = "рядк.",
) -> tqdm:
    """A progress bar on stderr; silent when stderr is not a terminal (tests, cron)."""
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=None,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.3,
    )


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
