"""The outbox sender against the local fake Telegram and Viber APIs."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import List

from channels.outbox_sender import OutboxSender, TelegramTransport, ViberTransport
from channels.telegram_api import TelegramApi
from channels.viber_api import ViberApi, sender_of
from core.db.models import OutboxStatus
from core.outbox.config import load_outbox_config
from core.repository import messenger as messenger_repo
from core.repository.outbox import queue as outbox_queue
from core.settings import KYIV
from devtools.harness.clock import RunningClock
from tests.support.db import in_session
from tests.support.outbox import outbox, set_user, user
from tests.support.payloads import TELEGRAM_TOKEN, VIBER_TOKEN

DAYTIME = "2026-11-25T10:00:00+02:00"
BUTTONS = [
    {"title": "Передати показники", "payload": "/submit_reading"},
    {"title": "Не нагадувати", "payload": "/reminders_off"},
]


def config(**changes):
    base = dataclasses.replace(
        load_outbox_config(),
        per_second={"telegram": 30.0, "viber": 30.0},
        backoff_seconds=0.2,
        max_attempts=3,
        lease_seconds=2,
    )
    return dataclasses.replace(base, **changes)


def plan(senders, at: str = DAYTIME, kind: str = "reminder", text: str = "Нагадування") -> None:
    moment = datetime.fromisoformat(at).astimezone(KYIV)
    planned = [
        outbox_queue.Planned(
            key=f"{kind}:test:{sender.sender_id}",
            kind=kind,
            sender=sender,
            text=text,
            buttons=BUTTONS,
            not_before=moment,
        )
        for sender in senders
    ]
    in_session(lambda s: outbox_queue.enqueue(s, planned, moment))


def make_sender(telegram_api=None, viber_api=None, clock=None, **changes) -> OutboxSender:
    transports: List = []
    if telegram_api is not None:
        api = TelegramApi(TELEGRAM_TOKEN, telegram_api.url, attempts=1)
        transports.append(TelegramTransport(api))
    if viber_api is not None:
        transports.append(ViberTransport(ViberApi(VIBER_TOKEN, viber_api.url), sender_of("Бот")))
    return OutboxSender(
        transports, config(**changes), clock=clock or RunningClock(DAYTIME), poll_seconds=0.05
    )


async def run_until(sender: OutboxSender, done, seconds: float = 15.0) -> None:
    """Runs the sender until `done()` holds (checked off the event loop) or time is up."""
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await asyncio.to_thread(done):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    for transport in sender.transports.values():
        await transport.close()


def statuses() -> List[str]:
    return [row.status for row in in_session(outbox)]


def all_finished() -> bool:
    return all(s not in ("pending", "sending") for s in statuses())


async def test_delivers_with_buttons_once_and_records_it(engine, telegram_api, viber_api):
    anna, borys = user("telegram", 101), user("viber", "b0rys==")
    in_session(lambda s: set_user(s, borys, datetime.fromisoformat(DAYTIME)))
    plan([anna, borys])
    sender = make_sender(telegram_api, viber_api)
    await run_until(sender, all_finished)
    assert statuses() == ["sent", "sent"]
    [tg] = telegram_api.sent()
    assert tg["chat_id"] == "101" and tg["text"] == "Нагадування"
    assert [row[0]["text"] for row in tg["reply_markup"]["inline_keyboard"]] == [
        "Передати показники",
        "Не нагадувати",
    ]
    [vb] = viber_api.sent()
    assert vb["receiver"] == "b0rys=="
    assert [b["ActionBody"] for b in vb["keyboard"]["Buttons"]] == [
        "/submit_reading",
        "/reminders_off",
    ]
    # Planning the same again and running again sends nothing more.
    plan([anna, borys])
    await run_until(make_sender(telegram_api, viber_api), lambda: True, seconds=0.5)
    assert len(telegram_api.sent()) == 1 and len(viber_api.sent()) == 1


async def test_flood_control_retry_after_is_honoured(engine, telegram_api):
    plan([user("telegram", 101)])
    telegram_api.script(
        "sendMessage",
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    await run_until(make_sender(telegram_api), all_finished)
    first, second = telegram_api.of("sendMessage")
    assert second.at - first.at >= 1.0
    assert statuses() == ["sent"]


async def test_server_errors_back_off_then_give_up(engine, telegram_api):
    plan([user("telegram", 101), user("telegram", 102)])
    for _ in range(3):
        telegram_api.script(
            "sendMessage", {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        )
    await run_until(make_sender(telegram_api, max_attempts=2), all_finished)
    rows = {row.sender_id: row for row in in_session(outbox)}
    # The first message hit 502 twice (its two attempts) and was given up; the second
    # got one 502 and was delivered on its retry, after the back-off.
    failed = [r for r in rows.values() if r.status == "failed"]
    sent = [r for r in rows.values() if r.status == "sent"]
    assert len(failed) == 1 and failed[0].attempts == 2 and "502" in failed[0].last_error
    assert len(sent) == 1 and sent[0].attempts == 2


async def test_blocked_and_unsubscribed_users_are_marked_and_skipped(
    engine, telegram_api, viber_api
):
    anna, borys = user("telegram", 101), user("viber", "b0rys==")
    in_session(lambda s: set_user(s, borys, datetime.fromisoformat(DAYTIME)))
    plan([anna, borys])
    telegram_api.script(
        "sendMessage",
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    viber_api.script("send_message", {"status": 6, "status_message": "receiverNotSubscribed"})
    await run_until(make_sender(telegram_api, viber_api), all_finished)
    assert statuses() == ["blocked", "blocked"]
    assert in_session(lambda s: messenger_repo.subscription(s, anna)) is False
    assert in_session(lambda s: messenger_repo.subscription(s, borys)) is False

    # The next message to them is not even tried.
    plan([anna, borys], kind="broadcast")
    await run_until(make_sender(telegram_api, viber_api), all_finished)
    assert statuses() == ["blocked"] * 4
    assert len(telegram_api.sent()) == 1 and len(viber_api.sent()) == 1


async def test_quiet_hours_hold_messages_until_morning(engine, telegram_api):
    plan([user("telegram", 101)], at="2026-11-25T20:00:00+02:00")
    night = RunningClock("2026-11-25T22:30:00+02:00")
    await run_until(make_sender(telegram_api, clock=night), lambda: False, seconds=0.5)
    assert telegram_api.sent() == [] and statuses() == ["pending"]
    morning = RunningClock("2026-11-26T09:00:01+02:00")
    await run_until(make_sender(telegram_api, clock=morning), all_finished)
    assert statuses() == ["sent"] and len(telegram_api.sent()) == 1


async def test_a_sender_that_dies_mid_batch_loses_and_doubles_nothing(engine, telegram_api):
    users = [user("telegram", 1000 + n) for n in range(20)]
    plan(users)
    clock = RunningClock(DAYTIME)
    # The first sender claims a batch, gets 5 messages confirmed, then dies: its other
    # claimed rows stay `sending` under a lease nobody will finish.
    doomed = make_sender(telegram_api, clock=clock)
    transport = doomed.transports["telegram"]
    real_send, started, confirmed = transport.send, [], []

    async def dying_send(message):
        # Counted before the first await: with several sends in flight, exactly 5 start.
        if len(started) >= 5:
            await asyncio.Event().wait()  # hangs forever: the process is gone
        started.append(message.id)
        outcome = await real_send(message)
        confirmed.append(message.id)
        return outcome

    transport.send = dying_send
    task = asyncio.create_task(doomed.run_once("telegram"))
    while len(confirmed) < 5 or in_session(lambda s: statuses().count("sent")) < 5:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    task.cancel()
    for flight in list(doomed._in_flight):
        flight.cancel()
    await transport.close()
    assert statuses().count("sent") == 5 and statuses().count("sending") > 0

    # A restarted sender takes the abandoned rows over once their lease ran out.
    clock.jump(3)
    await run_until(make_sender(telegram_api, clock=clock), all_finished)
    chats = sorted(int(body["chat_id"]) for body in telegram_api.sent())
    assert chats == list(range(1000, 1020))  # everyone exactly once
    assert statuses() == ["sent"] * 20


async def test_two_senders_at_once_deliver_each_message_once(engine, telegram_api):
    users = [user("telegram", 5000 + n) for n in range(120)]
    plan(users)
    first, second = make_sender(telegram_api), make_sender(telegram_api)
    await asyncio.gather(run_until(first, all_finished), run_until(second, all_finished))
    chats = [int(body["chat_id"]) for body in telegram_api.sent()]
    assert sorted(chats) == list(range(5000, 5120))
    assert statuses() == ["sent"] * 120
    # Both really worked (the claim is what kept them apart).
    assert first.counts["sent"] > 0 and second.counts["sent"] > 0


async def test_per_chat_gap_of_one_second(engine, telegram_api):
    anna = user("telegram", 101)
    plan([anna], kind="notice")
    plan([anna], kind="receipt")
    await run_until(make_sender(telegram_api), all_finished)
    first, second = telegram_api.of("sendMessage")
    assert second.at - first.at >= 0.95


def _sender_process(engine, api_url: str):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_URL": api_url,
        "OUTBOX_TELEGRAM_PER_SECOND": "30",
        "OUTBOX_LEASE_SECONDS": "2",
        "OUTBOX_QUIET_START": "00:00",  # equal start and end: no quiet hours
        "OUTBOX_QUIET_END": "00:00",
    }
    env.pop("ASSISTANT_NOW", None)  # leases need a clock that runs
    return subprocess.Popen(
        [sys.executable, "-m", "channels.outbox_sender"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_sender_process_restarts_without_losing_or_doubling_confirmed(engine, telegram_api):
    import collections
    import signal
    import time

    users = [user("telegram", 7000 + n) for n in range(40)]
    plan(users, at=datetime.now(KYIV).isoformat())
    telegram_api.delay = 0.2  # a slow messenger: several messages in flight at any time
    first = _sender_process(engine, telegram_api.url)
    try:
        deadline = time.monotonic() + 60
        while len(telegram_api.sent()) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    confirmed = {
        row.sender_id for row in in_session(outbox) if row.status == OutboxStatus.sent.value
    }
    assert 0 < len(confirmed) < 40

    second = _sender_process(engine, telegram_api.url)
    try:
        deadline = time.monotonic() + 60
        while not all_finished() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert statuses() == ["sent"] * 40  # nothing lost
    # A request cut off by the kill before its body arrived is no message (no chat_id).
    received = collections.Counter(
        f"telegram:{body['chat_id']}" for body in telegram_api.sent() if "chat_id" in body
    )
    assert set(received) == {u.sender_id for u in users}
    # Only a message in flight at the kill (sent, but its confirmation never
    # recorded) can arrive twice; none the sender had recorded as confirmed.
    doubled = {chat for chat, n in received.items() if n > 1}
    assert not doubled & confirmed
