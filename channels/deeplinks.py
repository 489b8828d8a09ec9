"""What a bill's link starts: the account form with the number filled in, or,
for a token that is forged, mistyped or replaced, the ordinary greeting.

The token is looked up, never parsed (`core.accounts.deeplinks`); Rasa gets the
intent with the number as an entity, and the form still asks for the proof.
"""

from __future__ import annotations

import json
from typing import Optional

from core.accounts.deeplinks import TOKEN_FORMAT, account_for_token
from core.db.engine import run_unit_of_work

GREET = "/greet"


async def account_of(payload: str) -> Optional[str]:
    """The account number a bill's token stands for, if it is a live token."""
    payload = (payload or "").strip()
    if not TOKEN_FORMAT.match(payload):
        return None  # not worth a database round trip
    return await run_unit_of_work(lambda s: account_for_token(s, payload))


def add_account(number: str) -> str:
    """The message that opens the account form with `number` filled in."""
    return "/add_account" + json.dumps({"account_number": number})


async def start_text(payload: str) -> str:
    number = await account_of(payload)
    return add_account(number) if number else GREET
