"""Real rasa-sdk Trackers and dispatchers for driving actions in tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
_domain_cache: Dict[str, Any] = {}


def domain() -> Dict[str, Any]:
    if not _domain_cache:
        _domain_cache.update(yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")))
    return _domain_cache


def tracker(
    text: str = "",
    intent: str = "inform",
    *,
    sender_id: str = "user-1",
    channel: str = "telegram",
    slots: Optional[Dict[str, Any]] = None,
    set_now: Optional[Dict[str, Any]] = None,
    entities: Iterable[Dict[str, Any]] = (),
    active_loop: Optional[str] = None,
    confidence: float = 0.99,
    previous_intents: Iterable[str] = (),
) -> Tracker:
    """A tracker right after the user said `text`.

    `slots` were set in earlier turns; `set_now` were extracted from this
    message (what the form's validation gets to validate).
    """
    all_slots = {name: None for name in domain()["slots"]}
    all_slots.update(slots or {})
    all_slots.update(set_now or {})
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
    }
    events: List[Dict[str, Any]] = []
    for earlier in previous_intents:
        events.append(
            {
                "event": "user",
                "text": earlier,
                "input_channel": channel,
                "parse_data": {"intent": {"name": earlier, "confidence": 0.3}},
            }
        )
        events.append({"event": "action", "name": "action_listen"})
    events.append({"event": "user", "text": text, "parse_data": parse, "input_channel": channel})
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_now or {}).items()]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=parse,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


class _SlotsOnly:
    """The part of Rasa's tracker its response generator reads: the slot values."""

    def __init__(self, slots: Dict[str, Any]) -> None:
        self._slots = slots

    def current_slot_values(self) -> Dict[str, Any]:
        return dict(self._slots)


# A `{name}` the response generator left unfilled (it leaves the response as is).
UNFILLED = re.compile(r"{[^\n{}]+?}")


async def rendered(messages: List[Dict], slots: Dict[str, Any]) -> List[Dict]:
    """The messages as the Rasa server sends them to the user: responses named by
    the action filled from domain.yml with its variables, as Rasa does it."""
    nlg = TemplatedNaturalLanguageGenerator(domain()["responses"])
    bot = await RemoteAction._utter_responses(
        [dict(message) for message in messages],
        CollectingOutputChannel(),
        nlg,
        _SlotsOnly(slots),
    )
    assert len(bot) == len(messages), "an action named a response that domain.yml lacks"
    said = [event.message() for event in bot]
    for message in said:
        assert not UNFILLED.search(message.get("text") or ""), message
    return said


async def run(action: Action, tracker_: Tracker) -> Tuple[Dict[str, Any], List[str], List[Dict]]:
    """Runs the action; returns the slots it set, the texts it said, and all messages
    (as the user sees them: domain responses rendered)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_, domain())
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    messages = await rendered(dispatcher.messages, tracker_.slots)
    texts = [m.get("text") or "" for m in messages]
    return slots, texts, messages


def button_titles(messages: List[Dict]) -> List[str]:
    return [button["title"] for message in messages for button in message.get("buttons") or []]
