"""Every server says on `/health` whether it can serve — 200 while its database
(and Redis, where the lock store is Redis) answers, 503 naming what failed,
never a password or an address — and serves its Prometheus metrics on `/metrics`.

The servers run in-process here (their real applications through ASGI); the
Rasa replica's routes are mounted by Rasa's own channel registration. The turn
counter through the real Rasa server is in tests/e2e/test_end_to_end.py.
"""

from __future__ import annotations

import shutil
from types import SimpleNamespace
from typing import Iterator

import pytest
from rasa.core.channels.channel import register
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from sanic import Sanic
from starlette.testclient import TestClient

from actions.server import build_app
from billing_api.app import create_app as billing_app
from channels.monitoring import MonitoringChannel
from console.app import create_app as console_app
from core.db import engine as db_engine
from devtools.harness.processes import free_port
from devtools.harness.redis import Redis
from tests.support.asgi import sanic_client
from tests.support.console import console_config

PASSWORD = "hunter2-not-for-logs"
OK = {"status": "ok", "database": "ok", "redis": "not used"}


@pytest.fixture
def database(tmp_path) -> Iterator[None]:
    """A working SQLite database, then `down()` points the process at a dead PostgreSQL."""
    engine = db_engine.make_engine(f"sqlite:///{tmp_path / 'health.db'}")
    db_engine.use_engine(engine)
    yield
    db_engine.use_engine(None)
    engine.dispose()


def down() -> None:
    """Nothing listens on the port: the database is unreachable."""
    url = f"postgresql+psycopg2://teplo:{PASSWORD}@127.0.0.1:{free_port()}/teplo"
    db_engine.use_engine(db_engine.make_engine(url))


def failing_without_secrets(reply) -> None:
    assert reply.status_code == 503
    assert reply.json() == {
        "status": "failing",
        "database": "error: OperationalError",
        "redis": "not used",
    }
    assert PASSWORD not in reply.text and "127.0.0.1" not in reply.text


def rasa_replica(lock_store=None) -> Sanic:
    """A Sanic app with the monitoring channel mounted as `rasa run` mounts channels."""
    app = Sanic("rasa_replica_under_test")
    register([MonitoringChannel()], app, route="/webhooks/")
    app.ctx.agent = SimpleNamespace(lock_store=lock_store or InMemoryLockStore())
    return app


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)  # the same app names in several tests


@pytest.mark.parametrize("server", ["rasa replica", "action server", "billing API"])
async def test_sanic_servers_health_follows_the_database_and_metrics_are_served(server, database):
    app = {
        "rasa replica": rasa_replica,
        "action server": lambda: build_app("a-token-the-health-check-does-not-need"),
        "billing API": lambda: billing_app("billing_api_under_test"),
    }[server]()
    async with sanic_client(app) as client:
        reply = await client.get("/health")
        assert (reply.status_code, reply.json()) == (200, OK)

        scrape = await client.get("/metrics")
        assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
        assert "# TYPE teplo_turn_seconds histogram" in scrape.text
        assert "# TYPE teplo_readings_saved_total counter" in scrape.text

        down()
        failing_without_secrets(await client.get("/health"))


def test_console_health_follows_the_database_without_signing_in(database):
    client = TestClient(console_app(console_config()), base_url="https://testserver")
    reply = client.get("/health", follow_redirects=False)
    assert (reply.status_code, reply.json()) == (200, OK)
    scrape = client.get("/metrics", follow_redirects=False)
    assert scrape.status_code == 200 and "teplo_action_failures" in scrape.text
    down()
    failing_without_secrets(client.get("/health", follow_redirects=False))


@pytest.mark.cluster  # starts a Redis server
async def test_replica_with_a_redis_lock_store_pings_redis(database, tmp_path):
    lost = RedisLockStore(host="127.0.0.1", port=free_port(), password=PASSWORD)
    async with sanic_client(rasa_replica(lost)) as client:
        reply = await client.get("/health")
    assert reply.status_code == 503
    assert reply.json() == {
        "status": "failing",
        "database": "ok",
        "redis": "error: ConnectionError",
    }
    assert PASSWORD not in reply.text

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed (scripts/ensure-system-packages)")
    redis = Redis(tmp_path / "redis")
    redis.start()
    try:
        async with sanic_client(rasa_replica(RedisLockStore(port=redis.port))) as client:
            reply = await client.get("/health")
    finally:
        redis.stop()
    assert (reply.status_code, reply.json()) == (200, {**OK, "redis": "ok"})
