"""The cluster under faults: nginx → 2 Rasa replicas (Redis lock store,
PostgreSQL tracker store) → action server → PostgreSQL, all real, on loopback.

Simulated Telegram consumers go through the whole submission while a fault is
injected. Like Telegram, a consumer's update that got no 200 is re-delivered
(same update id); like a person, a consumer who got "try again" or no answer
sends the message again. What is checked is what the utility cares about:
every reading the bot confirmed ("збережено") is stored exactly once, and no
reading is stored twice. Each phase prints what it saw (pytest -s).
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import engine as db_engine
from core.db.models import Meter, Reading, ReadingSource
from core.demo.seed import METER_SETS
from core.handoff import cases
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from core.staff import cases as staff_cases
from core.texts.handoff import OFFER_TITLE
from devtools.harness.cluster import MODEL, Cluster, running_cluster
from devtools.harness.messengers import FakeApi, post_webhook, texts, webhook_body
from devtools.rehearsal.consumers import Tally as CrowdTally
from tests.channels.test_outbox_sender import make_sender, run_until
from tests.support.accounts import proof_digits_of
from tests.support.clock import TEST_NOW, pinned_now
from tests.support.payloads import (
    TELEGRAM_BOT,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    tg_callback,
    tg_text,
)

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)"),
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TRY_AGAIN_MARK = "Спробуйте ще раз"
# Each phase gives its consumers their own demo accounts (0100006 has no meters).
# The demo accounts with meters (an account without one cannot be proved or submitted).
# An action that could not reach the database: nothing changed, ask again.
ACTION_FAILED_MARK = "технічна помилка"
PROOF_PROMPT_MARK = "6 цифр"
ACCOUNTS = [f"01000{n:02d}" for n in range(1, 37) if METER_SETS[(n - 1) % len(METER_SETS)]]

CREDENTIALS = """\
channels.telegram.TelegramChannel:
  token: "{token}"
  bot_name: "{bot}"
  webhook_url: "https://assistant.example.test/webhooks/telegram/webhook"
  secret_token: "{secret}"
  api_url: "{api}"
