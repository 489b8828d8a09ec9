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
import dataclasses
import os
import platform
import time
from datetime import datetime

from sqlalchemy import insert, text

from bench.import_bench import database
from channels.outbox_sender import OutboxSender, TelegramTransport
from channels.telegram_api import TelegramApi
from core.db.engine import make_engine, unit_of_work, use_engine
from core.db.models import Account, AccountLink, Base, Meter, MeterKind
from core.outbox.config import load_outbox_config
from core.outbox.reminders import plan_reminders
from core.settings import KYIV
from tests.channels.fakes import FakeApi
from tests.support.outbox import RunningClock

SLOT_MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=KYIV)
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
                        "sender_id": f"telegram:{n}",
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


async def send(rate: float, seconds: float) -> None:
    config = dataclasses.replace(load_outbox_config(), per_second={"telegram": rate, "viber": rate})
    with FakeApi("telegram") as fake:
        api = TelegramApi("bench-token", fake.url, attempts=1)
        sender = OutboxSender(
            [TelegramTransport(api)], config, clock=RunningClock("2026-11-25T10:00:00+02:00")
        )
        stop = asyncio.Event()
        task = asyncio.create_task(sender.run(stop))
        await asyncio.sleep(3)  # warm-up: connections, first claims
        base, memory = sender.counts["sent"], [rss_mb()]
        started = time.perf_counter()
        for _ in range(int(seconds / 5)):
            await asyncio.sleep(5)
            memory.append(rss_mb())
        elapsed = time.perf_counter() - started
        sent = sender.counts["sent"] - base
        stop.set()
        await task
        await api.close()
    print(
        f"sending: {sent} messages in {elapsed:.1f} s = {sent / elapsed:.2f}/s "
        f"({100 * sent / elapsed / rate:.1f}% of the configured {rate:g}/s); "
        f"fake API saw {len(fake.sent())} sendMessage calls"
    )
    print(
        "resident memory, MB, every 5 s: " + " ".join(f"{m:.0f}" for m in memory),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--send-seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
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
        print(f"planning: {result.users} users, {result.added} reminders added in {elapsed:.2f} s")
        result, elapsed = plan(SLOT_MORNING.replace(hour=9))
        print(f"re-planning: {result.users} users, {result.added} added in {elapsed:.2f} s")
        os.environ.setdefault("OUTBOX_QUIET_START", "00:00")
        asyncio.run(send(args.rate, args.send_seconds))
        use_engine(None)
        engine.dispose()


if __name__ == "__main__":
    main()
