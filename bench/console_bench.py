"""Console benchmark: the month page for a period with 300,000 meters on PostgreSQL.

    .venv/bin/python -m bench.console_bench [--accounts 200000] [--meters 300000] [--runs 5] [--history 12]
                                            [--database-url URL]

Fills a throw-away PostgreSQL 15 (devtools/harness/postgres.py; or an empty
database given by URL) in SQL: accounts, meters, last month's billing readings
for every meter, this month's readings through the assistant for 60 % of the
meters (2 % corrected), refusals and misunderstood messages. Then signs in
and requests the pages over HTTP in-process (Starlette's TestClient), printing
the wall time of each. The issue's target: the month page under a second.
A figure, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from typing import Iterator

from sqlalchemy import text
from starlette.testclient import TestClient

from bench.smoke import parse
from console.app import create_app
from console.config import ConsoleConfig
from core.db.engine import make_engine, unit_of_work, use_engine
from core.db.models import Base, StaffUser
from core.passwords import hash_password
from core.reporting.month import month_figures
from core.settings import get_settings
from devtools.harness.postgres import throwaway_postgres

PERIOD, PREVIOUS = "2026-11", "2026-10"
PINNED_NOW = "2026-11-20T10:00:00+02:00"  # in PERIOD
PASSWORD = "bench-password-1"


@contextlib.contextmanager
def database(url: str) -> Iterator[str]:
    if url:
        yield url
    else:
        with throwaway_postgres() as started:
            yield started


def fill(engine, accounts: int, meters: int, history: int) -> None:
    """Synthetic data written by the database itself (generate_series): seconds, not minutes."""
    doubles = meters - accounts  # the first `doubles` accounts have two meters
    statements = [
        f"""INSERT INTO accounts (id, number, owner_name, street, house, apartment, active)
            SELECT g, lpad(g::text, 7, '0'), 'Абонент ' || g, 'вул. Тестова ' || (g % 300),
                   (g % 120)::text, (g % 90)::text, true
            FROM generate_series(1, {accounts}) g""",
        f"""INSERT INTO meters (id, account_id, serial, kind, unit, decimals, location, active)
            SELECT g,
                   CASE WHEN g <= {2 * doubles} THEN (g + 1) / 2 ELSE g - {doubles} END,
                   'M' || g,
                   CASE WHEN g % 2 = 0 THEN 'hot_water' ELSE 'heat' END,
                   CASE WHEN g % 2 = 0 THEN 'm3' ELSE 'Gcal' END, 3, '', true
            FROM generate_series(1, {meters}) g""",
        # `history` months of billing readings before this one (a year in production).
        f"""INSERT INTO readings (meter_id, period, value, submitted_at, source, channel,
                                 sender_id, in_force)
            SELECT g, to_char(DATE '2026-10-01' - (h || ' months')::interval, 'YYYY-MM'),
                   100 + g % 900 - h, DATE '2026-10-28' - (h || ' months')::interval + TIME '12:00',
                   'billing', 'billing', '', true
            FROM generate_series(1, {meters}) g, generate_series(0, {history - 1}) h""",
        # Superseded first, then the reading in force (the partial unique index allows one).
        f"""INSERT INTO readings (meter_id, period, value, submitted_at, source, channel,
                                 sender_id, in_force)
            SELECT g, '{PERIOD}', 101 + g % 900,
                   TIMESTAMPTZ '2026-11-01 07:00+02' + ((g % 20) || ' days')::interval
                       + ((g % 700) || ' minutes')::interval,
                   'assistant', CASE WHEN g % 3 = 0 THEN 'viber' ELSE 'telegram' END,
                   'u' || g, g % 50 <> 0
            FROM generate_series(1, {meters}) g WHERE g % 10 < 6""",
        f"""INSERT INTO readings (meter_id, period, value, submitted_at, source, channel,
                                 sender_id, in_force)
            SELECT g, '{PERIOD}', 102 + g % 900,
                   TIMESTAMPTZ '2026-11-02 07:00+02' + ((g % 20) || ' days')::interval,
                   'assistant', 'telegram', 'u' || g, true
            FROM generate_series(1, {meters}) g WHERE g % 10 < 6 AND g % 50 = 0""",
        """INSERT INTO conversation_events (kind, reason, channel, occurred_at)
            SELECT CASE WHEN g % 3 = 0 THEN 'fallback' ELSE 'reading_rejected' END,
                   CASE WHEN g % 3 = 0 THEN ''
                        ELSE (ARRAY['not_a_number', 'lower_than_previous', 'implausible',
                                    'too_many_decimals'])[1 + g % 4] END,
                   CASE WHEN g % 2 = 0 THEN 'viber' ELSE 'telegram' END,
                   TIMESTAMPTZ '2026-11-01 08:00+02' + ((g % 27) || ' days')::interval
            FROM generate_series(1, 40000) g""",
        "SELECT setval('accounts_id_seq', (SELECT max(id) FROM accounts))",
        "SELECT setval('meters_id_seq', (SELECT max(id) FROM meters))",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    # As autovacuum leaves a settled table: statistics, and the visibility map that lets
    # the month's counts come from the index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def timed_get(client: TestClient, path: str, runs: int) -> str:
    times, counting = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        # A month nobody has counted yet: the page says so at once and reloads itself.
        counting += 'id="counting"' in response.text
    said = f", {counting} said «рахуємо»" if counting else ""
    return (
        f"{path:<34} first {times[0] * 1000:7.0f} ms, median {statistics.median(times) * 1000:7.0f} ms,"
        f" max {max(times) * 1000:7.0f} ms ({runs} runs{said})"
    )


def until_counted(client: TestClient, path: str) -> str:
    """How long a month nobody had counted takes to appear (the page reloads every 2 s)."""
    started = time.perf_counter()
    while 'id="counting"' in client.get(path).text:
        time.sleep(0.1)
    return f"{path:<34} figures shown {time.perf_counter() - started:.1f} s after the first view"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--meters", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history", type=int, default=12, help="months of earlier readings")
    parser.add_argument("--database-url", default="")
    args = parse(parser, accounts=200, meters=300, runs=1, history=2)
    # One pinned time for the data and the pages (the month figures, «this month»).
    os.environ.setdefault("ASSISTANT_NOW", PINNED_NOW)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    with database(args.database_url) as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        use_engine(engine)
        started = time.perf_counter()
        fill(engine, args.accounts, args.meters, args.history)
        print(
            f"data: {args.accounts} accounts, {args.meters} meters, {args.history} months of "
            "history, "
            f"{time.perf_counter() - started:.1f} s to fill",
            flush=True,
        )
        with unit_of_work() as session:
            session.add(
                StaffUser(
                    username="bench",
                    full_name="",
                    password_hash=hash_password(PASSWORD),
                    role="admin",
                    active=True,
                    created_at=get_settings().now(),
                )
            )
        # The queries alone, each run from scratch (what the first visitor of a period waits for).
        for period in (PERIOD, PREVIOUS):
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                with unit_of_work() as session:
                    month_figures(session, period)
                times.append(time.perf_counter() - started)
            print(
                f"month_figures({period}) in SQL: median {statistics.median(times) * 1000:.0f} ms,"
                f" min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms",
                flush=True,
            )
        config = ConsoleConfig(secret_key="b" * 40, production=True, secure_cookies=True)
        with TestClient(create_app(config), base_url="https://bench") as client:
            page = client.get("/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            client.post(
                "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
            )
            # The first request of a period counts it (unless the start-up count is done);
            # the next ones get the kept figures.
            for path in (
                f"/month?period={PERIOD}",
                f"/month?period={PREVIOUS}",
                "/month?period=2026-06",
                "/accounts?q=0123",
                "/accounts?q=Тестова 12",
                f"/accounts/{min(4242, args.accounts)}",  # an account that exists at every size
                "/audit",
            ):
                print(timed_get(client, path, args.runs), flush=True)
                if path.startswith("/month"):
                    print(until_counted(client, path), flush=True)
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        use_engine(None)
        engine.dispose()


if __name__ == "__main__":
    main()
