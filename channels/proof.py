"""The ownership proof answered in the channel (`core.accounts.challenge`): typed
digits and shared contacts are checked here and Rasa gets a placeholder, so the
secret never reaches the tracker store, the slots or the logs."""

from __future__ import annotations

from typing import Optional

from core.accounts import challenge
from core.db.engine import run_unit_of_work
from core.senders import SenderKey
from core.settings import get_settings


async def take_text(sender: SenderKey, text: str) -> str:
    """What Rasa gets for `text`: the placeholder if it answered an open challenge
    (any other message ends the challenge: `core.accounts.challenge`)."""
    settings = get_settings()
    now = settings.now()
    taken = await run_unit_of_work(
        lambda s: challenge.take_digits(s, sender, text, now, settings.lookup_limits)
    )
    return taken or text


async def take_phone(sender: SenderKey, phone: str) -> Optional[str]:
    """The placeholder for a phone the messenger vouches for, if a challenge is open."""
    settings = get_settings()
    now = settings.now()
    return await run_unit_of_work(
        lambda s: challenge.take_phone(s, sender, phone, now, settings.lookup_limits)
    )


async def is_asked(sender: SenderKey) -> bool:
    """Whether the user is being asked to prove an account right now."""
    now = get_settings().now()
    return await run_unit_of_work(lambda s: challenge.is_open(s, sender, now))
