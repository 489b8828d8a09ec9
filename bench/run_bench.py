"""Load benchmark: N simulated consumers each submit their readings end to end.

Starts the assistant exactly as `make serve` does (action server + Rasa server
with the REST channel) on a generated subscriber set, drives N concurrent
consumers through the whole submission, checks every submission was stored,
then runs the same load shape against Rasa's own `rasa init` starter bot as the
reference. Prints turns per second and p50/p95/p99 turn latency for both.

    make bench                      # 20 consumers, and a single consumer
    python -m bench.run_bench --consumers 50 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.smoke import parse
from core.accounts.ownership import proof_keys
from core.db.engine import make_engine
from core.db.models import Base, Reading, ReadingSource
from core.demo.seed import add_subscribers
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.settings import KYIV
from devtools.harness.stack import BIN, ROOT, running_stack

BENCH_DIR = ROOT / "var" / "bench"
REFERENCE_DIR = BENCH_DIR / "rasa-init"
FIRST_NUMBER = 5_000_001
# Inside the submission window whatever the real date is.
PINNED_NOW = "2026-11-20T10:00:00+02:00"
# The single-consumer figures come from this many submissions, one after another.
SINGLE_RUNS = 10

Script = List[str]


@dataclass
class LoadResult:
    name: str
    consumers: int
    latencies: List[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0

    def percentile_ms(self, percent: float) -> float:
        """Nearest-rank percentile of the turn latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        rank = max(1, -(-len(ordered) * percent // 100))
        return ordered[int(rank) - 1] * 1000

    def summary(self) -> str:
        return (
            f"{self.name:<28} consumers={self.consumers:<3} turns={len(self.latencies):<5} "
            f"turns/s={self.turns_per_second:7.1f}  p50={self.percentile_ms(50):6.1f} ms  "
            f"p95={self.percentile_ms(95):6.1f} ms  p99={self.percentile_ms(99):6.1f} ms  "
            f"errors={self.errors}"
        )

    @property
    def turns_per_second(self) -> float:
        return len(self.latencies) / self.seconds


async def _drive(
    url: str, scripts: Sequence[Tuple[str, Script]], name: str, one_at_a_time: bool
) -> LoadResult:
    result = LoadResult(name=name, consumers=1 if one_at_a_time else len(scripts))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:

        async def consumer(sender: str, script: Script) -> None:
            for message in script:
                started = time.perf_counter()
                async with http.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                ) as response:
                    body = await response.json()
                result.latencies.append(time.perf_counter() - started)
                if response.status != 200 or not body:
                    result.errors += 1

        started = time.perf_counter()
        if one_at_a_time:
            for sender, script in scripts:
                await consumer(sender, script)
        else:
            await asyncio.gather(*(consumer(sender, script) for sender, script in scripts))
        result.seconds = time.perf_counter() - started
    return result


def drive(
    url: str, scripts: Sequence[Tuple[str, Script]], name: str, one_at_a_time: bool = False
) -> LoadResult:
    """Runs the scripts concurrently, or one consumer after another."""
    return asyncio.run(_drive(url, scripts, name, one_at_a_time))


# --- our assistant -------------------------------------------------------------


@dataclass
class Consumer:
    sender: str
    number: str
    values: List[Decimal]
    proof: str  # the last digits of a meter's serial, as its holder would type them

    def script(self) -> Script:
        readings = [f"{value}".replace(".", ",") for value in self.values]
        return [
            "Привіт",
            "Додати особовий рахунок",
            self.number,
            self.proof,
            "так",
            "так",
            *readings,
            "Зберегти",
        ]


def prepare_database(url: str, count: int) -> Tuple[Callable[[], Session], List[Consumer]]:
    """A fresh generated subscriber set; one consumer per account with meters."""
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    now = datetime.fromisoformat(PINNED_NOW).astimezone(KYIV)
    consumers: List[Consumer] = []
    with Session(engine, future=True) as session, session.begin():
        add_subscribers(session, count * 2, FIRST_NUMBER, now, owner_prefix="Навантажувальний тест")
        for offset in range(count * 2):
            account = accounts_repo.find_account(session, f"{FIRST_NUMBER + offset:07d}")
            meters = accounts_repo.active_meters(session, account.id)
            if not meters:
                continue
            values = [readings_repo.last_reading(session, m.id).value + 1 for m in meters]
            proof = proof_keys(m.serial for m in meters)[0]
            consumers.append(Consumer(f"bench-{offset}", account.number, values, proof))
    return (lambda: Session(engine, future=True)), consumers


def stored_ok(session_factory: Callable[[], Session], consumers: Sequence[Consumer]) -> int:
    with session_factory() as session:
        stored = {
            (row.sender_id, row.value)
            for row in session.execute(
                select(Reading).where(Reading.source == ReadingSource.assistant, Reading.in_force)
            ).scalars()
        }
    return sum(all((c.sender, v) in stored for v in c.values) for c in consumers)


# --- the reference: Rasa's starter bot -----------------------------------------

REFERENCE_SCRIPT = ["hello", "I am sad", "yes", "great", "are you a bot?", "very good", "bye"]


def reference_model() -> Path:
    """`rasa init`'s assistant, trained once and kept under var/bench/."""
    models = REFERENCE_DIR / "models"
    if not any(models.glob("*.tar.gz")):
        REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
        print("training the rasa init reference (once)...", flush=True)
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(REFERENCE_DIR)],
            cwd=REFERENCE_DIR,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return max(models.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)


