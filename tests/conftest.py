"""Shared fixtures: a fresh database per test, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from core.db import engine as db_engine
from core.db.models import Base
from core.settings import get_settings
from devtools.harness.postgres import available, throwaway_postgres
from tests.support.clock import TEST_NOW, pin_process_clock, pinned_now
from tests.support.db import empty_all_tables
from tests.support.staff import Outcome, run_cli

# Before any fixture of any scope: seeding, stacks and clusters all see TEST_NOW.
pin_process_clock()

# A fixture a test uses -> the mark it gets (pytest.ini says what each mark means).
# Modules that start servers say so with `pytestmark` as well; these catch the rest.
MARK_OF_FIXTURE = {
    "postgres_url": "postgres",
    "postgres_schema": "postgres",
    "stack": "e2e",
    "sqlite_stack": "e2e",
    "postgres_stack": "e2e",
    "cluster": "cluster",
    "redis_server": "cluster",
    "browser": "browser",
}


# First: xdist's worker reads the xdist_group marks in its own hook of this name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Marks what starts a server, so `make check` can leave it out (pytest.ini),
    and groups and orders the server tests for `make test`'s two workers."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, mark in MARK_OF_FIXTURE.items():
            if fixture in names:
                item.add_marker(mark)
        # `engine`, `empty`, ... parametrised over the backends: the PostgreSQL half.
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker("postgres")
        group = server_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    # Longest first: xdist hands a worker its next group when it runs dry
    # (`--dist loadgroup --no-loadscope-reorder`), so the two finish close together.
    items.sort(key=lambda item: -group_weight(item))


# A server costs a start-up of tens of seconds: every test that uses one runs on
# the worker that started it. The shared stacks are one group each; any other
# server is its module's (module-scoped fixtures: the cluster, the rehearsal, ...).
SERVER_MARKS = ("e2e", "cluster", "browser", "training", "guard")
SHARED_STACKS = {"sqlite_stack": "stack-sqlite", "postgres_stack": "stack-postgresql"}
# Measured seconds of each group in a run (docs/testing.md), to order the queue.
GROUP_WEIGHT = {
    "stack-sqlite": 600,
    "tests/deploy/test_rehearsal.py": 240,
    "tests/retrain/test_gate.py": 200,
    "tests/deploy/test_cluster_faults.py": 180,
    "tests/test_wall_clock_guard.py": 150,
    "stack-postgresql": 120,
    "tests/retrain/test_inbox_and_reload.py": 100,
    "tests/e2e/test_logs_hold_nothing_personal.py": 90,
    "tests/bench/test_bench_smoke.py": 90,
}
DEFAULT_SERVER_WEIGHT = 30


def server_group(item: pytest.Item) -> Optional[str]:
    """The xdist group of a test that needs a server; None for the rest."""
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("stack") if callspec is not None else None
    if "postgres_stack" in names or backend == "postgresql":
        return SHARED_STACKS["postgres_stack"]
    if "sqlite_stack" in names or backend == "sqlite":
        return SHARED_STACKS["sqlite_stack"]
    if any(item.get_closest_marker(mark) for mark in SERVER_MARKS):
        return item.nodeid.split("::")[0]
    return None


def group_weight(item: pytest.Item) -> int:
    group = server_group(item)
    if group is None:
        return 0
    return GROUP_WEIGHT.get(group, DEFAULT_SERVER_WEIGHT)


# TEST_WALL_CLOCK moves the machine's clock for a session (the guard,
# tests/test_wall_clock_guard.py, runs part of the suite so); one reproducible
# hypothesis profile for the property-based tests.
pytest_plugins = ["tests.support.wall_clock", "tests.support.properties"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not available():
        pytest.fail("PostgreSQL 15 binaries not found; `make test` installs them")
    with throwaway_postgres() as url:
        yield url


# The unit tests' own database on the throw-away server: the tests that drop and
# rebuild a schema (migrations, the stacks) use the server's `postgres` database.
UNIT_DATABASE = "unit_tests"


@pytest.fixture(scope="session")
def postgres_schema(postgres_url) -> Iterator[str]:
    """The models' schema, created once per session; `engine` empties it per test."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{UNIT_DATABASE}"'))
    admin.dispose()
    url = make_url(postgres_url).set(database=UNIT_DATABASE).render_as_string(hide_password=False)
    engine = db_engine.make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[Engine]:
    """An empty schema on each backend, made the action server's engine."""
    if request.param == "sqlite":
        engine = db_engine.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        Base.metadata.create_all(engine)
    else:
        engine = db_engine.make_engine(request.getfixturevalue("postgres_schema"))
        empty_all_tables(engine)
    db_engine.use_engine(engine)
    yield engine
    db_engine.use_engine(None)
    engine.dispose()


# One real Rasa stack per backend per session (tests/support/shared_stack.py): the
# e2e, channel and forget-me modules share it; each module `reseed()`s what it needs.
@pytest.fixture(scope="session")
def sqlite_stack(tmp_path_factory):
    from devtools.harness.processes import MODEL
    from tests.support.shared_stack import shared_stack

    if not MODEL.exists():
        pytest.skip("train the model first (make train)")
    with shared_stack(tmp_path_factory.mktemp("stack-sqlite")) as stack:
        yield stack


@pytest.fixture(scope="session")
def postgres_stack(tmp_path_factory, postgres_url):
    from devtools.harness.processes import MODEL
    from tests.support.shared_stack import shared_stack

    if not MODEL.exists():
        pytest.skip("train the model first (make train)")
    with shared_stack(tmp_path_factory.mktemp("stack-postgresql"), postgres_url) as stack:
        yield stack


@pytest.fixture
def staff(capsys) -> Callable[..., Outcome]:
    """Runs `teplo ARGS` in this process, on the test's engine (tests/support/staff.py)."""
    return lambda *argv: run_cli(capsys, *argv)


@pytest.fixture
def seeded(engine, now) -> None:
    """The demo subscribers (accounts 0100001..0100036) with six months of history."""
    from core.demo.seed import seed_demo
    from tests.support.db import in_session

    in_session(lambda s: seed_demo(s, now))


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, future=True) as session:
        yield session


@pytest.fixture(scope="session")
def shared_attachments_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch, shared_attachments_dir) -> Iterator[None]:
    """Every test runs at TEST_NOW unless it sets ASSISTANT_NOW itself, and keeps
    the files consumers send out of the project's var/."""
    monkeypatch.setenv("ASSISTANT_NOW", TEST_NOW)
    monkeypatch.setenv("ATTACHMENTS_DIR", str(shared_attachments_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def now() -> datetime:
    return pinned_now()
