"""`make serve-cluster`: the production picture on loopback (devtools/harness/cluster.py).

    .venv/bin/python -m scripts.cluster --replicas 2 [--workdir DIR]

PostgreSQL is a throw-away server unless DATABASE_URL is given (then the
assistant's tables and the conversations go there). Ctrl+C stops everything.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from devtools.harness.cluster import running_cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", 2)))
    parser.add_argument("--action-servers", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="logs and data (default: a temporary one)")
    parser.add_argument(
        "--credentials", type=Path, help="channels (default: REST only, development)"
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or None
    if database_url and not database_url.startswith("postgresql"):
        parser.error("DATABASE_URL must be PostgreSQL for the cluster (replicas share it)")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    print(f"starting {args.replicas} Rasa replica(s); about a minute ...", flush=True)
    with running_cluster(
        args.workdir,
        args.replicas,
        args.action_servers,
        database_url,
        args.credentials,
    ) as cluster:
        print(f"proxy (nginx):   {cluster.url}  (webhooks; REST in development)")
        for url in cluster.replica_urls():
            print(f"Rasa replica:    {url}")
        print(f"PostgreSQL:      {cluster.database_url}")
        print(f"Redis:           127.0.0.1:{cluster.redis.port}")
        print(f"logs:            {cluster.workdir}/logs   (Ctrl+C stops everything)", flush=True)
        try:
            while not stopping:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        print("stopping ...", flush=True)


if __name__ == "__main__":
    main()
