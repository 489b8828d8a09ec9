"""Who is talking: the messenger channel and its user id, always together."""

from rasa_sdk import Tracker

from actions.db.repository import SenderKey


def sender_of(tracker: Tracker) -> SenderKey:
    channel = tracker.get_latest_input_channel() or "unknown"
    return SenderKey(channel=channel, sender_id=tracker.sender_id)
