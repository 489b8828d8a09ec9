"""Outbox benchmark: plan reminders for N users on PostgreSQL, then send them
through the local fake Telegram API at the configured rate.

    .venv/bin/python -m bench.outbox_bench [--users 100000] [--rate 30]
                                           [--send-seconds 60] [--database-url URL]

Without --database-url (an empty database) it starts the tests' throw-away
PostgreSQL 15. Prints the planning time (target: under 10 s for 100 000
users), the re-planning time (adds nothing), and the sustained sending rate
and resident memory over the measured stretch (target: at least 90% of the
configured rate, memory flat). Sending all 100 000 at 30/s takes 55 minutes;
`--send-seconds` measures a stretch of it. Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from typing import Iterator, List, Tuple

from sqlalchemy import insert, text

from bench.import_bench import database
from bench.smoke import parse
from channels.outbox_sender import OutboxSender, TelegramTransport
from channels.telegram_api import TelegramApi
from core.db.engine import make_engine, unit_of_work, use_engine
from core.db.models import Account, AccountLink, Base, Meter, MeterKind
from core.outbox.config import load_outbox_config
from core.outbox.reminders import plan_reminders
from core.senders import qualify
from core.settings import KYIV
from devtools.harness.clock import RunningClock
from devtools.harness.messengers import FakeApi

SLOT_MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=KYIV)
PINNED_NOW = "2026-11-25T10:00:00+02:00"  # the benchmark's one time: the day of the slot
CHUNK = 10_000


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def fill(users: int) -> None:
    linked_at = datetime(2026, 11, 1, 12, tzinfo=KYIV)
    for start in range(0, users, CHUNK):
        numbers = range(start + 1, min(start + CHUNK, users) + 1)
        with unit_of_work() as session:
            session.execute(
                insert(Account),
                [
                    {"id": n, "number": f"{n:07d}", "street": "вул. Тестова", "house": "1"}
                    for n in numbers
                ],
            )
            session.execute(
                insert(Meter),
                [
                    {
                        "id": n,
                        "account_id": n,
                        "serial": f"M{n}",
                        "kind": MeterKind.heat,
                        "unit": "Gcal",
                        "decimals": 3,
                    }
                    for n in numbers
                ],
            )
            session.execute(
                insert(AccountLink),
                [
                    {
                        "channel": "telegram",
                        "sender_id": qualify("telegram", n),
                        "account_id": n,
                        "linked_at": linked_at,
                    }
                    for n in numbers
                ],
            )


def plan(now: datetime):
    started = time.perf_counter()
    with unit_of_work() as session:
        result = plan_reminders(session, now)
    return result, time.perf_counter() - started


def fake_server() -> None:
    """The fake Telegram API on its own (a separate process, so that serving it does
    not eat the sender's CPU): prints its URL, serves until stdin closes, then
    prints how many messages it received."""
    with FakeApi("telegram") as fake:
        print(fake.url, flush=True)
        sys.stdin.read()
        print(len(fake.sent()), flush=True)


@contextlib.contextmanager
def fake_process() -> Iterator[Tuple[str, List[int]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.outbox_bench", "--fake-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    received: List[int] = []
    try:
        yield process.stdout.readline().strip(), received
    finally:
        process.stdin.close()
        received.append(int(process.stdout.readline() or 0))
        process.wait(timeout=30)


async def send(url: str, rate: float, seconds: float) -> int:
    config = dataclasses.replace(load_outbox_config(), per_second={"telegram": rate, "viber": rate})
    api = TelegramApi("bench-token", url, attempts=1)
    sender = OutboxSender([TelegramTransport(api)], config, clock=RunningClock(PINNED_NOW))
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(3)  # warm-up: connections, first claims
    base, memory = sender.counts["sent"], [rss_mb()]
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(int(seconds / 5)):
        await asyncio.sleep(5)
        memory.append(rss_mb())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = sender.counts["sent"] - base
    stop.set()
    await task
    await api.close()
    print(
        f"sending: {sent} messages in {elapsed:.1f} s = {sent / elapsed:.2f}/s "
        f"({100 * sent / elapsed / rate:.1f}% of the configured {rate:g}/s); "
        f"sender CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "resident memory, MB, every 5 s: " + " ".join(f"{m:.0f}" for m in memory),
        flush=True,
    )
    return sender.counts["sent"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--send-seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--fake-server", action="store_true", help=argparse.SUPPRESS)
    args = parse(parser, users=200, send_seconds=5.0)
    # The planner and the sender at one pinned time (the sender's clock starts there too).
    os.environ.setdefault("ASSISTANT_NOW", PINNED_NOW)
    if args.fake_server:
        fake_server()
        return
    print(f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} CPU")
    with database(args.database_url) as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        use_engine(engine)
        started = time.perf_counter()
        fill(args.users)
        with engine.begin() as connection:  # fresh tables: give the planner statistics
            connection.execute(text("ANALYZE"))
        print(f"filled {args.users} accounts/meters/links in {time.perf_counter() - started:.1f} s")
        result, elapsed = plan(SLOT_MORNING)
        print(
            f"planning: {result.planned} reminders in the outbox, {result.added} added "
            f"in {elapsed:.2f} s"
        )
        result, elapsed = plan(SLOT_MORNING.replace(hour=9))
        print(
            f"re-planning: {result.planned} reminders in the outbox, {result.added} added "
            f"in {elapsed:.2f} s"
        )
        os.environ.setdefault("OUTBOX_QUIET_START", "00:00")
        with fake_process() as (url, received):
            recorded = asyncio.run(send(url, args.rate, args.send_seconds))
        print(f"recorded sent: {recorded}; the fake API received: {received[0]}")
        use_engine(None)
        engine.dispose()


if __name__ == "__main__":
    main()
