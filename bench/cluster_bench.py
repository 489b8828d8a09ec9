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
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Sequence

from bench.run_bench import PINNED_NOW, LoadResult, drive, prepare_database, stored_ok
from core.settings import KYIV
from devtools.harness.cluster import running_cluster
from devtools.harness.postgres import Postgres


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consumers", type=int, default=20)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(list(argv) or None)

    root = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    postgres = Postgres(Path(tempfile.mkdtemp(prefix="cluster-bench-pg-")))
    results: Dict[int, LoadResult] = {}
    stored: Dict[int, str] = {}
    try:
        postgres.create()
        for replicas in args.replicas:
            session_factory, consumers = prepare_database(postgres.url, args.consumers)
            consumers = consumers[: args.consumers]
            for consumer in consumers:  # conversations of earlier runs stay in the tracker
                consumer.sender = f"r{replicas}-{consumer.sender}"
            print(f"starting {replicas} replica(s) ...", flush=True)
            with running_cluster(
                root / f"replicas-{replicas}",
                replicas=replicas,
                database_url=postgres.url,
                env={"ASSISTANT_NOW": PINNED_NOW},
            ) as cluster:
                # Every replica loads its graph on the first message: warm each one.
                for index, url in enumerate(cluster.replica_urls()):
                    drive(
                        url,
                        [(f"warm-up-{replicas}-{index}", ["Привіт", "до якого числа?"])],
                        "warm",
                    )
                results[replicas] = drive(
                    cluster.url,
                    [(c.sender, c.script()) for c in consumers],
                    f"{replicas} replica(s), {len(consumers)} consumers",
                )
            stored[replicas] = f"{stored_ok(session_factory, consumers)} of {len(consumers)}"
    finally:
        try:
            postgres.stop()
        except Exception:
            pass
        shutil.rmtree(postgres.root, ignore_errors=True)

    print(f"\nCluster benchmark {datetime.now(KYIV):%Y-%m-%d %H:%M %Z}, nginx -> Rasa replicas")
    for replicas, result in results.items():
        print(f"{result.summary()}  stored {stored[replicas]}")
    rates: List[float] = [results[r].turns_per_second for r in args.replicas if r in results]
    if len(rates) >= 2:
        print(
            f"throughput {args.replicas[-1]} vs {args.replicas[0]} replica(s): "
            f"{rates[-1] / rates[0]:.2f}x (target >= 1.5x)"
        )
    print(json.dumps({f"replicas-{r}": round(v.turns_per_second, 2) for r, v in results.items()}))
    ok = all(s.split()[0] == s.split()[-1] for s in stored.values())
    ok = ok and not any(r.errors for r in results.values())
    if ok:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"servers' logs kept in {root}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
