"""CPU time and peak memory of each process of the picture, from /proc (no psutil
here): a thread looks at every watched process and its descendants every
second, so a process that is killed or restarted mid-month still counts with
what it used until then."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


@dataclass
class Usage:
    cpu_seconds: Dict[int, float] = field(
        default_factory=dict
    )  # pid -> its own and reaped children's
    peak_kib: int = 0  # the largest peak resident size of any one of its processes
    roots: set = field(default_factory=set)  # the pids it had (a restart makes another)

    @property
    def cpu(self) -> float:
        return sum(self.cpu_seconds.values())


def _stat(pid: int) -> Optional[Tuple[int, float]]:
    """(parent pid, CPU seconds of the process and its reaped children)."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / TICKS


def _peak_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int, parents: Dict[int, int]) -> Iterator[int]:
    yield root
    for pid, parent in parents.items():
        if parent == root:
            yield from _tree(pid, parents)


class Meter:
    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.watched: Dict[str, Callable[[], Optional[int]]] = {}
        self.usage: Dict[str, Usage] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()

    def watch(self, name: str, pid: Callable[[], Optional[int]]) -> None:
        """`pid()` names the process now (it changes when the process is restarted)."""
        with self._lock:
            self.watched[name] = pid
            self.usage.setdefault(name, Usage())

    def start(self) -> None:
        self._thread.start()

    def sample(self) -> None:
        stats = {}
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    stats[int(entry.name)] = stat
        parents = {pid: parent for pid, (parent, _) in stats.items()}
        with self._lock:
            for name, pid_of in self.watched.items():
                root = pid_of()
                if root is None or root not in stats:
                    continue
                usage = self.usage[name]
                usage.roots.add(root)
                # A child that ended was reaped: its time is in its parent's now.
                for pid in [
                    p for p in usage.cpu_seconds if p not in stats and p not in usage.roots
                ]:
                    del usage.cpu_seconds[pid]
                for pid in _tree(root, parents):
                    if pid in stats:
                        usage.cpu_seconds[pid] = stats[pid][1]
                        usage.peak_kib = max(usage.peak_kib, _peak_kib(pid))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.sample()
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def table(self) -> List[str]:
        lines = [f"{'process':<12} {'CPU s':>8} {'peak MiB':>9}"]
        with self._lock:
            for name, usage in self.usage.items():
                lines.append(f"{name:<12} {usage.cpu:>8.1f} {usage.peak_kib / 1024:>9.0f}")
        return lines
