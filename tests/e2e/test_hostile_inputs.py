"""Every input of the hostile corpus, thrown at four places through the REST
channel against the real Rasa and action servers: as a first message, at the
account-number prompt, at the ownership-proof prompt and at a reading prompt. Each gets HTTP 200 and at least
one reply, neither server logs a traceback, and nothing is stored or linked."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import AccountLink, Reading
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from devtools.harness.processes import MODEL
from tests.support.clock import TEST_NOW
from tests.support.hostile_corpus import corpus

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)")
INPUTS = corpus()


@pytest.fixture(scope="module")
def stack(sqlite_stack):
    """The session's stack (its lookup limits lifted: hundreds of users answer the
    proof prompt for the same few accounts here), reseeded; a user per input."""
    sqlite_stack.reseed()
    now = datetime.fromisoformat(TEST_NOW)
    with Session(sqlite_stack.engine, future=True) as session, session.begin():
        account = accounts_repo.find_account(session, "0100001")  # one heat meter
        for index in range(len(INPUTS)):
            accounts_repo.link_account(session, SenderKey("rest", f"reading-{index}"), account, now)
    return sqlite_stack


def post(stack, sender: str, text: str):
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, json.loads(response.read() or b"[]")


def test_the_corpus_is_big_enough():
    assert len(INPUTS) >= 200


@pytest.mark.parametrize(
    "place, opening",
    [
        ("first", ()),
        ("account", ("додати особовий рахунок",)),
        ("proof", ("додати особовий рахунок", "0100004")),
        ("reading", ("передати показники",)),
    ],
)
def test_every_hostile_input_gets_an_answer_and_changes_nothing(stack, place, opening):
    started, failures = time.monotonic(), []
    for index, text in enumerate(INPUTS):
        sender = f"{place}-{index}"
        for step in opening:
            status, replies = post(stack, sender, step)
            assert status == 200 and replies, (place, step, replies)
        status, replies = post(stack, sender, text)
        if status != 200 or not any(r.get("text") for r in replies):
            failures.append((index, text[:60], status, replies))
    print(f"{place}: {len(INPUTS)} inputs in {time.monotonic() - started:.0f} s")
    assert failures == []
    for log in (stack.workdir / "rasa.log", stack.workdir / "actions.log"):
        content = log.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in content, content[content.find("Traceback") :][:3000]
        # What users typed stays out of the logs, malformed "/intent{...}" included.
        for typed in ("/inform{broken json", "0100004' OR '1'='1", "UNION SELECT owner_name"):
            assert typed not in content, f"{typed!r} in {log.name}"
    with Session(stack.engine, future=True) as session:
        assert (
            session.execute(
                select(func.count(Reading.id)).where(Reading.sender_id.like(f"{place}-%"))
            ).scalar_one()
            == 0
        )
        links = session.execute(
            select(func.count(AccountLink.id)).where(AccountLink.sender_id.like(f"{place}-%"))
        ).scalar_one()
        # The reading prompt's users stay linked to their one account only.
        assert links == (len(INPUTS) if place == "reading" else 0)
