"""Who is talking: a messenger user is a channel plus that channel's user id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SenderKey:
    """A messenger user: the channel and its own user id, never one without the other."""

    channel: str
    sender_id: str
