"""A failing action never leaves the user in silence and never leaks personal
data into the logs: the user gets an apology with a reference code, the log
gets the same reference, the exception type and the place, nothing else."""

from __future__ import annotations

import logging
import re

import pytest
from rasa_sdk.executor import ActionExecutor

import actions
from core.db import engine as db_engine
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.support.conversation import domain, tracker
from tests.support.db import in_session
from tests.support.metrics import sample

PERSONAL = ("0100004", "Шевченка", "Полтава", "+380501234567", "user-secret-7")


def action_call(name: str, text: str, slots=None, set_now=None) -> dict:
    state = tracker(
        text, "inform", sender_id="user-secret-7", slots=slots, set_now=set_now
    ).current_state()
    return {"next_action": name, "sender_id": "user-secret-7", "tracker": state, "domain": domain()}


def executor() -> ActionExecutor:
    runner = ActionExecutor()
    runner.register_package(actions)
    return runner


def no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text, f"{value!r} leaked into the log"


async def test_an_exception_inside_an_action_becomes_an_apology(seeded, now, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    in_session(
        lambda s: accounts_repo.link_account(
            s, SenderKey("telegram", "user-secret-7"), accounts_repo.find_account(s, "0100004"), now
        )
    )

    def broken(*_args, **_kwargs):
        raise ValueError("account 0100004 at вул. Шевченка, phone +380501234567")

    monkeypatch.setattr(accounts_repo, "linked_accounts", broken)
    failures = sample("teplo_action_failures_total", action="action_list_accounts")
    calls = sample("teplo_action_seconds_count", action="action_list_accounts")
    result = await executor().run(action_call("action_list_accounts", "мої рахунки 0100004"))
    # Counted for the dashboard: one more call of the action, and one more failure.
    assert sample("teplo_action_failures_total", action="action_list_accounts") == failures + 1
    assert sample("teplo_action_seconds_count", action="action_list_accounts") == calls + 1
    [answer] = result["responses"]
    assert "технічна помилка" in answer["text"] and "Код помилки" in answer["text"]
    reference = answer["text"].rsplit(" ", 1)[-1].rstrip(".")
    assert reference in caplog.text and "ValueError" in caplog.text
    assert re.search(r"ValueError at \S+\.py:\d+ in broken", caplog.text)  # where it happened
    no_personal_data(caplog.text)


async def test_database_down_gets_an_apology_without_sql_parameters(engine, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    down = db_engine.make_engine("postgresql+psycopg2://nobody:secret@127.0.0.1:9/none")
    db_engine.use_engine(down)
    try:
        result = await executor().run(
            action_call(
                "validate_account_form",
                "0100004",
                slots={"requested_slot": "account_number"},
                set_now={"account_number": "0100004"},
            )
        )
    finally:
        db_engine.use_engine(engine)
    assert "технічна помилка" in result["responses"][0]["text"]
    assert "OperationalError" in caplog.text
    no_personal_data(caplog.text)
    assert "secret" not in caplog.text


@pytest.mark.parametrize("name", ["action_does_not_exist"])
async def test_unknown_actions_still_follow_rasa_sdks_protocol(name):
    from rasa_sdk.interfaces import ActionNotFoundException

    with pytest.raises(ActionNotFoundException):
        await executor().run(action_call(name, "привіт"))
