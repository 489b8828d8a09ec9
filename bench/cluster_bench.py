"""Scale-out benchmark: the same load through nginx against 1 and then 2 Rasa
replicas (Redis lock store, PostgreSQL for everything), in one run.

Each run gets a fresh generated subscriber set in the same throw-away
PostgreSQL; N simulated consumers go through the whole submission over the
REST channel (development routes of the proxy). Prints turns/s and latency
percentiles of both, the ratio, and whether every submission was stored.

    make bench                                    # part of it
    python -m bench.cluster_bench --consumers 20 --replicas 1 2
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import List, Sequence

from bench.run_bench import PINNED_NOW, LoadResult, drive, prepare_database, stored_ok
from bench.smoke import parse
from core.settings import KYIV
from devtools.harness.cluster import running_cluster
from devtools.harness.postgres import Postgres


@dataclass
class Run:
    number: int
    replicas: int
    result: LoadResult
    stored: int
    consumers: int

    @property
    def key(self) -> str:
        return f"run{self.number}-replicas-{self.replicas}"


def comparison(runs: List[Run]) -> str:
    """The last run against the first, each named by its place and its replicas."""
    if len(runs) < 2:
        return "one run: nothing to compare"
    first, last = runs[0], runs[-1]
    ratio = last.result.turns_per_second / first.result.turns_per_second
    return (
        f"throughput of run {last.number} ({last.replicas} replica(s)) vs run {first.number} "
        f"({first.replicas} replica(s)): {ratio:.2f}x (target >= 1.5x for 2 vs 1)"
    )


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consumers", type=int, default=20)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    args = parse(parser, list(argv) or None, consumers=2, replicas=[1])

    root = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    postgres = Postgres(Path(tempfile.mkdtemp(prefix="cluster-bench-pg-")))
    # One entry per run, in order: `--replicas 1 2 1` is three runs, not two.
    runs: List[Run] = []
    try:
        postgres.create()
        for number, replicas in enumerate(args.replicas, 1):
            session_factory, consumers = prepare_database(postgres.url, args.consumers)
            consumers = consumers[: args.consumers]
            for consumer in consumers:  # conversations of earlier runs stay in the tracker
                consumer.sender = f"run{number}-{consumer.sender}"
            print(f"starting {replicas} replica(s) ...", flush=True)
            with running_cluster(
                root / f"run{number}-replicas-{replicas}",
                replicas=replicas,
                database_url=postgres.url,
                env={"ASSISTANT_NOW": PINNED_NOW},
            ) as cluster:
                # Every replica loads its graph on the first message: warm each one.
                for index, url in enumerate(cluster.replica_urls()):
                    drive(
                        url,
                        [(f"warm-up-{number}-{index}", ["Привіт", "до якого числа?"])],
                        "warm",
                    )
                result = drive(
                    cluster.url,
                    [(c.sender, c.script()) for c in consumers],
                    f"run {number}: {replicas} replica(s), {len(consumers)} consumers",
                )
            runs.append(
                Run(number, replicas, result, stored_ok(session_factory, consumers), len(consumers))
            )
    finally:
        try:
            postgres.stop()
        except Exception:
            pass
        shutil.rmtree(postgres.root, ignore_errors=True)

    print(f"\nCluster benchmark {datetime.now(KYIV):%Y-%m-%d %H:%M %Z}, nginx -> Rasa replicas")
    for run in runs:
        print(f"{run.result.summary()}  stored {run.stored} of {run.consumers}")
    print(comparison(runs))
    print(json.dumps({run.key: round(run.result.turns_per_second, 2) for run in runs}))
    ok = bool(runs) and all(run.stored == run.consumers and not run.result.errors for run in runs)
    if ok:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"servers' logs kept in {root}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
