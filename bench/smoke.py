"""The smoke size of a benchmark: the same code path in seconds, so that a change
which breaks a benchmark fails `make test` (tests/bench/test_bench_smoke.py)."""

from __future__ import annotations

import argparse
import os
from typing import Any, Optional, Sequence


def parse(parser: argparse.ArgumentParser, argv: Optional[Sequence[str]] = None, **smoke: Any):
    """Parses `argv`; with --smoke (or BENCH_SMOKE=1) the `smoke` sizes replace the
    defaults and any sizes given."""
    sizes = ", ".join(f"{name.replace('_', '-')} {value}" for name, value in smoke.items())
    parser.add_argument("--smoke", action="store_true", help=f"a seconds-long run: {sizes}")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.smoke or os.environ.get("BENCH_SMOKE") == "1":
        for name, value in smoke.items():
            setattr(args, name, value)
    return args
