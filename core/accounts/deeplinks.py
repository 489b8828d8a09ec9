"""Deep links printed on paper bills: `t.me/<bot>?start=<token>` and Viber's
`viber://pa?chatURI=<uri>&context=<token>`.

The token is random and stored per account (`BillLink`), not derived from the
account number: it carries nothing a reader of the bill could decode or walk,
needs no key to guard or rotate, and one account's token can be replaced on its
own (a new bill run with `--renew`) while every other printed bill keeps working.
A forged, mistyped or replaced token resolves to nothing, and the chat starts
with the ordinary greeting. A valid one only fills in the number: the proof of
ownership is still asked for, because a bill in hand proves nothing.
"""

from __future__ import annotations

import re
import secrets
from typing import Optional
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import Account, BillLink

# 16 random bytes as URL-safe base64: 22 characters of [A-Za-z0-9_-], well
# within Telegram's 64 for a start parameter and safe in Viber's context.
TOKEN_BYTES = 16
TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def telegram_link(bot_name: str, token: str) -> str:
    return f"https://t.me/{bot_name.lstrip('@')}?start={token}"


def viber_link(chat_uri: str, token: str) -> str:
    return f"viber://pa?chatURI={quote(chat_uri, safe='')}&context={token}"


def account_for_token(session: Session, token: str) -> Optional[str]:
    """The number of the active account the token was printed for, if it still is its token."""
    if not TOKEN_FORMAT.match(token or ""):
        return None
    return session.execute(
        select(Account.number)
        .join(BillLink, BillLink.account_id == Account.id)
        .where(BillLink.token == token, Account.active.is_(True))
    ).scalar_one_or_none()
