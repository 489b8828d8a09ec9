"""The outbox sender: delivers the messages the assistant sends first (reminders,
notices, receipts, broadcasts) through the same API clients as the connectors.

Run as its own process (`python -m channels.outbox_sender`, started by
`scripts/run-stack serve`). Per channel it claims due rows in small batches,
paces them within the messenger's limits (overall rate, one message a second
to one chat), honours Telegram's `retry_after`, backs off on server and network
errors and gives up after the configured number of attempts. Users who blocked
the bot or unsubscribed are marked and skipped. Nothing is sent in quiet hours
but a clerk's answer in a case (`ANSWERS`).

Exactly-once as far as it can be had: a row is claimed (with a lease) before the
call and marked sent right after the messenger confirms it, so a crash before
the confirmation leaves it to be sent again once the lease ends, and a message
the messenger confirmed and we recorded is never sent twice. A crash in the
instant between the confirmation and the record is the one case that repeats.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Dict, List, Optional, Protocol, Tuple

from channels.keyboards import telegram_inline, viber_keyboard
from channels.telegram_api import DEFAULT_API_URL as TELEGRAM_URL
from channels.telegram_api import TelegramApi, TelegramApiError
from channels.viber_api import DEFAULT_API_URL as VIBER_URL
from channels.viber_api import NOT_REACHABLE, ViberApi, ViberApiError, sender_of
from core import preflight
from core.db.engine import run_unit_of_work
from core.db.models import OutboxKind
from core.faults import log_failure
from core.outbox.config import OutboxConfig, load_outbox_config
from core.outbox.quiet import in_quiet_hours, not_before_quiet_end
from core.repository import messenger as messenger_repo
from core.repository.outbox import queue as outbox_queue
from core.repository.outbox.queue import Claimed
from core.senders import SenderKey, unqualify
from core.settings import env_str, environment, get_settings

logger = logging.getLogger(__name__)

# Sent even in quiet hours: a clerk answering a consumer (held at planning time
# when the consumer left the chat long ago).
ANSWERS = (OutboxKind.case_reply.value,)

VIBER_TOO_MANY = 12  # Viber's status for "Too many requests"
MAX_BACKOFF = 3600.0


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "blocked", "failed"
    error: str = ""
    retry_after: Optional[float] = None  # the messenger's own wait (flood control)


class Transport(Protocol):
    channel: str

    async def send(self, message: Claimed) -> Outcome: ...

    async def close(self) -> None: ...


class TelegramTransport:
    channel = "telegram"

    def __init__(self, api: TelegramApi) -> None:
        self.api = api

    async def send(self, message: Claimed) -> Outcome:
        chat_id = unqualify(self.channel, message.sender_id)
        if chat_id is None:
            return Outcome("failed", "recipient of another channel")
        markup = telegram_inline(message.buttons) if message.buttons else None
        try:
            await self.api.send_message(chat_id, message.text, markup)
        except TelegramApiError as error:
            detail = f"{error.code} {error.description}"[:200]
            if error.code == 403:
                return Outcome("blocked", detail)
            if error.code == 429:
                return Outcome("retry", detail, float(error.retry_after or 1))
            if error.code is None or error.code >= 500:
                return Outcome("retry", detail)
            return Outcome("failed", detail)
        return Outcome("sent")

    async def close(self) -> None:
        await self.api.close()


class ViberTransport:
    channel = "viber"

    def __init__(self, api: ViberApi, sender: Dict[str, str]) -> None:
        self.api, self.sender = api, sender

    async def send(self, message: Claimed) -> Outcome:
        receiver = unqualify(self.channel, message.sender_id)
        if receiver is None:
            return Outcome("failed", "recipient of another channel")
        keyboard = viber_keyboard(message.buttons) if message.buttons else None
        try:
            await self.api.send_text(receiver, message.text, self.sender, keyboard)
        except ViberApiError as error:
            detail = f"{error.status} {error.message}"[:200]
            if error.status in NOT_REACHABLE:
                return Outcome("blocked", detail)
            if error.status is None or error.status == VIBER_TOO_MANY:
                return Outcome("retry", detail)
            return Outcome("failed", detail)
        return Outcome("sent")

    async def close(self) -> None:
        await self.api.close()


class Pacer:
    """Hands out send slots at most `per_second` apart; a flood-control wait pauses it."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        self._next = max(self._next, time.monotonic() + seconds)


