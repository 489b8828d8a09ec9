"""Ports and processes: a free loopback port, waiting for a server, stopping one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"


def unbound_port() -> int:
    """A port the OS says nothing is bound to right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Ports handed out, one file each, shared by every process of the test run: a
# port stays free for a while after we pick it (a Rasa replica takes a minute
# to bind), and without a reservation a parallel test could pick it too, bind
# first and answer our health check in place of a server that failed to start.
RESERVED_PORTS = Path(tempfile.gettempdir()) / f"harness-ports-{os.getuid()}"
RESERVATION_SECONDS = 900


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1, that no other caller of
    ours (in any process) has been given in the last RESERVATION_SECONDS."""
    RESERVED_PORTS.mkdir(mode=0o700, exist_ok=True)
    while True:
        port = unbound_port()
        mark = RESERVED_PORTS / str(port)
        try:
            os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return port
        except FileExistsError:
            try:
                if time.time() - mark.stat().st_mtime > RESERVATION_SECONDS:
                    mark.unlink()  # an old run's: free to take again (the next turn)
            except FileNotFoundError:
                pass


def wait_for_http(
    url: str,
    timeout: float,
    process: Optional[subprocess.Popen] = None,
    log: Optional[Path] = None,
) -> None:
    """Until `url` answers; fails early if `process` exits (with the end of `log`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = f"; log:\n{log.read_text()[-3000:]}" if log is not None else ""
            raise RuntimeError(f"process for {url} exited with {process.returncode}{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    tail = f"; log:\n{log.read_text()[-3000:]}" if log is not None else ""
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s{tail}")


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open within {timeout:.0f} s")


def stop_process(process: Optional[subprocess.Popen], timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
