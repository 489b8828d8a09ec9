"""«Видаліть мої дані» through the real servers: asked first, then done."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import AccountLink, ForgetRequest
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from devtools.harness.processes import MODEL
from tests.support.clock import TEST_NOW

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)"),
]


@pytest.fixture(scope="module")
def stack(sqlite_stack):
    """The session's stack, reseeded; two REST users linked to one account."""
    sqlite_stack.reseed()
    now = datetime.fromisoformat(TEST_NOW)
    with Session(sqlite_stack.engine, future=True) as session, session.begin():
        account = accounts_repo.find_account(session, "0100004")
        for sender in ("keeper", "leaver"):
            accounts_repo.link_account(session, SenderKey("rest", sender), account, now)
    return sqlite_stack


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def links(engine, sender: str) -> int:
    with Session(engine, future=True) as session:
        return session.execute(
            select(func.count(AccountLink.id)).where(AccountLink.sender_id == sender)
        ).scalar_one()


def test_declining_keeps_everything(stack):
    assert "Видалити ваші дані?" in texts(stack.say("keeper", "видаліть мої дані"))
    assert "нічого не видаляю" in texts(stack.say("keeper", "ні"))
    assert links(stack.engine, "keeper") == 1


def test_confirming_deletes_the_links_and_queues_the_conversation(stack):
    assert "Видалити ваші дані?" in texts(stack.say("leaver", "забудьте мене"))
    assert "Ваші дані видалено" in texts(stack.say("leaver", "так"))
    assert links(stack.engine, "leaver") == 0
    with Session(stack.engine, future=True) as session:
        queued = session.execute(select(ForgetRequest.sender_id)).scalars().all()
    assert queued == ["leaver"]
    # Afterwards the assistant knows no account of theirs.
    assert "0100004" not in texts(stack.say("leaver", "мої рахунки"))
