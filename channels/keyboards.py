"""Rasa buttons as messenger keyboards: which kind, how laid out, and how a
pressed reply-keyboard title finds its way back to its payload."""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional, Sequence

from core.texts.accounts import SHARE_PHONE_PAYLOAD

Button = Dict[str, str]

# A row holds up to this many buttons whose titles together fit this width;
# longer titles get a row of their own so that phones do not truncate them.
MAX_PER_ROW = 3
ROW_WIDTH = 30
TELEGRAM_CALLBACK_BYTES = 64
VIBER_GRID_COLUMNS = 6


def clean(buttons: Optional[Sequence[Dict[str, Any]]]) -> List[Button]:
    """Buttons with a title and a payload, as strings; anything else dropped."""
    kept = []
    for button in buttons or []:
        title, payload = button.get("title"), button.get("payload")
        if title and payload:
            kept.append({"title": str(title), "payload": str(payload)})
    return kept


def belongs_to_message(buttons: Sequence[Button]) -> bool:
    """A choice carrying data (an account number, ...) belongs to the message that
    offered it; general answers (menu, Yes/No, Save/Change) are the chat's keyboard."""
    return any("{" in b["payload"] for b in buttons)


def rows(buttons: Sequence[Button]) -> List[List[Button]]:
    """Greedy packing of buttons into rows, keeping their order."""
    packed: List[List[Button]] = []
    for button in buttons:
        row = packed[-1] if packed else None
        if (
            row is not None
            and len(row) < MAX_PER_ROW
            and sum(len(b["title"]) for b in row) + len(button["title"]) <= ROW_WIDTH
        ):
            row.append(button)
        else:
            packed.append([button])
    return packed


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def payload_for(text: str, keyboard: Sequence[Button]) -> Optional[str]:
    """The payload of the keyboard button whose title the user sent, if any."""
    wanted = _normal(text)
    for button in keyboard:
        if _normal(button["title"]) == wanted:
            return button["payload"]
    return None


# --- Telegram -------------------------------------------------------------------------


def fits_callback(buttons: Sequence[Button]) -> bool:
    return all(len(b["payload"].encode()) <= TELEGRAM_CALLBACK_BYTES for b in buttons)


def telegram_inline(buttons: Sequence[Button]) -> Dict[str, Any]:
    """One button per row: these titles are long (account and address)."""
    return {
        "inline_keyboard": [[{"text": b["title"], "callback_data": b["payload"]}] for b in buttons]
    }


def _telegram_key(button: Button) -> Dict[str, Any]:
    if button["payload"] == SHARE_PHONE_PAYLOAD:
        # Telegram sends the user's own contact, after asking them (the ownership proof).
        return {"text": button["title"], "request_contact": True}
    return {"text": button["title"]}


def telegram_reply(buttons: Sequence[Button]) -> Dict[str, Any]:
    return {
        "keyboard": [[_telegram_key(b) for b in row] for row in rows(buttons)],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


TELEGRAM_REMOVE = {"remove_keyboard": True}


# --- Viber ----------------------------------------------------------------------------


def viber_keyboard(buttons: Sequence[Button]) -> Dict[str, Any]:
    """A Viber keyboard whose presses send the payload, not shown in the chat."""
    viber_buttons = []
    # No share-phone on Viber: its contact cannot be told from a forwarded card
    # (core/accounts/ownership.py), so it would prove nothing.
    buttons = [b for b in buttons if b["payload"] != SHARE_PHONE_PAYLOAD]
    for row in rows(buttons):
        for button in row:
            viber_buttons.append(
                {
                    "Columns": VIBER_GRID_COLUMNS // len(row),
                    "Rows": 1,
                    "ActionType": "reply",
                    "ActionBody": button["payload"],
                    "Text": html.escape(button["title"], quote=False),
                    "TextSize": "regular",
                    "BgColor": "#E3EEF9",
                    # The payload is for the assistant; the user sees the reply, not "/affirm".
                    "Silent": True,
                }
            )
    return {"Type": "keyboard", "DefaultHeight": False, "Buttons": viber_buttons}
