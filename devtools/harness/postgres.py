"""A throw-away PostgreSQL 15: its own temporary directory, a free loopback port,
removed afterwards; it can be stopped and started again on the same port and data
(the fault tests restart it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List

from devtools.harness.processes import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "initdb").exists()


class Postgres:
    """A server in `root` (its own directory: as root the server runs as the
    "postgres" user, who may not enter the caller's private directories)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: List[str], check: bool = True) -> None:
        # initdb refuses to run as root; as root the server runs as "postgres".
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def create(self) -> None:
        """initdb, then start."""
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
        self.start()

    def start(self) -> None:
        # Durability off: the data is thrown away anyway, and writes are the slow part.
        self._run(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-o",
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off",
                "start",
            ]
        )

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], check)

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def destroy(self) -> None:
        """Stops the server (if up) and removes its directory."""
        self.stop("immediate", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Starts a server and yields an SQLAlchemy URL to its `postgres` database."""
    server = Postgres(Path(tempfile.mkdtemp(prefix="pg-test-")))
    try:
        server.create()
        yield server.url
    finally:
        server.destroy()
