"""`python -m devtools.rehearsal [--smoke] [--consumers N] [--keep]`: a month in
production, rehearsed on loopback (devtools/rehearsal/month.py says what
happens, checks.py what must hold). Prints what happened, the checks and each
process's CPU time and peak memory; exits 1 if a check fails. `make rehearsal`
is the large size, tests/deploy/test_rehearsal.py the small one (--smoke).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

from devtools.harness.messengers import FakeApi
from devtools.harness.processes import MODEL
from devtools.rehearsal import checks
from devtools.rehearsal.month import LARGE, SMALL, Month, at


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.rehearsal", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help=f"the small size ({SMALL})")
    parser.add_argument("--consumers", type=int, help="how many consumers (default: the size's)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, drops)")
    args = parser.parse_args(argv)
    size = SMALL if args.smoke or os.environ.get("BENCH_SMOKE") == "1" else LARGE
    if args.consumers:
        size = dataclasses.replace(size, consumers=args.consumers)
    if not MODEL.exists():
        print(f"no model at {MODEL}: make train", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="rehearsal-"))
    started = time.monotonic()
    print(f"rehearsal: {size}; work folder {workdir}", flush=True)
    # Imported here: they read ASSISTANT_CLOCK_FILE, which the picture sets.
    from core.db.engine import make_engine
    from devtools.rehearsal.picture import Picture

    failed = True
    with FakeApi("telegram") as telegram, FakeApi("viber") as viber:
        picture = Picture(workdir, telegram, viber)
        try:
            picture.start(at(1, 7, 0))
            print(f"picture up in {time.monotonic() - started:.0f} s", flush=True)
            engine = make_engine(picture.postgres.url)
            month = Month(picture, engine, size)
            month.day_zero()
            for day in size.days:
                month.day(day)
            month.wait_replicas()
            january = month.console_month(checks.PERIOD)
            month.after_window()
            results = checks.after_the_month(month, january)
            results.append(checks.console_figures(month, month.console_month("2027-02"), "2027-02"))
            results.append(checks.logs(month))
            failed = not all(check.ok for check in results)
            report(month, results, time.monotonic() - started)
            transcripts(month, workdir / "transcripts.txt")
            engine.dispose()
        except BaseException:
            print("\n".join(picture.post_mortem()), flush=True)
            raise
        finally:
            picture.stop()
            if args.keep or failed:
                print(f"work folder kept: {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(picture.meter.table()))
    return 1 if failed else 0


def report(month: Month, results: List[checks.Check], seconds: float) -> None:
    tally = month.tally
    print(f"\n== rehearsal: {month.size.consumers} consumers, {len(month.size.days)} days "
          f"of January 2027, {seconds:.0f} s on {os.cpu_count()} cores ({platform.node()})")  # fmt: skip
    print(
        f"turns {tally.turns}, re-delivered {tally.redelivered}, typed again {tally.retried}, "
        f"off the script {len(tally.unexpected)}"
    )
    for line in tally.unexpected[:10]:
        print(f"  off the script: {line}")
    print("\n".join(check.line() for check in results))


def transcripts(month: Month, path: Path) -> None:
    """The conversations of the consumers who met something off the script."""
    senders = {
        line.split(":", 2)[0] + ":" + line.split(":", 2)[1] for line in month.tally.unexpected
    }
    with path.open("w", encoding="utf-8") as out:
        for consumer in month.consumers:
            if consumer.person.sender_id in senders:
                out.write(f"== {consumer.person.sender_id} ({consumer.role})\n")
                out.write("\n".join(consumer.person.transcript) + "\n")


if __name__ == "__main__":
    sys.exit(main())