def real_now() -> datetime:
    return get_settings().now()


class OutboxSender:
    """Delivers due outbox rows; `run_once` for one batch per channel, `run` until stopped."""

    def __init__(
        self,
        transports: List[Transport],
        config: Optional[OutboxConfig] = None,
        clock: Callable[[], datetime] = real_now,
        concurrency: int = 16,
        poll_seconds: float = 2.0,
    ) -> None:
        self.config = config or load_outbox_config()
        self.transports = {t.channel: t for t in transports}
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.pacers = {c: Pacer(self.config.per_second[c]) for c in self.transports}
        self._slots = {c: asyncio.Semaphore(concurrency) for c in self.transports}
        self._last_to_chat: Dict[str, float] = {}
        self._in_flight: set = set()
        self._outcomes: List[Tuple[Claimed, Outcome]] = []
        self._writer: Optional[asyncio.Task] = None
        self.counts: Dict[str, int] = {"sent": 0, "retry": 0, "blocked": 0, "failed": 0}

    def _batch(self, channel: str) -> int:
        # A few seconds of sending: few claims, and far inside the lease.
        return max(10, int(self.config.per_second[channel] * 4))

    def _quiet(self, now: datetime) -> bool:
        return in_quiet_hours(now, self.config.quiet_start, self.config.quiet_end)

    async def run_once(self, channel: str) -> int:
        """Claims one batch for the channel and starts delivering it; returns its size."""
        now = self.clock()
        # At night only a clerk's answers to a consumer in the chat go out (core.staff.cases).
        kinds = ANSWERS if self._quiet(now) else None
        config = self.config
        claimed = await run_unit_of_work(
            lambda s: outbox_queue.claim_due(
                s, now, self._batch(channel), [channel], config.lease_seconds, kinds
            )
        )
        self._forget_old_chats()
        claimed_at = time.monotonic()
        for index, message in enumerate(claimed):
            if time.monotonic() - claimed_at > config.lease_seconds / 2:
                # Flood control or a slow API held us up: hand the rest back before
                # the lease runs out and another sender could take them too.
                for later in claimed[index:]:
                    await self._release(later, self.clock())
                break
            if message.subscribed is False:
                await self._record(message, Outcome("blocked", "unsubscribed before sending"))
                continue
            since_last = time.monotonic() - self._last_to_chat.get(message.sender_id, -1e9)
            if since_last < config.per_chat_interval:
                wait = timedelta(seconds=config.per_chat_interval - since_last)
                await self._release(message, self.clock() + wait)
                continue
            await self.pacers[channel].wait()
            if self._quiet(self.clock()) and message.kind not in ANSWERS:
                morning = not_before_quiet_end(self.clock(), config.quiet_start, config.quiet_end)
                for later in claimed[index:]:
                    await self._release(later, morning)
                break
            await self._slots[channel].acquire()
            self._last_to_chat[message.sender_id] = time.monotonic()
            task = asyncio.create_task(self._deliver(channel, message))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claimed)

    async def drain(self) -> None:
        """Waits for the deliveries under way and for their outcomes to be written."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def _deliver(self, channel: str, message: Claimed) -> None:
        try:
            outcome = await self.transports[channel].send(message)
        except Exception as error:  # a bug must not kill the loop; the row is retried
            log_failure(logger, f"outbox: sending message {message.id}", error)
            outcome = Outcome("retry", type(error).__name__)
        finally:
            self._slots[channel].release()
        if outcome.retry_after:
            self.pacers[channel].pause(outcome.retry_after)
        await self._record(message, outcome)

    async def _record(self, message: Claimed, outcome: Outcome) -> None:
        """Queues the outcome for the one writer, which commits whatever has gathered
        in one transaction (group commit): at once when idle, many at a time when busy."""
        self._outcomes.append((message, outcome))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_outcomes())

    def _status(self, message: Claimed, outcome: Outcome) -> str:
        if outcome.status == "retry" and outcome.retry_after is None:
            if message.attempts >= self.config.max_attempts:
                return "failed"
        return outcome.status

    async def _write_outcomes(self) -> None:
        while self._outcomes:
            items, self._outcomes = self._outcomes, []
            now = self.clock()
            decided = [(m, o, self._status(m, o)) for m, o in items]

            def write(session, decided=decided, now=now) -> List[bool]:
                return [self._write(session, m, o, status, now) for m, o, status in decided]

            try:
                written = await run_unit_of_work(write)
            except Exception as error:  # the database is away: keep the outcomes and try again
                log_failure(logger, f"outbox: recording {len(items)} outcomes (retrying)", error)
                self._outcomes = items + self._outcomes
                await asyncio.sleep(1)
                continue
            for (message, outcome, status), ok in zip(decided, written):
                self.counts[status] += 1
                if not ok:
                    logger.warning(
                        "outbox: message %s was claimed by another sender meanwhile", message.id
                    )
                elif status != "sent":
                    logger.info("outbox: message %s %s (%s)", message.id, status, outcome.error)

    def _write(
        self, session, message: Claimed, outcome: Outcome, status: str, now: datetime
    ) -> bool:
        config = self.config
        if status == "sent":
            return outbox_queue.mark_sent(session, message, now)
        if status == "blocked":
            sender = SenderKey(message.channel, message.sender_id)
            messenger_repo.set_subscribed(session, sender, False, now)
            return outbox_queue.mark_blocked(session, message, outcome.error)
        if status == "failed":
            return outbox_queue.mark_failed(session, message, outcome.error)
        if outcome.retry_after is not None:  # flood control: not the message's fault
            at = now + timedelta(seconds=outcome.retry_after)
            return outbox_queue.retry_later(session, message, at, outcome.error, counted=False)
        wait = min(config.backoff_seconds * 2 ** (message.attempts - 1), MAX_BACKOFF)
        at = now + timedelta(seconds=wait)
        return outbox_queue.retry_later(session, message, at, outcome.error)

    async def _release(self, message: Claimed, at: datetime) -> None:
        await run_unit_of_work(lambda s: outbox_queue.retry_later(s, message, at, counted=False))

    def _forget_old_chats(self) -> None:
        # Keeps memory flat over a long run: only recent sends matter for the per-chat gap.
        if len(self._last_to_chat) > 10_000:
            horizon = time.monotonic() - self.config.per_chat_interval
            self._last_to_chat = {k: t for k, t in self._last_to_chat.items() if t > horizon}

    async def _channel_loop(self, channel: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                claimed = await self.run_once(channel)
            except Exception as error:  # the database may be restarting: wait and try again
                log_failure(logger, f"outbox: {channel} batch", error)
                claimed = 0
            if not claimed:
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
                except asyncio.TimeoutError:
                    pass

    async def run(self, stop: asyncio.Event) -> None:
        """Runs every channel's loop until `stop` is set, then finishes what is under way."""
        await asyncio.gather(*(self._channel_loop(c, stop) for c in self.transports))
        await self.drain()


