"""Benchmarks that cannot rot: every bench/ script runs at its smoke size (seconds of
work plus its servers' start-up) as `make test` runs them, so a change that breaks
one fails here, not on the day somebody wants the figures again."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.cluster_bench import Run, comparison
from bench.run_bench import LoadResult
from devtools.harness.processes import MODEL, ROOT

needs_model = pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)")

# (module, marks, what its output must show)
BENCHMARKS = [
    ("bench.outbox_bench", [pytest.mark.postgres], "re-planning:"),
    ("bench.import_bench", [pytest.mark.postgres], "first import"),
    ("bench.billing_bench", [pytest.mark.postgres], "summary:"),
    ("bench.console_bench", [pytest.mark.postgres], "load average after"),
    ("bench.run_bench", [pytest.mark.e2e, needs_model], "submissions stored:"),
    ("bench.cluster_bench", [pytest.mark.cluster, needs_model], "run1-replicas-1"),
]


@pytest.mark.parametrize(
    "module, expected",
    [
        pytest.param(module, expected, marks=marks, id=module)
        for module, marks, expected in BENCHMARKS
    ],
)
def test_the_benchmark_runs_at_its_smoke_size(module, expected):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ASSISTANT_NOW", None)  # each benchmark pins its own time
    done = subprocess.run(
        [sys.executable, "-m", module, "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout[-3000:]


def result(turns_per_second: float) -> LoadResult:
    """A load of `turns_per_second` turns in one second."""
    return LoadResult("run", 1, latencies=[0.1] * round(turns_per_second * 10), seconds=10.0)


def test_runs_with_the_same_replica_count_stay_apart():
    runs = [
        Run(1, 1, result(2.0), 5, 5),
        Run(2, 2, result(3.0), 5, 5),
        Run(3, 1, result(2.2), 5, 5),
    ]
    assert [run.key for run in runs] == ["run1-replicas-1", "run2-replicas-2", "run3-replicas-1"]
    assert comparison(runs) == (
        "throughput of run 3 (1 replica(s)) vs run 1 (1 replica(s)): 1.10x "
        "(target >= 1.5x for 2 vs 1)"
    )