def reference_scripts(consumers: int, turns: int) -> List[Tuple[str, Script]]:
    script = (REFERENCE_SCRIPT * (turns // len(REFERENCE_SCRIPT) + 1))[:turns]
    return [(f"ref-{index}", script) for index in range(consumers)]


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consumers", type=int, default=20)
    parser.add_argument("--database-url", default="", help="default: a SQLite file under var/bench")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument(
        "--tracker-store",
        choices=("sql", "memory"),
        default="sql",
        help="sql: conversations in SQLite as `make serve` keeps them (default)",
    )
    args = parse(parser, list(argv) or None, consumers=2, skip_reference=True)

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{BENCH_DIR / 'bench.db'}"
    session_factory, consumers = prepare_database(url, args.consumers + SINGLE_RUNS)
    single, crowd = consumers[:SINGLE_RUNS], consumers[SINGLE_RUNS : SINGLE_RUNS + args.consumers]
    turns = round(statistics.mean(len(c.script()) for c in crowd))
    results: Dict[str, LoadResult] = {}

    env = {"DATABASE_URL": url, "ASSISTANT_NOW": PINNED_NOW}
    # As `make serve` runs it: conversations in the SQL tracker store.
    tracker_db = BENCH_DIR / "tracker.db"
    tracker_db.unlink(missing_ok=True)
    sqlite3.connect(tracker_db).execute("PRAGMA journal_mode=WAL")  # as scripts/run-stack does
    tracker_store = (
        f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{tracker_db}"\n'
        if args.tracker_store == "sql"
        else ""
    )
    with running_stack(BENCH_DIR / "assistant", env=env, endpoints_extra=tracker_store) as stack:
        drive(stack.rasa_url, [("warm-up", ["Привіт", "до якого числа?"])], "warm-up")
        results["single"] = drive(
            stack.rasa_url,
            [(c.sender, c.script()) for c in single],
            "assistant, 1 consumer",
            one_at_a_time=True,
        )
        results["crowd"] = drive(
            stack.rasa_url,
            [(c.sender, c.script()) for c in crowd],
            f"assistant, {len(crowd)} consumers",
        )
    stored = stored_ok(session_factory, single + crowd)

    if not args.skip_reference:
        with running_stack(BENCH_DIR / "reference", model=reference_model()) as stack:
            drive(stack.rasa_url, [("warm-up", ["hello"])], "warm-up")
            results["ref-single"] = drive(
                stack.rasa_url,
                reference_scripts(SINGLE_RUNS, turns),
                "rasa init, 1 consumer",
                one_at_a_time=True,
            )
            results["ref-crowd"] = drive(
                stack.rasa_url,
                reference_scripts(len(crowd), turns),
                f"rasa init, {len(crowd)} consumers",
            )

    print(
        f"\nBenchmark {datetime.now(KYIV):%Y-%m-%d %H:%M %Z}, database {url.split(':')[0]}, "
        f"{turns} turns per consumer"
    )
    for result in results.values():
        print(result.summary())
    print(f"submissions stored: {stored} of {len(single) + len(crowd)}")
    ok = stored == len(single) + len(crowd) and not any(r.errors for r in results.values())
    if "ref-crowd" in results:
        ratio = results["crowd"].turns_per_second / results["ref-crowd"].turns_per_second
        print(f"throughput vs rasa init: {ratio:.2f}x (target >= 0.8x)")
    print(f"single consumer p95: {results['single'].percentile_ms(95):.1f} ms (target <= 100 ms)")
    print(json.dumps({k: round(v.turns_per_second, 2) for k, v in results.items()}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
