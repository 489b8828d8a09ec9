"""Conversations of the «Розмови» tests, saved by Rasa's own SQLTrackerStore built
from the project's endpoints.yml, on the backend of the app database; and what
they led to in our tables (a stored reading, a case, a forget-me request)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Dict, List

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from core.handoff import cases
from core.privacy import forget_sender
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from tests.support.db import in_session

TRACKER_DATABASE = "review_tracker"


def user(text_: str, intent: str, confidence: float = 0.95, entities=(), ranking=()):
    """A consumer's message as the NLU parsed it (the fallback keeps the real ranking)."""
    return {
        "text": text_,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]
        or [{"name": intent, "confidence": confidence}],
        "entities": list(entities),
    }


@dataclass(frozen=True)
class Say:
    """One step: ("user", parse) | ("bot", text) | ("action", name) | ("loop", name|None)
    | ("slot", (name, value))."""

    kind: str
    value: object


# sender -> conversations (minutes before now, steps)
CONVERSATIONS: Dict[str, List[tuple]] = {
    "telegram:900001": [
        (60 * 24 * 10, [Say("user", user("Привіт", "greet")), Say("action", "utter_greet")]),
        (
            180,
            [
                Say(
                    "user",
                    user(
                        "ываыва",
                        "nlu_fallback",
                        0.3,
                        ranking=[("nlu_fallback", 0.3), ("greet", 0.21)],
                    ),
                ),
                Say("action", "action_fallback"),
                Say("bot", "Вибачте, я не зрозумів."),
                Say("user", user("Привіт", "greet")),
                Say("action", "utter_greet"),
            ],
        ),
    ],
    "viber:900002": [
        (
            120,
            [
                Say("user", user("хочу передати показники", "submit_reading")),
                Say("action", "reading_form"),
                Say("loop", "reading_form"),
                Say("user", user("скасувати", "cancel")),
                Say("action", "action_cancel_form"),
                Say("loop", None),
            ],
        )
    ],
    "telegram:900003": [
        (
            60,
            [
                Say(
                    "user",
                    user(
                        "показник по рахунку 0100001, пишіть olena@example.com",
                        "submit_reading",
                        entities=[
                            {"entity": "account_number", "start": 20, "end": 27, "value": "0100001"}
                        ],
                    ),
                ),
                Say("action", "reading_form"),
                Say("loop", "reading_form"),
                Say("slot", ("reading_account", "0100001")),
                Say("user", user("1867,3", "inform")),
                Say("action", "reading_form"),
                Say("slot", ("reading_value", 1867.3)),
                Say("loop", None),
                Say("action", "action_save_readings"),
                Say("bot", "Збережено: 1867,3."),
            ],
        )
    ],
    "telegram:900004": [
        (30, [Say("user", user("з'єднайте з оператором", "contact_operator"))]),
    ],
    "telegram:900006": [(20, [Say("user", user("Привіт", "greet"))])],
}


def _events(sender: str, now: datetime):
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    channel = sender.split(":")[0]
    events = []
    for minutes, steps in sorted(CONVERSATIONS[sender], key=lambda item: -item[0]):
        at = (now - timedelta(minutes=minutes)).timestamp()
        events += [
            ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
        ]
        for number, step in enumerate(steps, start=1):
            when = at + number
            if step.kind == "user":
                parse = step.value
                events.append(
                    UserUttered(
                        parse["text"],
                        intent=parse["intent"],
                        entities=parse["entities"],
                        parse_data=parse,
                        input_channel=channel,
                        timestamp=when,
                    )
                )
            elif step.kind == "bot":
                events.append(BotUttered(step.value, timestamp=when))
            elif step.kind == "action":
                events.append(ActionExecuted(step.value, timestamp=when))
            elif step.kind == "loop":
                events.append(ActiveLoop(step.value, timestamp=when))
            else:
                events.append(SlotSet(*step.value, timestamp=when))
        events.append(ActionExecuted("action_listen", timestamp=at + len(steps) + 1))
    return events


def write_conversations(
    engine: Engine, project: Path, tmp_path: Path, monkeypatch, now: datetime
) -> int:
    """The conversations above in the tracker store the console reads; returns the
    id of the case 900004 opened."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    settings = {"TRACKER_DB_USER": "", "TRACKER_DB_PASSWORD": "", "ACTION_SERVER_TOKEN": ""}
    if engine.dialect.name == "postgresql":
        server = make_url(engine.url.render_as_string(hide_password=False))
        admin = create_engine(
            server.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True
        )
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {TRACKER_DATABASE}"))
            connection.execute(text(f"CREATE DATABASE {TRACKER_DATABASE}"))
        admin.dispose()
        settings.update(
            TRACKER_DB_DIALECT="postgresql",
            TRACKER_DB_HOST=f"{server.host}:{server.port}",
            TRACKER_DB_NAME=TRACKER_DATABASE,
            TRACKER_DB_USER=server.username or "",
        )
    else:
        settings.update(
            TRACKER_DB_DIALECT="sqlite",
            TRACKER_DB_HOST="",
            TRACKER_DB_NAME=str(tmp_path / "review-tracker.db"),
        )
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    store = TrackerStore.create(
        read_endpoint_config(str(project / "endpoints.yml"), "tracker_store")
    )

    async def save_all():
        for sender in CONVERSATIONS:
            await store.save(DialogueStateTracker.from_events(sender, _events(sender, now)))

    asyncio.run(save_all())
    store.engine.dispose()

    def facts(session):
        # 900003's reading was stored; 900004 asked for a clerk; 900006 asked to be forgotten.
        account = accounts_repo.find_account(session, "0100001")
        meter = accounts_repo.active_meters(session, account.id)[0]
        previous = readings_repo.last_reading(session, meter.id)
        readings_repo.store_reading(
            session,
            meter.id,
            f"{now:%Y-%m}",
            previous.value + Decimal("2"),
            now - timedelta(minutes=50),
            "telegram",
            "telegram:900003",
        )
        case, _ = cases.open_case(
            session,
            SenderKey("telegram", "telegram:900004"),
            "asked",
            [],
            now - timedelta(minutes=29),
        )
        forget_sender(session, SenderKey("telegram", "telegram:900006"), now)
        return case.id

    return in_session(facts)