def transports_from_env() -> List[Transport]:
    """The channels whose credentials are in the environment (as for the connectors)."""
    transports: List[Transport] = []
    env = environment()
    token = env_str("TELEGRAM_BOT_TOKEN", env=env)
    if token:
        api = TelegramApi(token, env_str("TELEGRAM_API_URL", TELEGRAM_URL, env), attempts=1)
        transports.append(TelegramTransport(api))
    auth = env_str("VIBER_AUTH_TOKEN", env=env)
    if auth:
        api = ViberApi(auth, env_str("VIBER_API_URL", VIBER_URL, env))
        name = env_str("VIBER_BOT_NAME", "Показники", env)
        # VIBER_AVATAR_URL, as for the connector (the sender once read VIBER_AVATAR).
        avatar = env_str("VIBER_AVATAR_URL", env=env)
        transports.append(ViberTransport(api, sender_of(name, avatar)))
    return transports


async def serve() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    transports = transports_from_env()
    if not transports:
        logger.warning("outbox: no messenger credentials in the environment; sender idle")
        await stop.wait()
        return
    config = load_outbox_config()
    sender = OutboxSender(transports, config)
    logger.info(
        "outbox: sending via %s",
        ", ".join(f"{t.channel} {config.per_second[t.channel]:g}/s" for t in transports),
    )
    try:
        await sender.run(stop)
    finally:
        for transport in transports:
            await transport.close()
        logger.info("outbox: stopped; %s", sender.counts)


def main() -> None:
    preflight.start("outbox")
    asyncio.run(serve())


if __name__ == "__main__":
    main()
