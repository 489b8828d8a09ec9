"""Import benchmark: a synthetic billing export at full scale into PostgreSQL.

    .venv/bin/python -m bench.import_bench [--accounts 200000] [--meters 300000]
                                           [--database-url URL]

Without --database-url (which must name an empty database) it starts the
tests' throw-away PostgreSQL 15 (devtools/harness/postgres.py). Prints the time
of each step, the machine's load and peak memory; the issue's target
is the first import under 2 minutes. A figure, not a test: timings depend on
the machine, so nothing here fails on a slow run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import random
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator, List

from sqlalchemy import func, inspect, select, text

from bench.smoke import parse
from core.db.engine import make_engine, use_engine
from core.db.models import Account, Base, Meter, Reading
from devtools.harness.postgres import throwaway_postgres
from staff.cli import main as staff

TARGET_SECONDS = 120


@contextlib.contextmanager
def database(url: str) -> Iterator[str]:
    if url:
        yield url
    else:
        with throwaway_postgres() as started:
            yield started


def timed(label: str, step: Callable[[], int], results: List[str]) -> float:
    """Wall time of a step; the tool's own CPU time beside it shows what other load cost."""
    started, cpu = time.perf_counter(), time.process_time()
    code = step()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    results.append(f"{label:<56} {elapsed:6.1f} s wall {cpu:6.1f} s CPU  (exit {code})")
    print(results[-1], flush=True)
    return elapsed


def changed_copy(source: Path, target: Path, seed: int = 7) -> None:
    """The next month's export: 1% of accounts gone, 10% renamed, all readings a month on."""
    rng = random.Random(seed)
    with (
        open(source, encoding="cp1251", newline="") as src,
        open(target, "w", encoding="cp1251", newline="") as dst,
    ):
        reader, writer = (
            csv.reader(src, delimiter=";"),
            csv.writer(dst, delimiter=";", lineterminator="\r\n"),
        )
        writer.writerow(next(reader))
        fate = {}  # account number -> "keep", "drop" or "rename", decided once per account
        for row in reader:
            number = row[0]
            if number not in fate:
                draw = rng.random()
                fate[number] = "drop" if draw < 0.01 else "rename" if draw < 0.11 else "keep"
            if fate[number] == "drop":
                continue
            if fate[number] == "rename":
                row[1] = "Нове-Прізвище " + row[1]
            if row[8]:
                used = Decimal(900) if row[7] == "kWh" else Decimal("1.250")
                row[8] = str(Decimal(row[8].replace(",", ".")) + used).replace(".", ",")
                row[9] = "30.11.2026"
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--meters", type=int, default=300_000)
    parser.add_argument("--database-url", default="")
    args = parse(parser, accounts=200, meters=300)
    # The modified file dates its readings 30.11.2026; pin the clock after that.
    os.environ["ASSISTANT_NOW"] = "2026-12-05T10:00:00+02:00"

    results: List[str] = []
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"load average before: {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="import-bench-") as folder,
        database(args.database_url) as url,
    ):
        engine = make_engine(url)
        if inspect(engine).has_table("accounts"):
            # Never benchmark into a database that holds anything: the run adds 1.1M rows.
            raise SystemExit(
                "the benchmark needs an empty database; omit --database-url "
                "to use a throw-away PostgreSQL"
            )
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                version = connection.execute(text("SHOW server_version")).scalar_one()
                print(f"database: PostgreSQL {version}", flush=True)
        Base.metadata.create_all(engine)
        use_engine(engine)
        first, second = Path(folder) / "billing.csv", Path(folder) / "billing-next.csv"

        timed(
            f"generate {args.accounts} accounts / {args.meters} meters (cp1251)",
            lambda: staff(
                [
                    "billing",
                    "generate",
                    str(first),
                    "--accounts",
                    str(args.accounts),
                    "--meters",
                    str(args.meters),
                    "--reading-date",
                    "31.10.2026",
                ]
            ),
            results,
        )
        print(f"file size: {first.stat().st_size / 1e6:.1f} MB", flush=True)
        initial = timed(
            "import into an empty database",
            lambda: staff(["billing", "import", str(first)]),
            results,
        )
        timed(
            "re-import of the same file (no changes)",
            lambda: staff(["billing", "import", str(first)]),
            results,
        )
        changed_copy(first, second)
        timed(
            "next month --full (1% gone, 10% renamed, new readings)",
            lambda: staff(["billing", "import", str(second), "--full"]),
            results,
        )
        with engine.connect() as connection:
            counts = [
                connection.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Account, Meter, Reading)
            ]
        print("rows now: accounts {}, meters {}, readings {}".format(*counts))
        use_engine(None)
        engine.dispose()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "\n".join(
            [
                "",
                "summary:",
                *results,
                f"peak memory of this process: {peak:.0f} MB",
                f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine)",
            ]
        )
    )
    verdict = "within" if initial < TARGET_SECONDS else "OVER"
    print(f"first import {initial:.1f} s: {verdict} the {TARGET_SECONDS} s target")


if __name__ == "__main__":
    main()
