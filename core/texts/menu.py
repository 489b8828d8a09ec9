"""The menu and the Yes / No buttons, read from the responses in domain.yml.

The domain is the one place the bot's buttons are written (`&menu` on
`utter_greet`, `&yes_no` on `utter_confirm_address`); code that shows them
outside a Rasa response (the Viber welcome when the model is not loaded yet,
tests) reads them from there, so staff edit them in one place. Read on first
use, not at import: a server that runs from the trained model alone need not
have domain.yml beside it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
MENU_RESPONSE = "utter_greet"
YES_NO_RESPONSE = "utter_confirm_address"

Buttons = List[Dict[str, str]]


@lru_cache(maxsize=1)
def domain_responses() -> Dict[str, List[Dict[str, Any]]]:
    """The `responses` section of domain.yml, parsed once per process."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with DOMAIN_FILE.open(encoding="utf-8") as file:
        return yaml.load(file, Loader=loader)["responses"]


def response_buttons(response: str) -> Buttons:
    """The buttons of a response's first variation: title and payload of each."""
    buttons = domain_responses()[response][0].get("buttons") or []
    return [{"title": str(b["title"]), "payload": str(b["payload"])} for b in buttons]


def menu_buttons() -> Buttons:
    return response_buttons(MENU_RESPONSE)


def yes_no_buttons() -> Buttons:
    return response_buttons(YES_NO_RESPONSE)
