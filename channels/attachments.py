"""Photos and documents, the same in both messengers: checked on what the
messenger says, fetched from it with a size cap, checked again on the bytes,
kept (`core.attachments`), and then told to the assistant as
`/attachment_received{"attachment_token": "..."}` so that it answers in the
context of the conversation (at a reading prompt, in the meter-problem flow).

A file we do not take is answered here, without the assistant.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from channels.http import TooLarge
from channels.output import MessengerOutput
from channels.turns import answer
from core.attachments import (
    AttachmentRefused,
    Refusal,
    declared_refusal,
    max_bytes,
    store_received,
)
from core.senders import SenderKey
from core.settings import get_settings
from core.texts.attachments import refusal_text

logger = logging.getLogger(__name__)

INTENT = "attachment_received"
ENTITY = "attachment_token"


class Unavailable(Exception):
    """The messenger did not hand the file over."""


@dataclass(frozen=True)
class IncomingFile:
    """What a messenger says about a file before we fetch it."""

    fetch: Callable[[int], Awaitable[bytes]]  # limit in bytes -> the file's bytes
    size: Optional[int] = None
    mime_type: Optional[str] = None
    file_name: Optional[str] = None


def attachment_message(token: str) -> str:
    """The message the assistant gets for a kept file."""
    return f"/{INTENT}" + json.dumps({ENTITY: token}, separators=(",", ":"))


async def receive(
    output: MessengerOutput,
    sender: SenderKey,
    incoming: IncomingFile,
    turn: Callable[[str], Awaitable[None]],
) -> None:
    """Keeps the file and lets the assistant answer, or says why it was refused."""
    reason = declared_refusal(incoming.size, incoming.mime_type, incoming.file_name)
    if reason is None:
        try:
            data = await incoming.fetch(max_bytes())
            token = await store_received(data, sender, get_settings().now())
        except TooLarge:
            reason = Refusal.TOO_BIG
        except AttachmentRefused as refused:
            reason = refused.reason
        except Unavailable as error:
            logger.warning(
                "%s: a file could not be fetched: %s", output.channel, type(error).__name__
            )
            reason = Refusal.UNAVAILABLE
    if reason is not None:
        logger.info("%s: a file refused: %s", output.channel, reason.value)
        await answer(output, sender.sender_id, refusal_text(reason))
        return
    await turn(attachment_message(token))
