"""A Sanic application in-process for tests: its ASGI start-up, then HTTP
requests through httpx, without a server process or a port."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator

import httpx
from sanic import Sanic


@asynccontextmanager
async def sanic_client(app: Sanic) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on `app` after its lifespan start-up (routes finalised)."""
    events: asyncio.Queue = asyncio.Queue()
    replies: asyncio.Queue = asyncio.Queue()
    await events.put({"type": "lifespan.startup"})
    lifespan = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, events.get, replies.put)
    )
    assert (await replies.get())["type"] == "lifespan.startup.complete"
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await events.put({"type": "lifespan.shutdown"})
        await replies.get()
        # Sanic 21.12 then treats the finished lifespan as a request and fails; harmless.
        lifespan.cancel()
        await asyncio.gather(lifespan, return_exceptions=True)
