"""The harness never gives one loopback port to two servers of a parallel test run
(a server that lost the race would fail to bind while the winner answered its
health check)."""

from __future__ import annotations

import multiprocessing
import os
import time

from devtools.harness import processes
from devtools.harness.processes import free_port


def _ports(count: int) -> list:
    return [free_port() for _ in range(count)]


def test_parallel_callers_never_get_the_same_port():
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        first, second = pool.map(_ports, [150, 150])
    assert len(set(first) | set(second)) == 300


def test_a_port_given_once_is_not_given_again_until_its_reservation_expires(monkeypatch, tmp_path):
    monkeypatch.setattr(processes, "RESERVED_PORTS", tmp_path)
    offered = iter([40001, 40001, 40003, 40001, 40001])
    monkeypatch.setattr(processes, "unbound_port", lambda: next(offered))
    assert free_port() == 40001
    assert free_port() == 40003  # the OS offered 40001 again: still reserved
    stale = time.time() - processes.RESERVATION_SECONDS - 60
    os.utime(tmp_path / "40001", (stale, stale))
    assert free_port() == 40001  # an old run's reservation is cleared, then taken
