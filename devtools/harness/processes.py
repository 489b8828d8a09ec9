"""Ports and processes: a free loopback port, waiting for a server, stopping one."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
