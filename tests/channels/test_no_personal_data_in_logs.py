"""Fault injection: whatever fails, no log line carries what the consumer said.

A tracker-store write fails under Rasa's own SQL tracker store, a consumer
types a forged intent with their name and account in it, and the database
refuses a channel's write; every record (pytest's capture and a log file the
way the stack writes one) is scanned for the test's personal strings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.viber import SIGNATURE_HEADER
from tests.support.payloads import good_secret, telegram_body, tg_text, viber_signed, viber_text

NAME, ACCOUNT, STREET = "Шевчук Олена", "0100004", "вул. Соборності 12"
FORGED = '/inform{"person_name":"' + NAME + '","account_number":"' + ACCOUNT + '"}'
PERSONAL = ("Шевчук", "Олена", ACCOUNT, "Соборності")
CHAT = 5550077


@pytest.fixture
def log_file(tmp_path):
    """A file handler on the root logger, formatted like the stack's logs (with tracebacks)."""
    path = tmp_path / "stack.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    yield path
    logging.getLogger().removeHandler(handler)
    handler.close()


def assert_nothing_personal(caplog, log_file) -> str:
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    logged += log_file.read_text(encoding="utf-8")
    found = [s for s in PERSONAL if s in logged]
    assert not found, f"personal strings in the logs: {found}\n{logged}"
    return logged


def failing_tracker_store(tmp_path) -> SQLTrackerStore:
    """Rasa's own SQL tracker store whose table is gone: every write fails."""
    import channels  # noqa: F401 - the Rasa process loads it, and with it the redaction

    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE events"))
    return store


async def test_a_failing_tracker_store_and_a_forged_intent_leave_no_trace(
    telegram, assistant, telegram_api, tmp_path, caplog, log_file
):
    caplog.set_level(logging.DEBUG)
    store = failing_tracker_store(tmp_path)

    async def save_then_fail(message):
        tracker = DialogueStateTracker.from_events(
            message.sender_id, [UserUttered(message.text, {"name": "inform"})]
        )
        tracker.update(UserUttered(f"{NAME}, {STREET}"), Domain.empty())
        try:
            await store.save(tracker)
        except Exception:
            # What Rasa's processor and Sanic's error handler do with it.
            logging.getLogger("rasa.core.processor").exception("Encountered an exception")
            logging.getLogger("sanic.error").exception("Exception occurred while handling uri")
            raise

    assistant.behaviour = save_then_fail
    status, _ = await telegram.handle(
        good_secret(), telegram_body(tg_text(CHAT, FORGED)), assistant
    )
    assert status == 200 and assistant.texts == [FORGED]
    # The consumer still got an answer: the polite "try again".
    assert telegram_api.sent()
    logged = assert_nothing_personal(caplog, log_file)
    assert "OperationalError" in logged and "reference" in logged


async def test_an_error_message_with_sql_parameters_is_cut_whoever_logs_it(
    tmp_path, caplog, log_file
):
    """An engine someone made without `hide_parameters`, and Rasa's f-string habit."""
    import channels  # noqa: F401

    caplog.set_level(logging.INFO)
    raw = sa.create_engine(f"sqlite:///{tmp_path / 'raw.db'}", future=True)
    with raw.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (a TEXT UNIQUE)"))
        connection.execute(sa.text("INSERT INTO t VALUES (:a)"), {"a": NAME})
    with pytest.raises(sa.exc.IntegrityError) as raised:
        with raw.begin() as connection:
            connection.execute(sa.text("INSERT INTO t VALUES (:a)"), {"a": NAME})
    assert NAME in str(raised.value)  # the raw message does carry it
    logging.getLogger("rasa.core.tracker_store").error(f"Could not create tables: {raised.value}")
    logging.getLogger("rasa.core.tracker_store").error("Failed: %s", raised.value)
    assert_nothing_personal(caplog, log_file)
    assert "withheld" in caplog.text


@contextmanager
def refused_writes(engine, table: str) -> Iterator[None]:
    """Makes the database refuse every write to `table`, as a full disk would.

    Both dialects refuse with an integrity error; the trigger is dropped
    afterwards because the PostgreSQL schema outlives the test (it is only
    truncated between tests).
    """
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for event in ("INSERT", "UPDATE"):
                connection.execute(
                    sa.text(
                        f"CREATE TRIGGER refuse_{event.lower()} BEFORE {event} ON {table} "
                        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                    )
                )
        else:
            connection.execute(
                sa.text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused' USING ERRCODE = 'integrity_constraint_violation'; "
                    "END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                sa.text(
                    f"CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                for event in ("insert", "update"):
                    connection.execute(sa.text(f"DROP TRIGGER IF EXISTS refuse_{event}"))
            else:
                connection.execute(sa.text(f"DROP TRIGGER IF EXISTS refuse ON {table}"))
                connection.execute(sa.text("DROP FUNCTION IF EXISTS refuse()"))


async def test_a_database_error_in_a_channel_leaves_no_trace(
    engine, telegram, viber, assistant, telegram_api, viber_api, caplog, log_file
):
    caplog.set_level(logging.DEBUG)
    with refused_writes(engine, "channel_keyboards"):

        async def answer_with_buttons(message):
            await message.output_channel.send_text_with_buttons(
                message.sender_id,
                "Оберіть рахунок",
                [{"title": f"{NAME}, {ACCOUNT}", "payload": f'/choose{{"account":"{ACCOUNT}"}}'}],
            )

        assistant.behaviour = answer_with_buttons
        status, _ = await telegram.handle(
            good_secret(), telegram_body(tg_text(CHAT, FORGED)), assistant
        )
        assert status == 200 and telegram_api.sent()
        body, signature = viber_signed(viber_text("vbuser0077==", FORGED))
        status, _ = await viber.handle({SIGNATURE_HEADER: signature}, body, assistant, lambda: [])
        assert status == 200 and viber_api.sent()
    logged = assert_nothing_personal(caplog, log_file)
    assert "viber: remembering the keyboard failed" in logged and "IntegrityError" in logged
