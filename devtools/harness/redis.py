"""redis-server on a loopback port, without persistence (locks only)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Optional

from devtools.harness.processes import free_port, stop_process, wait_for_port


class Redis:
    """Its own directory and port; `restart` keeps the port (clients reconnect)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=(self.root / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, 20)

    def stop(self) -> None:
        stop_process(self.process)

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()
