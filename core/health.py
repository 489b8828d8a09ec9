"""Is this process able to serve? Its database answers, and Redis when the
conversation lock store is Redis (docs/monitoring.md).

Each server wires `check()` to `GET /health` through its own framework: 200 with
`{"status": "ok", "database": "ok", "redis": "ok" | "not used"}`, or 503 with
what failed. Answers name the exception type only, never a message: a driver's
message may carry host names, user names or SQL.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db.engine import run_unit_of_work

logger = logging.getLogger(__name__)

DATABASE_TIMEOUT = 3.0  # seconds for the whole check, connecting included
REDIS_TIMEOUT = 2.0
OK, NOT_USED = "ok", "not used"

# One database check at a time per process: while the database hangs (a host
# that drops packets), later checks wait for the one under way instead of
# taking more worker threads from the ones conversations need.
_running: Dict[int, "asyncio.Future[None]"] = {}


@dataclass(frozen=True)
class Health:
    database: str
    redis: str

    @property
    def ok(self) -> bool:
        return self.database == OK and self.redis in (OK, NOT_USED)

    @property
    def status_code(self) -> int:
        return 200 if self.ok else 503

    def as_dict(self) -> Dict[str, str]:
        return {
            "status": "ok" if self.ok else "failing",
            "database": self.database,
            "redis": self.redis,
        }

    def body(self) -> bytes:
        return json.dumps(self.as_dict()).encode()


def _select_one(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL statement_timeout = 2000"))
    session.execute(text("SELECT 1"))


async def database_status(timeout: float = DATABASE_TIMEOUT) -> str:
    """ "ok", "timeout" or "error: <exception type>" for `SELECT 1` in a unit of work."""
    loop = asyncio.get_running_loop()
    running = _running.get(id(loop))
    if running is None or running.done():
        running = _running[id(loop)] = asyncio.ensure_future(run_unit_of_work(_select_one))
        # A check that outlives its caller's timeout still has its outcome read.
        running.add_done_callback(lambda done: done.cancelled() or done.exception())
    try:
        await asyncio.wait_for(asyncio.shield(running), timeout)
    except asyncio.TimeoutError:
        logger.warning("health: the database did not answer within %.0f s", timeout)
        return "timeout"
    except Exception as error:  # noqa: BLE001 - any failure is an answer here
        logger.warning("health: the database check failed: %s", type(error).__name__)
        return f"error: {type(error).__name__}"
    return OK


async def redis_status(ping: Callable[[], Any], timeout: float = REDIS_TIMEOUT) -> str:
    """ "ok", "timeout" or "error: <exception type>" for `ping()` (blocking, run in a thread)."""
    try:
        await asyncio.wait_for(asyncio.to_thread(ping), timeout)
    except asyncio.TimeoutError:
        logger.warning("health: Redis did not answer within %.0f s", timeout)
        return "timeout"
    except Exception as error:  # noqa: BLE001
        logger.warning("health: the Redis check failed: %s", type(error).__name__)
        return f"error: {type(error).__name__}"
    return OK


async def check(redis_ping: Optional[Callable[[], Any]] = None) -> Health:
    """The database and, if the process uses Redis, Redis (`redis_ping` sends PING),
    side by side: the answer comes within the longer of the two timeouts."""
    if redis_ping is None:
        return Health(database=await database_status(), redis=NOT_USED)
    database, redis = await asyncio.gather(database_status(), redis_status(redis_ping))
    return Health(database=database, redis=redis)


async def response() -> Tuple[int, bytes]:
    """Status and JSON body of `/health` for a process that uses no Redis."""
    health = await check()
    return health.status_code, health.body()


def main() -> int:
    """`python -m core.health`: exit 0 while the database answers (the health check
    of the processes without an HTTP port: outbox sender, scheduler)."""
    status, body = asyncio.run(response())
    print(body.decode())
    return 0 if status == 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())
