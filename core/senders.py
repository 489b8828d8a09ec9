"""Who is talking: a messenger user is a channel plus that channel's user id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SenderKey:
    """A messenger user: the channel and its own user id, never one without the other."""

    channel: str
    sender_id: str


def sender_digest(sender: SenderKey) -> str:
    """What stays of a forgotten user where forgetting must not undo a decision
    (a bar on relinking): a one-way SHA-256 of the channel-qualified id.

    A messenger id is short, so the digest is a pseudonym, not anonymity: it
    lets the bar recognise the same user coming back and says nothing else.
    """
    import hashlib

    data = f"teplo-forgotten:{sender.channel}:{sender.sender_id}".encode()
    return "sha256:" + hashlib.sha256(data).hexdigest()[:48]