"""


@dataclass
class Tally(CrowdTally):
    """What one phase saw, summed over its consumers."""

    try_again_seen: int = 0
    confirmed: Dict[str, List[Decimal]] = field(default_factory=dict)  # account -> values


class Consumer:
    """One Telegram user submitting the readings of one account through the proxy."""

    def __init__(self, cluster: Cluster, api: FakeApi, chat: int, account: str, tally: Tally):
        self.cluster, self.api, self.chat, self.account, self.tally = (
            cluster,
            api,
            chat,
            account,
            tally,
        )
        self.seen = 0
        # Read before any fault strikes: what the holder reads off the meter.
        self.proof = proof_digits_of(cluster.engine, account)

    def _post(self, update: Dict) -> Optional[int]:
        return post_webhook(
            f"{self.cluster.url}/webhooks/telegram/webhook",
            webhook_body(update),
            {SECRET_HEADER: TELEGRAM_SECRET},
        )

    def _replies(self) -> List[Dict]:
        mine = [m for m in self.api.sent() if str(m["chat_id"]) == str(self.chat)]
        new, self.seen = mine[self.seen :], len(mine)
        return new

    def send(self, text: str) -> str:
        """One message; re-delivered as Telegram does until acknowledged."""
        update = tg_text(self.chat, text)
        deadline = time.monotonic() + 90
        while self._post(update) != 200:
            self.tally.add(redelivered=1)
            assert time.monotonic() < deadline, "an update was never acknowledged"
            time.sleep(0.5)
        self.tally.add(turns=1)
        return texts(self._replies())

    def step(self, text: str, expected: str) -> str:
        answers = []
        for _ in range(8):
            answer = self.send(text)
            answers.append(answer[:70])
            if expected in answer:
                return answer
            if PROOF_PROMPT_MARK in answer and text != self.proof:
                # The proof prompt again (its answer's turn was lost with a crash):
                # a person types the digits again, then what they meant to say.
                answers.append("proof again: " + self.send(self.proof)[:60])
            elif TRY_AGAIN_MARK in answer or ACTION_FAILED_MARK in answer:
                self.tally.add(try_again_seen=1)
            elif answer.strip():
                # State moved on without us seeing it (a reply lost with a crash):
                # a person would read it and carry on.
                with self.tally.lock:
                    self.tally.unexpected.append(f"{expected!r} <- {answer[:80]!r}")
                return answer
            self.tally.add(retried=1)
            time.sleep(1)
        raise AssertionError(f"no {expected!r} after 8 tries of {text!r}: {answers}")

    def run(self, previous: List[Decimal]) -> None:
        self.step("додати особовий рахунок", "номер особового рахунку")
        self.step(self.account, "останні 6 цифр")
        self.step(self.proof, "Це ваша адреса?")
        self.step("Так", "Рахунок додано")
        self.step("Передати показники", "Лічильник 1 з")
        values = [value + 1 for value in previous]  # whole units: every meter takes them
        for index, value in enumerate(values):
            last = index == len(values) - 1
            expected = "спожито" if last else f"Лічильник {index + 2} з"
            self.step(str(value).replace(".", ","), expected)
        answer = self.step("Зберегти", "збережено")
        if "збережено" in answer and "ічого не збережено" not in answer:
            with self.tally.lock:
                self.tally.confirmed[self.account] = values


@pytest.fixture(scope="module")
def cluster(request) -> Iterator[Cluster]:
    # Not pytest's tmp_path: kept when a test fails, for the servers' logs.
    workdir = Path(tempfile.mkdtemp(prefix="cluster-test-"))
    with FakeApi("telegram") as api:
        credentials = workdir / "credentials.yml"
        credentials.write_text(
            CREDENTIALS.format(
                token=TELEGRAM_TOKEN, bot=TELEGRAM_BOT, secret=TELEGRAM_SECRET, api=api.url
            ),
            encoding="utf-8",
        )
        env = {"ASSISTANT_NOW": TEST_NOW, "TICKET_LOCK_LIFETIME": "15"}
        with running_cluster(workdir, replicas=2, credentials=credentials, env=env) as running:
            running.telegram_api = api
            running.engine = db_engine.make_engine(running.database_url)
            warm_up(running)
            yield running
            running.engine.dispose()
    if request.session.testsfailed:
        print(f"\ncluster logs kept in {workdir}/logs")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def warm_up(cluster: Cluster) -> None:
    """A replica's first turn loads its dictionaries and graph (slow on a busy
    machine): one message straight to each, so the phases measure the cluster."""
    for index in range(len(cluster.replicas)):
        answer = greet_replica(cluster, index)
        assert TRY_AGAIN_MARK not in answer, f"a replica fails: see {cluster.workdir}/logs"


_next_account = iter(ACCOUNTS)
_next_chat = iter(range(880001, 890000))


def previous_values(engine, number: str) -> List[Decimal]:
    with Session(engine, future=True) as session:
        account = accounts_repo.find_account(session, number)
        return [
            readings_repo.last_reading(session, m.id).value
            for m in accounts_repo.active_meters(session, account.id)
        ]


def stored(engine, number: str) -> List[Decimal]:
    """Every reading the assistant stored for the account in the month, in force or not."""
    with Session(engine, future=True) as session:
        account = accounts_repo.find_account(session, number)
        rows = session.execute(
            select(Reading.value)
            .join(Meter, Meter.id == Reading.meter_id)
            .where(
                Meter.account_id == account.id,
                Reading.source == ReadingSource.assistant,
                Reading.period == "2026-11",
            )
            .order_by(Reading.meter_id, Reading.id)
        )
        return list(rows.scalars())


def run_phase(
    cluster: Cluster, name: str, consumers: int, fault: Optional[Callable[[], None]] = None
) -> Tally:
    """Runs `consumers` submissions at once; `fault` strikes once a third of the
    webhooks went through. Asserts 0 confirmed readings lost, 0 doubled."""
    tally = Tally()
    people = []
    for _ in range(consumers):
        account = next(_next_account)
        people.append(
            (
                Consumer(cluster, cluster.telegram_api, next(_next_chat), account, tally),
                previous_values(cluster.engine, account),
            )
        )
    errors: List[BaseException] = []

    def live(consumer: Consumer, previous: List[Decimal]) -> None:
        try:
            consumer.run(previous)
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=live, args=person) for person in people]
    for thread in threads:
        thread.start()
    if fault is not None:
        total = consumers * 7
        while tally.turns < total // 3 and any(t.is_alive() for t in threads):
            time.sleep(0.1)
        fault()
    for thread in threads:
        thread.join(timeout=240)
    elapsed = time.monotonic() - started

    lost = [a for a, values in tally.confirmed.items() if stored(cluster.engine, a) != values]
    doubled = [
        consumer.account
        for consumer, previous in people
        if len(stored(cluster.engine, consumer.account)) > len(previous)
    ]
    print(
        f"\n[{name}] {consumers} consumers, {tally.turns} turns in {elapsed:.1f} s; "
        f"re-delivered {tally.redelivered}, typed again {tally.retried} "
        f"('try again' seen {tally.try_again_seen}), unexpected {len(tally.unexpected)}; "
        f"confirmed {len(tally.confirmed)}, lost {len(lost)}, doubled {len(doubled)}"
    )
    assert not errors, (errors, tally.unexpected)
    assert lost == [] and doubled == []
    if fault is not None:
        # Recovered by themselves: a consumer arriving now goes straight through.
        after = Tally()
        account = next(_next_account)
        newcomer = Consumer(cluster, cluster.telegram_api, next(_next_chat), account, after)
        newcomer.run(previous_values(cluster.engine, account))
        assert list(after.confirmed) == [account] and after.retried == 0
    return tally


def test_one_conversation_across_both_replicas_keeps_order_and_state(cluster):
    before = len(cluster.nginx.routed_to())
    tally = run_phase(cluster, "order", consumers=1)
    routed = cluster.nginx.routed_to()[before:]
    assert len(set(routed)) == 2, "round-robin should have used both replicas"
    assert tally.unexpected == [] and tally.retried == 0
    assert len(tally.confirmed) == 1


NEW_GREETING = "Вітаю! Відповідає щойно навчена модель."
# A pull every 10 s (deploy/rasa/endpoints.yml), then the download and the load,
# which on a busy 2-core machine takes as long as a replica's start.
PROMOTION_BUDGET_SECONDS = 10 + 300


def test_a_promoted_model_reaches_both_replicas_and_no_conversation_is_lost(cluster, tmp_path):
    # A consumer half-way through adding an account when the model changes.
    consumer = Consumer(
        cluster, cluster.telegram_api, next(_next_chat), next(_next_account), Tally()
    )
    consumer.step("додати особовий рахунок", "номер особового рахунку")
    model = model_with_greeting(MODEL, tmp_path / "current.tar.gz", NEW_GREETING)
    promoted = time.monotonic()
    cluster.publish_model(model)
    switched: Dict[int, float] = {}
    while len(switched) < len(cluster.replicas):
        assert time.monotonic() - promoted < PROMOTION_BUDGET_SECONDS, f"switched: {switched}"
        for index in range(len(cluster.replicas)):
            if index not in switched and NEW_GREETING in greet_replica(cluster, index):
                switched[index] = time.monotonic() - promoted
        time.sleep(1)
    print(f"\n[promotion] replicas answer with the new model after {switched} s")
    # The conversation goes on where it was, through the proxy, to the end.
    consumer.step(consumer.account, "останні 6 цифр")
    consumer.step(consumer.proof, "Це ваша адреса?")
    consumer.step("Так", "Рахунок додано")
    assert consumer.tally.unexpected == [] and consumer.tally.retried == 0


def model_with_greeting(source: Path, target: Path, greeting: str) -> Path:
    """A copy of the trained model whose greeting says `greeting` (a new model id):
    a model the replicas can be seen to have loaded, without training one."""
    with (
        tarfile.open(source, "r:gz") as original,
        tarfile.open(target, "w:gz", compresslevel=1) as copy,
    ):
        for member in original:
            content = original.extractfile(member) if member.isfile() else None
            if content is not None and member.name.lstrip("./") == "metadata.json":
                metadata = json.loads(content.read())
                metadata["model_id"] = uuid.uuid4().hex
                metadata["domain"]["responses"]["utter_greet"][0]["text"] = greeting
                content = io.BytesIO(json.dumps(metadata, ensure_ascii=False).encode())
                member.size = len(content.getvalue())
            copy.addfile(member, content)
    return target


def greet_replica(cluster: Cluster, index: int) -> str:
    """What one replica answers a new chat's «Привіт», straight, not through the proxy."""
    chat = next(_next_chat)
    request = urllib.request.Request(
        f"{cluster.replica_urls()[index]}/webhooks/telegram/webhook",
        data=json.dumps(tg_text(chat, "Привіт"), ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        assert response.status == 200
    return texts([m for m in cluster.telegram_api.sent() if str(m["chat_id"]) == str(chat)])


def test_concurrent_consumers_on_two_replicas(cluster):
    tally = run_phase(cluster, "steady", consumers=5)
    assert len(tally.confirmed) == 5 and tally.retried == 0


def test_postgresql_restart_during_load(cluster):
    run_phase(cluster, "postgres restart", consumers=6, fault=lambda: restart_postgres(cluster))


def test_redis_restart_during_load(cluster):
    run_phase(cluster, "redis restart", consumers=6, fault=lambda: cluster.redis.restart(2))


def test_kill_9_of_a_replica_during_load(cluster):
    victim = cluster.replicas[1]
    victim_address = f"127.0.0.1:{cluster.rasa_ports[1]}"
    # A consumer talking to a clerk when the replica dies keeps the case.
    talker = CaseConsumer(cluster, chat=889901)
    case_id = talker.open_case()
    tally = run_phase(cluster, "kill -9 replica", consumers=6, fault=victim.kill9)
    # nginx marks the dead replica down and sends the traffic to the live one:
    # once the requests in flight at the kill are answered, none goes there.
    tail = cluster.nginx.routed_to()[-10:]
    assert len(tail) == 10 and victim_address not in tail
    assert tally.confirmed
    talker.talk_with_the_clerk_after_the_kill(case_id)


class CaseConsumer(Consumer):
    """A Telegram consumer who asks for a person through the proxy (docs/handoff.md)."""

    def __init__(self, cluster: Cluster, chat: int):
        self.cluster, self.api, self.chat, self.tally, self.seen = (
            cluster,
            cluster.telegram_api,
            chat,
            Tally(),
            0,
        )
        self.sender = SenderKey("telegram", f"telegram:{chat}")

    def deliver(self, update: Dict) -> List[Dict]:
        while self._post(update) != 200:
            time.sleep(0.5)
        return self._replies()

    def open_case(self) -> int:
        contacts = self.deliver(tg_text(self.chat, "з'єднайте з оператором"))
        [offer] = [
            button
            for body in contacts
            for row in (body.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if button["text"] == OFFER_TITLE
        ]
        opened = texts(self.deliver(tg_callback(self.chat, offer["callback_data"])))
        assert "Звернення №" in opened
        with Session(self.cluster.engine, future=True) as session:
            return cases.open_case_of(session, self.sender).id

    def talk_with_the_clerk_after_the_kill(self, case_id: int) -> None:
        # The live replica routes the message to the case; the assistant stays out.
        assert "Передав працівнику" in self.send("Лічильник не крутиться")
        with Session(self.cluster.engine, future=True) as session:
            lines = [(m.author, m.text) for m in cases.case_messages(session, case_id)]
        assert lines[-1] == ("consumer", "Лічильник не крутиться")
        self.clerk(lambda s, now: staff_cases.reply(s, "clerk1", now, case_id, "Надішліть фото."))
        assert self.delivered() == "Відповідь працівника:\nНадішліть фото."
        self.clerk(lambda s, now: staff_cases.close(s, "clerk1", now, case_id, "вирішено"))
        assert "закрив звернення" in self.delivered()
        assert "Вітаю" in self.send("/start")  # the assistant again

    def clerk(self, work) -> None:
        with Session(self.cluster.engine, future=True) as session, session.begin():
            work(session, pinned_now())

    def delivered(self) -> str:
        """Runs the outbox sender until the clerk's message reached this chat."""
        before = self.seen
        db_engine.use_engine(self.cluster.engine)
        try:
            asyncio.run(
                run_until(
                    make_sender(self.api),
                    lambda: (
                        len([m for m in self.api.sent() if str(m["chat_id"]) == str(self.chat)])
                        > before
                    ),
                )
            )
        finally:
            db_engine.use_engine(None)
        return texts(self._replies())


def restart_postgres(cluster: Cluster) -> None:
    assert cluster.postgres is not None
    cluster.postgres.restart(down_seconds=3)


def test_nothing_is_left_half_done(cluster):
    """After all the faults: no reading in force twice for a meter and month."""
    with Session(cluster.engine, future=True) as session:
        doubled = session.execute(
            select(Reading.meter_id, Reading.period, func.count())
            .where(Reading.in_force.is_(True))
            .group_by(Reading.meter_id, Reading.period)
            .having(func.count() > 1)
        ).all()
    assert doubled == []
