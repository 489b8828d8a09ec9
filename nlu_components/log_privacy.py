"""Keeps what users typed out of the Rasa server's logs.

Rasa logs a message that starts with "/" but is not valid `/intent{...}`
syntax in full: as a Python warning ("Failed to parse arguments in line …")
and as a structlog event ("message.parsing.failed", user_text=…). A user who
types "/" and then their account number or address would put it in the log.
The warning is dropped and structlog events lose their text fields.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict

import structlog

TEXT_FIELDS = ("user_text", "text", "message", "user_message", "parse_data")
HIDDEN = "<приховано>"


def _redact(_logger: Any, _method: str, event: Dict[str, Any]) -> Dict[str, Any]:
    for field in TEXT_FIELDS:
        if field in event:
            event[field] = HIDDEN
    return event


def install() -> None:
    """Idempotent: the filter and the structlog processor are added once."""
    warnings.filterwarnings("ignore", message=r"Failed to parse arguments in line")
    processors = list(structlog.get_config().get("processors", []))
    if _redact not in processors:
        structlog.configure(processors=[_redact, *processors])
