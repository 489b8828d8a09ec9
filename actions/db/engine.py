"""One engine and session factory per process, created on first use.

rasa-sdk imports every module of the `actions` package at start-up, so nothing
here touches the database at import time. Each conversation turn opens its own
session (a unit of work) through `run_in_session`, in a worker thread so that
the action server's event loop never blocks on database I/O.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Callable, Optional, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from actions.settings import get_settings

T = TypeVar("T")

_lock = threading.Lock()
_engine: Optional[Engine] = None
_session_factory: Optional[sessionmaker] = None


def make_engine(url: str) -> Engine:
    """Creates an engine with settings suited to the backend."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 30}
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
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=10)


def get_engine() -> Engine:
    """The process-wide engine for `DATABASE_URL`."""
    global _engine, _session_factory
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = make_engine(get_settings().database_url)
                _session_factory = sessionmaker(_engine, future=True, expire_on_commit=False)
    return _engine


def session_factory() -> sessionmaker:
    get_engine()
    assert _session_factory is not None
    return _session_factory


def use_engine(engine: Optional[Engine]) -> None:
    """Points the process at another engine (tests), or back to lazy default."""
    global _engine, _session_factory
    with _lock:
        _engine = engine
        _session_factory = (
            sessionmaker(engine, future=True, expire_on_commit=False) if engine else None
        )


def in_session(work: Callable[[Session], T]) -> T:
    """Runs `work` in one transaction: commit on success, rollback on error."""
    with session_factory()() as session, session.begin():
        return work(session)


async def run_in_session(work: Callable[[Session], T]) -> T:
    """`in_session` on a worker thread, awaitable from the action server."""
    return await asyncio.to_thread(in_session, work)
