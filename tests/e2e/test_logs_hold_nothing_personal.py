"""The stack's own log files after injected faults hold none of what the
consumer typed: a forged intent with a name and an account in it, the
assistant's database refusing writes in an action, and Rasa's SQL tracker
store refusing every write (its error quotes the events it failed to save
unless parameters are hidden)."""

from __future__ import annotations

import sqlite3
import urllib.error
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from core.db import engine as db_engine
from core.db.models import Base
from core.demo.seed import seed_demo
from devtools.harness.processes import MODEL
from devtools.harness.stack import running_stack
from tests.support.clock import TEST_NOW

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)"),
]

NAME, STREET = "Шевчук Олена", "вул. Соборності 12"
FORGED = '/inform{"person_name":"' + NAME + '","account_number":"0100004"}'
PERSONAL = ("Шевчук", "Олена", "Соборності", "0100004")


def refuse_inserts(path, table: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )


def say(stack, sender: str, text: str) -> int:
    try:
        stack.say(sender, text)
        return 200
    except urllib.error.HTTPError as error:
        return error.code


def test_injected_faults_leave_nothing_personal_in_the_stack_logs(tmp_path):
    assistant_db, tracker_db = tmp_path / "assistant.db", tmp_path / "tracker.db"
    engine = db_engine.make_engine(f"sqlite:///{assistant_db}")
    Base.metadata.create_all(engine)
    with Session(engine, future=True) as session, session.begin():
        seed_demo(session, datetime.fromisoformat(TEST_NOW))
    engine.dispose()
    tracker = f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n"
    env = {"DATABASE_URL": f"sqlite:///{assistant_db}", "ASSISTANT_NOW": TEST_NOW}
    with running_stack(tmp_path, env=env, endpoints_extra=tracker) as stack:
        assert say(stack, "logscan-1", FORGED) == 200
        assert say(stack, "logscan-1", "додати рахунок") == 200
        refuse_inserts(assistant_db, "account_lookups")
        refuse_inserts(assistant_db, "conversation_events")
        say(stack, "logscan-1", "0100004")
        say(stack, "logscan-1", f"{NAME}, {STREET}, рахунок 0100004")
        refuse_inserts(tracker_db, "events")
        say(stack, "logscan-2", f"{NAME}, {STREET}")
        say(stack, "logscan-2", FORGED)
    logs = {
        name: (tmp_path / name).read_text(encoding="utf-8") for name in ("rasa.log", "actions.log")
    }
    found = {name: [s for s in PERSONAL if s in text] for name, text in logs.items()}
    assert found == {"rasa.log": [], "actions.log": []}, logs
    # The faults did happen and were logged by type and place, not content:
    # Rasa's tracker store error is cut at its SQL, the action's database error
    # is a reference with file:line.
    assert "(sqlite3.IntegrityError) refused [SQL and parameters withheld]" in logs["rasa.log"]
    assert "IntegrityError at core/repository/accounts.py" in logs["actions.log"]
