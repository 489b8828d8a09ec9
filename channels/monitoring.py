"""Health and metrics of a Rasa replica: `GET /health`, `GET /metrics`, and the
turn metrics (docs/monitoring.md).

Rasa has no hook for routes of one's own, but it mounts every configured
channel's blueprint at `/webhooks/` joined with the channel's URL prefix; this
channel's prefix is "/", so its routes are `/health` and `/metrics` at the
root. Configured without settings, last, in credentials.yml and
credentials.prod.yml as `channels.monitoring.MonitoringChannel:`.

It also wraps `Agent.handle_message`, the one call through which every channel
(REST, Telegram, Viber) hands a user message to Rasa, to count turns and time
them per channel. The proxy never publishes these routes (deploy/nginx).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, List, Optional

import redis
from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.lock_store import RedisLockStore
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from core import health, metrics

logger = logging.getLogger(__name__)

# The channel label takes these values only: REST callers may name any
# `input_channel`, and every new label value is a new time series.
KNOWN_CHANNELS = frozenset({"rest", "telegram", "viber", "web", "cmdline", "socketio"})


def channel_label(message: UserMessage) -> str:
    name = message.input_channel or ""
    return name if name in KNOWN_CHANNELS else "other"


_original_handle_message = Agent.handle_message


async def _handle_message_measured(self: Agent, message: UserMessage) -> Optional[List[Dict]]:
    channel = channel_label(message)
    started = time.perf_counter()
    try:
        return await _original_handle_message(self, message)
    finally:
        metrics.TURNS.labels(channel).inc()
        metrics.TURN_SECONDS.labels(channel).observe(time.perf_counter() - started)


def install() -> None:
    """Measures every turn of this Rasa process (idempotent)."""
    if Agent.handle_message is not _handle_message_measured:
        Agent.handle_message = _handle_message_measured  # type: ignore[method-assign]


class MonitoringChannel(InputChannel):
    """`/health` (database, Redis lock store) and `/metrics` of this replica."""

    @classmethod
    def name(cls) -> str:
        return "monitoring"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "MonitoringChannel":
        return cls()

    def __init__(self) -> None:
        self._redis: Dict[int, redis.Redis] = {}

    def url_prefix(self) -> str:
        return "/"  # joined with Rasa's "/webhooks/": the routes sit at the root

    def redis_ping(self, app: Sanic) -> Optional[Callable[[], Any]]:
        """PING for the Redis of the lock store, or None when the lock store is not Redis."""
        store = getattr(getattr(app.ctx, "agent", None), "lock_store", None)
        if not isinstance(store, RedisLockStore):
            return None
        client = self._redis.get(id(store))
        if client is None:
            # The lock store's own connection settings, with timeouts it may lack.
            pool = store.red.connection_pool
            settings = {
                **pool.connection_kwargs,
                "socket_timeout": health.REDIS_TIMEOUT,
                "socket_connect_timeout": health.REDIS_TIMEOUT,
            }
            client = redis.Redis(
                connection_pool=redis.ConnectionPool(
                    connection_class=pool.connection_class, **settings
                )
            )
            self._redis[id(store)] = client
        return client.ping

    def blueprint(self, on_new_message: Callable) -> Blueprint:
        install()
        blueprint = Blueprint("monitoring", __name__)

        @blueprint.route("/health", methods=["GET"])
        async def health_check(request: Request) -> HTTPResponse:
            result = await health.check(self.redis_ping(request.app))
            return HTTPResponse(
                result.body(), status=result.status_code, content_type="application/json"
            )

        @blueprint.route("/metrics", methods=["GET"])
        async def exposition(_: Request) -> HTTPResponse:
            body, content_type = metrics.exposition()
            return HTTPResponse(body, content_type=content_type)

        return blueprint
