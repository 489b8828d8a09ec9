"""One engine and session factory per process, and the one way to a unit of work.

Nothing here touches the database at import time (rasa-sdk imports every
action module at start-up). Synchronous code (staff commands, the retraining
loop) uses `unit_of_work()`; asynchronous code (the action server, the
messenger channels) awaits `run_unit_of_work(work)`, which runs the same unit
of work in a worker thread so that the event loop never blocks on database I/O.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.faults import redact_logs
from core.settings import get_settings

T = TypeVar("T")

_lock = threading.Lock()
_engine: Optional[Engine] = None
_session_factory: Optional[sessionmaker] = None


def make_engine(url: str) -> Engine:
    """Creates an engine with settings suited to the backend.

    `hide_parameters`: a database error's message would otherwise quote the
    statement's parameters (user text, readings, names) into every log line
    and traceback that prints it.
    """
    redact_logs()
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            future=True,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets the action server read while staff tools write; with WAL,
            # synchronous=NORMAL survives application crashes and skips an fsync
            # per commit (the embedded default is for demos and small sites).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(
        url,
        future=True,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
    )


def get_engine() -> Engine:
    """The process-wide engine for `DATABASE_URL`."""
    global _engine, _session_factory
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = make_engine(get_settings().database_url)
                _session_factory = sessionmaker(_engine, future=True, expire_on_commit=False)
    return _engine


def _sessions() -> sessionmaker:
    get_engine()
    assert _session_factory is not None
    return _session_factory


def use_engine(engine: Optional[Engine]) -> None:
    """Points the process at another engine (tests, `--database-url`), or back to the default."""
    global _engine, _session_factory
    with _lock:
        _engine = engine
        _session_factory = (
            sessionmaker(engine, future=True, expire_on_commit=False) if engine else None
        )


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session in one transaction: commit on success, rollback on error.

    Loaded objects stay readable after the block (no expiry on commit), so a
    report can query inside and print outside.
    """
    with _sessions()() as session, session.begin():
        yield session


def _run(work: Callable[[Session], T]) -> T:
    with unit_of_work() as session:
        return work(session)


async def run_unit_of_work(work: Callable[[Session], T]) -> T:
    """Runs `work(session)` in one unit of work on a worker thread (awaitable)."""
    return await asyncio.to_thread(_run, work)
