"""`python -m staff.scheduler deploy/timers.yml [--skip NAME]`: the timers of
deploy/timers.yml in one long-running process (compose's `scheduler` service;
systemd and Kubernetes run the same commands as timers and CronJobs).

Every minute of the business clock (`Settings.now()`, Europe/Kyiv) it starts the
commands whose `cron` matches, one after another, each in its own process, and
logs how each ended; a failed run is logged and retried at its next time. Runs
missed within the last day (a long run, a suspended machine) are made up once
each, as systemd's `Persistent=true` timers do.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import List, Optional, Sequence, Set

import yaml

from core import preflight
from core.settings import get_settings, wall_clock

logger = logging.getLogger(__name__)


def _field(spec: str, low: int, high: int) -> Set[int]:
    """One cron field: `*`, `*/N`, `A`, `A-B`, lists of them."""
    values: Set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, raw_step = part.split("/")
            step = int(raw_step)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            start, end = (int(x) for x in part.split("-"))
        else:
            start = end = int(part)
        values.update(range(start, end + 1, step))
    return values


@dataclass(frozen=True)
class Timer:
    name: str
    minutes: Set[int]
    hours: Set[int]
    command: List[str]

    def due(self, moment: datetime) -> bool:
        return moment.minute in self.minutes and moment.hour in self.hours


def load_timers(path: Path, skip: Sequence[str] = ()) -> List[Timer]:
    """The timers of the file; day, month and weekday fields must be `*`."""
    timers: List[Timer] = []
    for name, spec in yaml.safe_load(path.read_text(encoding="utf-8")).items():
        minute, hour, *rest = spec["cron"].split()
        if rest != ["*", "*", "*"]:
            raise ValueError(f"{name}: only minute and hour may be set ({spec['cron']})")
        if name not in skip:
            timers.append(Timer(name, _field(minute, 0, 59), _field(hour, 0, 23), spec["command"]))
    return timers


def run_due(timers: Sequence[Timer], moment: datetime) -> List[str]:
    """Runs the timers due at `moment` (one after another); returns their names."""
    return run_timers([timer for timer in timers if timer.due(moment)])


def due_between(timers: Sequence[Timer], after: datetime, until: datetime) -> List[Timer]:
    """The timers due at any minute in (`after`, `until`], each once, in file order:
    missed runs are made up once, as systemd's `Persistent=true` does (an hourly
    drop missed for a night runs once, not once per hour missed)."""
    due: List[Timer] = []
    moment = after + timedelta(minutes=1)
    while moment <= until and len(due) < len(timers):
        due += [timer for timer in timers if timer.due(moment) and timer not in due]
        moment += timedelta(minutes=1)
    return [timer for timer in timers if timer in due]


def run_timers(timers: Sequence[Timer]) -> List[str]:
    ran = []
    for timer in timers:
        started = wall_clock()
        result = subprocess.run(timer.command, check=False)
        seconds = (wall_clock() - started).total_seconds()
        log = logger.info if result.returncode == 0 else logger.error
        log("timer %s: exit %d in %.1f s", timer.name, result.returncode, seconds)
        ran.append(timer.name)
    return ran


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m staff.scheduler", description=__doc__)
    parser.add_argument("timers", type=Path)
    parser.add_argument("--skip", action="append", default=[], help="a timer run elsewhere")
    parser.add_argument(
        "--tick", type=float, default=5.0, help="seconds between two looks at the clock"
    )
    args = parser.parse_args(argv)
    preflight.start("teplo")
    timers = load_timers(args.timers, args.skip)
    logger.info("scheduler: %s", ", ".join(t.name for t in timers))
    last: Optional[datetime] = None
    while True:
        now = get_settings().now().replace(second=0, microsecond=0)
        if last is None or not last < now <= last + timedelta(days=1):
            # The first look, or a day or more away (or the clock set back): start afresh.
            if last is None or now > last:
                run_due(timers, now)
            last = now
        else:
            # Minutes missed (a long run, a suspended machine) are made up once.
            run_timers(due_between(timers, last, now))
            last = now
        time.sleep(args.tick)


if __name__ == "__main__":
    raise SystemExit(main())
