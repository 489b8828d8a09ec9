"""Billing hand-over benchmark: a month of readings as one drop file and pulled through the API.

    .venv/bin/python -m bench.billing_bench [--readings 300000] [--page 5000]
                                            [--database-url URL]

Without --database-url (which must name an empty database) it starts the
tests' throw-away PostgreSQL 15 (devtools/harness/postgres.py). The month is
made in the database itself (accounts with two meters each, last month's
billing readings, this month's readings through the assistant, 1% of them
corrected). Then `teplo billing drop` writes them as one file and the pull API,
in its own process on loopback, serves every page to a client here. Prints
wall time and peak memory of each process; the issue's target is under a
minute each with flat memory. A figure, not a test: nothing fails on a slow
run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from sqlalchemy import inspect, text

from bench.smoke import parse
from core.db.engine import make_engine
from core.db.models import Base
from devtools.harness.postgres import throwaway_postgres
from devtools.harness.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60

# Two meters per account (heat in Gcal with 3 decimals, hot water in m3 with 1).
MONTH_SQL = [
    """INSERT INTO accounts (id, number, owner_name, street, house, apartment, active)
       SELECT g, lpad(g::text, 7, '0'), 'Абонент ' || g, 'вул. Соборності',
              (g % 90 + 1)::text, (g % 120 + 1)::text, true
       FROM generate_series(1, :meters / 2) g""",
    """INSERT INTO meters (id, account_id, serial, kind, unit, decimals, location, active)
       SELECT g, (g + 1) / 2, 'M' || lpad(g::text, 8, '0'),
              CASE WHEN g % 2 = 1 THEN 'heat' ELSE 'hot_water' END,
              CASE WHEN g % 2 = 1 THEN 'Gcal' ELSE 'm3' END,
              CASE WHEN g % 2 = 1 THEN 3 ELSE 1 END, '', true
       FROM generate_series(1, :meters) g""",
    # Last month, from billing: the previous reading of every row.
    """INSERT INTO readings (meter_id, period, value, submitted_at, source, channel, sender_id,
                             in_force)
       SELECT g, '2026-10', 1000 + g % 500, TIMESTAMPTZ '2026-10-31 12:00+02', 'billing',
              'billing', '', true
       FROM generate_series(1, :meters) g""",
    # 1% first submitted a value they corrected later the same month.
    """INSERT INTO readings (meter_id, period, value, submitted_at, source, channel, sender_id,
                             in_force)
       SELECT g, '2026-11', 1001.5 + g % 500, TIMESTAMPTZ '2026-11-01 08:00+02'
              + (g % 25) * INTERVAL '1 day', 'assistant', 'telegram', 'telegram:' || g, false
       FROM generate_series(1, :meters) g WHERE g % 100 = 0""",
    """INSERT INTO readings (meter_id, period, value, submitted_at, source, channel, sender_id,
                             in_force)
       SELECT g, '2026-11', 1001.25 + g % 500 + (g % 7) * 0.125,
              TIMESTAMPTZ '2026-11-01 09:00+02' + (g % 27) * INTERVAL '1 day'
              + (g % 600) * INTERVAL '1 minute',
              'assistant', CASE WHEN g % 3 = 0 THEN 'viber' ELSE 'telegram' END,
              'telegram:' || g, true
       FROM generate_series(1, :meters) g""",
    "ANALYZE",
]


@contextlib.contextmanager
def database(url: str) -> Iterator[str]:
    if url:
        yield url
    else:
        with throwaway_postgres() as started:
            yield started


def peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), read before it ends."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_drop(url: str, folder: Path) -> tuple:
    """`teplo billing drop` as the timer runs it, in its own process: (seconds, CPU s, peak MB, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "staff",
            "--database-url",
            url,
            "billing",
            "drop",
            "--folder",
            str(folder),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = process.communicate()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(output)
    return elapsed, cpu, after.ru_maxrss / 1024, output.strip()


def make_key(url: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "staff",
            "--database-url",
            url,
            "billing",
            "keys",
            "create",
            "bench",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def pull_all(url: str, key: str, page: int, form: str) -> tuple:
    """Every page through the API process: (seconds, pages, readings, bytes, server CPU s, peak MB)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "billing_api", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        started, cpu = time.perf_counter(), cpu_seconds(server.pid)
        cursor, pages, readings, size = "", 0, 0, 0
        while True:
            request = urllib.request.Request(
                f"{base}/v1/readings?limit={page}&format={form}&cursor={cursor}",
                headers={"Authorization": f"Bearer {key}"},
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                body = response.read()
                cursor = response.headers["X-Next-Cursor"]
                more = response.headers["X-Has-More"] == "true"
            pages, size = pages + 1, size + len(body)
            if form == "json":
                readings += len(json.loads(body)["readings"])
            else:
                readings += body.count(b"\r\n") - 1
            if not more:
                break
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(server.pid) - cpu
        return elapsed, pages, readings, size, cpu, peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=300_000, help="meters = readings")
    parser.add_argument("--page", type=int, default=5000, help="readings per API page")
    parser.add_argument("--database-url", default="")
    args = parse(parser, readings=2000, page=500)
    os.environ["ASSISTANT_NOW"] = "2026-11-29T06:00:00+02:00"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"load average before: {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    lines = []
    with (
        tempfile.TemporaryDirectory(prefix="billing-bench-") as folder,
        database(args.database_url) as url,
    ):
        engine = make_engine(url)
        if inspect(engine).has_table("accounts"):
            raise SystemExit("the benchmark needs an empty database; omit --database-url")
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        with engine.begin() as connection:
            print(
                "database: PostgreSQL",
                connection.execute(text("SHOW server_version")).scalar_one(),
                flush=True,
            )
            for statement in MONTH_SQL:
                connection.execute(text(statement), {"meters": args.readings})
            taken = connection.execute(
                text("SELECT count(*) FROM readings WHERE source = 'assistant'")
            ).scalar_one()
        engine.dispose()
        print(
            f"month made: {taken} readings through the assistant "
            f"({args.readings // 100} of them corrected later) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        key = make_key(url)

        seconds, cpu, peak, output = run_drop(url, Path(folder))
        (written,) = Path(folder).glob("readings-*.csv")
        lines.append(
            f"drop file: {seconds:6.1f} s wall, {cpu:5.1f} s CPU of the job, peak memory {peak:.0f} MB, "
            f"{written.stat().st_size / 1e6:.1f} MB file  ({output.splitlines()[-1]})"
        )
        print(lines[-1], flush=True)
        for form in ("json", "csv"):
            seconds, pages, readings, size, cpu, peak = pull_all(url, key, args.page, form)
            lines.append(
                f"API pull ({form}, {args.page}/page): {seconds:6.1f} s wall, {cpu:5.1f} s CPU "
                f"of the API process, {pages} pages, {readings} readings, {size / 1e6:.1f} MB, "
                f"server peak memory {peak:.0f} MB"
            )
            print(lines[-1], flush=True)
    print("\nsummary:", *lines, sep="\n")
    print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine)")


if __name__ == "__main__":
    main()
