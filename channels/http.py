"""HTTP plumbing shared by the channels: a JSON client for the messenger APIs (and
size-capped file downloads from them) and a size-capped reader for incoming webhook bodies."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import urljoin, urlsplit

import aiohttp
from sanic.request import Request

TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3


class ApiUnreachable(Exception):
    """The messenger API did not answer with JSON (network error, timeout, 5xx page)."""


class TooLarge(Exception):
    """A download went past the size it was allowed."""


class JsonClient:
    """One aiohttp session per event loop, created on first use.

    Error texts never carry the URL: the Telegram token is part of it.
    """

    def __init__(self) -> None:
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def _current(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
            self._loop = loop
        return self._session

    async def post(
        self, url: str, payload: Dict[str, Any], headers: Optional[Dict[str, str]] = None
    ) -> Tuple[int, Dict[str, Any]]:
        try:
            async with self._current().post(url, json=payload, headers=headers) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ApiUnreachable(type(error).__name__) from None
        try:
            body = json.loads(text)
        except ValueError:
            raise ApiUnreachable(f"HTTP {status}, not JSON") from None
        if not isinstance(body, dict):
            raise ApiUnreachable(f"HTTP {status}, unexpected JSON")
        return status, body

    async def download(
        self,
        url: str,
        limit: int,
        headers: Optional[Dict[str, str]] = None,
        allowed: Optional[Callable[[str], bool]] = None,
    ) -> bytes:
        """The body of a GET, read in chunks and abandoned past `limit` bytes.

        Redirects are followed by hand, at most `MAX_REDIRECTS`, each target
        checked by `allowed` (default: the first URL's host only): the host a
        caller checked is not where an automatic redirect would end up.
        """
        first = (urlsplit(url).hostname or "").lower()
        allowed = allowed or (lambda target: (urlsplit(target).hostname or "").lower() == first)
        try:
            for _ in range(MAX_REDIRECTS + 1):
                async with self._current().get(
                    url, headers=headers, allow_redirects=False
                ) as response:
                    if response.status in REDIRECTS:
                        url = urljoin(url, response.headers.get("Location", ""))
                        if not allowed(url):
                            raise ApiUnreachable("redirected off the allowed hosts")
                        continue
                    return await self._read(response, limit)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ApiUnreachable(type(error).__name__) from None
        raise ApiUnreachable("too many redirects")

    @staticmethod
    async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
        if response.status != 200:
            raise ApiUnreachable(f"HTTP {response.status}")
        if (response.content_length or 0) > limit:
            raise TooLarge()
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


async def read_limited(request: Request, limit: int) -> Optional[bytes]:
    """The body of a streamed request, or None as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream:
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
