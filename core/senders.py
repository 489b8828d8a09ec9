"""Who is talking: a messenger user is a channel plus that channel's user id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class SenderKey:
    """A messenger user: the channel and its own user id, never one without the other."""

    channel: str
    sender_id: str


def qualify(channel: str, user_id: Any) -> str:
    """The sender id we give Rasa (`telegram:123`): Rasa keys conversations by the
    sender id alone, so ours carry the channel, and two messengers' users with the
    same number never share a conversation."""
    return f"{channel}:{user_id}"


def unqualify(channel: str, sender_id: str) -> Optional[str]:
    """The messenger's own user id in a `qualify`-ed sender id, or None if the
    sender is not of this channel."""
    prefix = f"{channel}:"
    return sender_id[len(prefix) :] if sender_id.startswith(prefix) else None


def sender_digest(sender: SenderKey) -> str:
    """What stays of a forgotten user where forgetting must not undo a decision
    (a bar on relinking): a one-way SHA-256 of the channel-qualified id.

    A messenger id is short, so the digest is a pseudonym, not anonymity: it
    lets the bar recognise the same user coming back and says nothing else.
    """
    import hashlib

    data = f"teplo-forgotten:{sender.channel}:{sender.sender_id}".encode()
    return "sha256:" + hashlib.sha256(data).hexdigest()[:48]
