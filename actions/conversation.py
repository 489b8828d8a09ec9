"""What the actions read off the tracker: who is talking and what they meant."""

from typing import Optional

from rasa_sdk import Tracker

from core.senders import SenderKey


def sender_of(tracker: Tracker) -> SenderKey:
    """The messenger channel and its user id, always together."""
    channel = tracker.get_latest_input_channel() or "unknown"
    return SenderKey(channel=channel, sender_id=tracker.sender_id)


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The latest message's intent as classified, `nlu_fallback` included."""
    return (tracker.latest_message.get("intent") or {}).get("name")
