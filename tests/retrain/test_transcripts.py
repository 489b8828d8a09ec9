"""Conversations read back from what Rasa's SQLTrackerStore wrote: one per Rasa
session, a tracker without a session start, the span cases and readings are
matched in, the channel Rasa recorded."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.engine import make_url

from retrain.transcripts import TranscriptStore, session_minutes
from tests.support.console import ROOT


def test_sessions_are_conversations(tmp_path, now):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    day = now.timestamp()

    def session(at, words, intent):
        return [
            ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
            UserUttered(
                words,
                intent={"name": intent, "confidence": 0.9},
                parse_data={"text": words, "intent": {"name": intent, "confidence": 0.9}},
                input_channel="viber",
                timestamp=at + 1,
            ),
            BotUttered("Добрий день!", timestamp=at + 2),
        ]

    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    two_days = session(day - 2 * 86400, "Привіт", "greet") + session(
        day - 3600, "скасувати", "cancel"
    )
    # Written by other means: no session start, the tracker's first event begins it.
    bare = [UserUttered("/greet", intent={"name": "greet"}, timestamp=day - 60)]

    async def save():
        await store.save(DialogueStateTracker.from_events("viber:1", two_days))
        await store.save(DialogueStateTracker.from_events("telegram:2", bare))

    asyncio.run(save())
    store.engine.dispose()

    gap = timedelta(minutes=session_minutes(ROOT / "domain.yml"))
    assert gap == timedelta(days=1)  # domain.yml: session_expiration_time 1440
    with TranscriptStore(make_url(f"sqlite:///{tmp_path / 'tracker.db'}"), gap) as reader:
        # The list of everyone looks only at session starts; one sender's at its first event too.
        assert [h.sender_id for h in reader.heads(now - timedelta(days=3), now)] == ["viber:1"] * 2
        heads = reader.heads(None, None, senders=["viber:1", "telegram:2"])
        assert [h.sender_id for h in heads] == ["telegram:2", "viber:1", "viber:1"]
        bare_one, recent, older = reader.conversations(heads)
        assert older.until == older.last_at + gap and recent.until == recent.last_at + gap
        assert [line.text for line in older.lines] == ["Привіт", "Добрий день!"]
        assert recent.cancelled and not older.cancelled and older.channel == "viber"
        assert bare_one.channel == "telegram" and bare_one.user_lines[0].intent == "greet"
        assert reader.head_of(older.first_event_id).at == older.started_at
        assert reader.head_of(older.first_event_id + 3) is None  # inside a conversation
        assert reader.head_of(10_000) is None
