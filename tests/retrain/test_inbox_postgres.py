"""The inbox on PostgreSQL, configured as in production: endpoints.yml plus TRACKER_DB_*."""

from __future__ import annotations

import csv
import io

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from devtools.harness.processes import ROOT
from staff.cli import main as teplo
from tests.support.clock import pinned_now

DATABASE = "retrain_tracker"


def parsed(text_: str, intent: str, confidence: float, ranking):
    return {
        "text": text_,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
    }


async def test_inbox_reads_conversations_from_postgresql(
    postgres_url, engine, monkeypatch, tmp_path
):
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    server = make_url(postgres_url)
    for name, value in {
        "TRACKER_DB_DIALECT": "postgresql",
        "TRACKER_DB_HOST": f"{server.host}:{server.port}",
        "TRACKER_DB_NAME": DATABASE,
        "TRACKER_DB_USER": server.username,
        "TRACKER_DB_PASSWORD": "",
        "ACTION_SERVER_TOKEN": "",  # Rasa expands every ${...} of endpoints.yml
    }.items():
        monkeypatch.setenv(name, value)

    # Rasa's own SQL tracker store, built from endpoints.yml as the server builds it.
    store = TrackerStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"))
    for sender, words, intent, confidence, ranking in [
        (
            "pg-1",
            "Коли буде перерахунок?",
            "nlu_fallback",
            0.45,
            [("nlu_fallback", 0.45), ("ask_tariff", 0.31), ("help", 0.2)],
        ),
        (
            "pg-2",
            "коли буде перерахунок",
            "nlu_fallback",
            0.45,
            [("nlu_fallback", 0.45), ("ask_tariff", 0.33), ("help", 0.2)],
        ),
        ("pg-3", "хочу передати показники", "submit_reading", 0.99, [("submit_reading", 0.99)]),
    ]:
        event = UserUttered(
            words,
            intent={"name": intent, "confidence": confidence},
            parse_data=parsed(words, intent, confidence, ranking),
            timestamp=pinned_now().timestamp(),
        )
        await store.save(DialogueStateTracker.from_events(sender, [event]))
    store.engine.dispose()

    out = tmp_path / "review.csv"
    assert teplo(["retrain", "inbox", "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))[1:]
    assert [row[:6] for row in rows] == [
        ["Коли буде перерахунок?", "2", "2", "ask_tariff", "0,32", "не зрозумів"]
    ]
