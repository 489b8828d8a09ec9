"""«Зберегти як тестову історію»: a reviewed conversation as a candidate for the
conversation tests (tests/test_stories.yml), in Rasa's test-story YAML.

The story is written by Rasa's own `YAMLStoryWriter` (test-story mode: the
user's text with its entities annotated inline, the intent, the actions, the
slots and forms as recorded), so `rasa test core` and `YAMLStoryReader` read
it as they read ours. What the consumer wrote is masked as the retraining inbox
masks it (`retrain.text`): numbers keep their shape with other digits, e-mails,
phone numbers, owners' and street names are replaced. Candidates go to
`var/story_candidates/` of the project, outside version control: a person
reviews a candidate (the right intents where the assistant misunderstood,
demo accounts instead of masked ones) before it joins the suite.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import AbstractSet, Any, Dict, List, Optional, Sequence, Tuple

from core.settings import get_settings
from retrain.common import Project
from retrain.text import ascii_digits, mask_numbers, mask_personal
from retrain.transcripts import Conversation

FOLDER = Path("var") / "story_candidates"
_BRACKETS = str.maketrans("[]{}", "()()")


def candidates_folder(project: Project) -> Path:
    """STORY_CANDIDATES_DIR in production (a volume every process that runs
    forget-me mounts at the same path), else the project's `var/story_candidates`."""
    configured = get_settings().story_candidates_dir
    return Path(configured) if configured else project.root / FOLDER


def mask(text: str, private_words: AbstractSet[str] = frozenset()) -> str:
    """A piece of what the consumer wrote with nothing personal left (spaces kept:
    entity offsets are rebuilt around it)."""
    return mask_numbers(mask_personal(ascii_digits(text), private_words)).translate(_BRACKETS)


def mask_value(value: Any, private_words: AbstractSet[str] = frozenset()) -> Any:
    """A slot's value masked the same way, of the same type."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return mask(value, private_words)
    if isinstance(value, (int, float)):
        masked = mask_numbers(repr(value))
        return type(value)(masked)
    if isinstance(value, list):
        return [mask_value(item, private_words) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(item, private_words) for key, item in value.items()}
    return value


def masked_message(
    text: str, entities: Sequence[Dict[str, Any]], private_words: AbstractSet[str] = frozenset()
) -> Tuple[str, List[Dict[str, Any]]]:
    """The text masked piece by piece around its entities, with their new offsets."""
    spans = []
    for entity in sorted(entities, key=lambda e: (e.get("start", -1), e.get("end", -1))):
        start, end = entity.get("start"), entity.get("end")
        valid = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
        if valid and isinstance(entity.get("value"), str) and (not spans or start >= spans[-1][1]):
            spans.append((start, end, entity))
    out, moved, position = "", [], 0
    for start, end, entity in spans:
        out += mask(text[position:start], private_words)
        piece = mask(text[start:end], private_words)
        value = (
            piece if entity["value"] == text[start:end] else mask(entity["value"], private_words)
        )
        moved.append(
            {
                "entity": entity["entity"],
                "start": len(out),
                "end": len(out) + len(piece),
                "value": value,
            }
        )
        out += piece
        position = end
    return out + mask(text[position:], private_words), moved


def _events(conversation: Conversation, private_words: AbstractSet[str]) -> List[Any]:
    """Rasa's events of the conversation, what the consumer wrote masked."""
    from rasa.shared.core.events import Event, SlotSet, UserUttered

    events = []
    for data in conversation.events:
        try:
            event = Event.from_parameters(dict(data))
        except Exception:  # an event this Rasa does not know: not part of a story
            continue
        if isinstance(event, UserUttered):
            text, entities = masked_message(event.text or "", event.entities, private_words)
            event = UserUttered(text, intent=event.intent, entities=entities)
        elif isinstance(event, SlotSet):
            event = SlotSet(event.key, mask_value(event.value, private_words))
        if event is not None:
            events.append(event)
    return events


def story_yaml(conversation: Conversation, private_words: AbstractSet[str] = frozenset()) -> str:
    """The conversation as one test story, with a header saying what to check."""
    from rasa.shared.core.training_data.story_writer.yaml_story_writer import YAMLStoryWriter
    from rasa.shared.core.training_data.structures import Story

    day = f"{conversation.started_at:%Y-%m-%d}"
    name = f"розмова {conversation.first_event_id} ({conversation.channel or 'канал?'}, {day})"
    story = Story.from_events(_events(conversation, private_words), name)
    body = YAMLStoryWriter().dumps(story.story_steps, is_test_story=True)
    unclear = [line for line in conversation.user_lines if line.fallback]
    header = [
        f"# Кандидат у тестові історії: {name}.",
        "# Записано з «Розмов» консолі; числа, телефони, e-mail та імена замасковано.",
        "# Перш ніж переносити до tests/test_stories.yml: виправте наміри, де бот помилився,",
        "# підставте демонстраційні рахунки замість замаскованих, приберіть зайві кроки.",
    ]
    if unclear:
        header.append(
            f"# Повідомлень, яких бот не зрозумів (intent: nlu_fallback): {len(unclear)}; "
            "вкажіть правильний намір."
        )
    return "\n".join(header) + "\n" + body


def write_candidate(
    project: Project,
    conversation: Conversation,
    now: datetime,
    private_words: AbstractSet[str] = frozenset(),
    folder: Optional[Path] = None,
) -> Path:
    """Writes (or rewrites) the conversation's candidate file; returns its path."""
    folder = folder or candidates_folder(project)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{conversation.started_at:%Y-%m-%d}-{conversation.first_event_id}.yml"
    partial = path.with_suffix(f".{os.getpid()}.{now.timestamp():.0f}.part")
    partial.write_text(story_yaml(conversation, private_words), encoding="utf-8")
    partial.replace(path)  # a reviewer never opens half a file
    return path
