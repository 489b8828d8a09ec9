"""Whole conversations as Rasa stored them in the SQL tracker store (the «Розмови» page).

A conversation is one Rasa session: it begins at the `action_session_start`
Rasa writes whenever a session starts (a tracker without one begins at its
first event) and lasts until the sender's next session. It is named by the
tracker store's id of that first event, which never changes: Rasa only
appends events.

Reads the `events` table directly with SQLAlchemy, like `retrain.trackerdb`,
and only the senders asked for; nothing here imports Rasa.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Collection, Dict, Iterable, Iterator, List, Optional, Sequence

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import URL

from core.errors import StaffError
from core.settings import KYIV
from retrain.trackerdb import FALLBACK_INTENT

SESSION_START = "action_session_start"
SAVE_ACTION = "action_save_readings"
READING_FORM = "reading_form"
CANCEL_INTENT = "cancel"
SUBMIT_INTENTS = ("submit_reading", "correct_reading")
# Actions every turn has: the transcript leaves them out.
QUIET_ACTIONS = ("action_listen", SESSION_START)
# Rasa's default when domain.yml says nothing (session_expiration_time, minutes).
DEFAULT_SESSION_MINUTES = 60
SENDER_CHUNK = 200

_EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("action_name"),
    sa.column("data"),
)


@dataclass(frozen=True)
class Head:
    """Where a conversation begins: the event id, its sender and time."""

    event_id: int
    sender_id: str
    at: datetime


@dataclass(frozen=True)
class Line:
    """One shown step: a consumer's message, the assistant's answer, an action."""

    event_id: int
    at: datetime
    kind: str  # "user", "bot", "action", "loop"
    text: str
    intent: str = ""  # user: the NLU's intent (the best real one when the fallback fired)
    confidence: float = 0.0
    fallback: bool = False
    entities: Sequence[Dict[str, Any]] = ()


@dataclass
class Conversation:
    first_event_id: int
    sender_id: str
    channel: str
    started_at: datetime
    last_at: datetime
    # The end of the span cases and readings are matched in: the sender's next
    # conversation, or the last event plus the session expiry.
    until: datetime
    lines: List[Line] = field(default_factory=list)
    events: List[Dict[str, Any]] = field(default_factory=list)  # as Rasa stored them

    @property
    def user_lines(self) -> List[Line]:
        return [line for line in self.lines if line.kind == "user"]

    @property
    def misunderstood(self) -> bool:
        return any(line.fallback for line in self.user_lines)

    @property
    def cancelled(self) -> bool:
        return any(line.intent == CANCEL_INTENT and not line.fallback for line in self.user_lines)

    @property
    def began_submission(self) -> bool:
        """The consumer started giving a reading (the form ran or they asked to)."""
        return any(
            (line.kind == "loop" and line.text == READING_FORM)
            or (line.kind == "user" and line.intent in SUBMIT_INTENTS and not line.fallback)
            for line in self.lines
        )


def session_minutes(domain: Path) -> int:
    """`session_config.session_expiration_time` of domain.yml (minutes)."""
    try:
        config = (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("session_config")
        minutes = int((config or {}).get("session_expiration_time") or 0)
    except (OSError, ValueError, TypeError, yaml.YAMLError):
        minutes = 0
    return minutes or DEFAULT_SESSION_MINUTES


def channel_of(sender_id: str, events: Iterable[Dict[str, Any]] = ()) -> str:
    """The channel Rasa recorded on the consumer's messages, else the sender id's
    prefix (our channels qualify every id: "telegram:123")."""
    for event in events:
        if event.get("event") == "user" and event.get("input_channel"):
            return str(event["input_channel"])
    return sender_id.split(":", 1)[0] if ":" in sender_id else ""


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(float(timestamp), KYIV)


def _failure(error: sa.exc.SQLAlchemyError) -> StaffError:
    cause = str(getattr(error, "orig", None) or error).splitlines()[0]
    return StaffError(f"не вдалося прочитати розмови: {cause}")


class TranscriptStore:
    """The tracker store's conversations; one engine for the reader's lifetime."""

    def __init__(self, url: URL, session_gap: timedelta) -> None:
        self.engine = sa.create_engine(url, future=True, hide_parameters=True)
        self.session_gap = session_gap

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "TranscriptStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- where conversations begin ----------------------------------------------------

    def heads(
        self,
        start: Optional[datetime],
        end: Optional[datetime],
        senders: Optional[Collection[str]] = None,
        channel: str = "",
        limit: int = 1000,
    ) -> List[Head]:
        """Conversations that began in [start, end), newest first, at most `limit`."""
        e = _EVENTS.c
        starts = sa.select(e.id, e.sender_id, e.timestamp).where(
            e.type_name == "action", e.action_name == SESSION_START
        )
        # A tracker Rasa did not begin with a session start (written by other means)
        # begins at its first event. Only looked for among given senders: grouping
        # the whole table on every page would cost too much.
        first_time = sa.func.min(e.timestamp)
        firsts = sa.select(e.sender_id, sa.func.min(e.id), first_time).group_by(e.sender_id)
        if start is not None:
            starts = starts.where(e.timestamp >= start.timestamp())
            firsts = firsts.having(first_time >= start.timestamp())
        if end is not None:
            starts = starts.where(e.timestamp < end.timestamp())
            firsts = firsts.having(first_time < end.timestamp())
        if channel:
            starts = starts.where(e.sender_id.like(f"{channel}:%"))
        found: Dict[int, Head] = {}
        try:
            with self.engine.connect() as connection:
                for chunk in _chunks(senders):
                    if chunk is None:
                        newest = starts.order_by(e.timestamp.desc(), e.id.desc()).limit(limit)
                        rows = list(connection.execute(newest))
                    else:
                        rows = list(connection.execute(starts.where(e.sender_id.in_(chunk))))
                        first_rows = connection.execute(firsts.where(e.sender_id.in_(chunk)))
                        rows += [(first_id, sender, at) for sender, first_id, at in first_rows]
                    for event_id, sender_id, timestamp in rows:
                        head = Head(int(event_id), sender_id, _moment(timestamp))
                        found.setdefault(head.event_id, head)
        except sa.exc.SQLAlchemyError as error:
            raise _failure(error) from error
        return sorted(found.values(), key=lambda h: (h.at, h.event_id), reverse=True)[:limit]

    def head_of(self, event_id: int) -> Optional[Head]:
        """The conversation that begins at this event, if one does."""
        e = _EVENTS.c
        try:
            with self.engine.connect() as connection:
                row = connection.execute(
                    sa.select(e.sender_id, e.timestamp, e.type_name, e.action_name).where(
                        e.id == event_id
                    )
                ).first()
                if row is None:
                    return None
                sender_id, timestamp, type_name, action_name = row
                if not (type_name == "action" and action_name == SESSION_START):
                    earlier = connection.execute(
                        sa.select(sa.func.count()).where(e.sender_id == sender_id, e.id < event_id)
                    ).scalar_one()
                    if earlier:
                        return None
        except sa.exc.SQLAlchemyError as error:
            raise _failure(error) from error
        return Head(event_id, sender_id, _moment(timestamp))

    # --- the conversations themselves -------------------------------------------------

    def conversations(self, heads: Sequence[Head]) -> List[Conversation]:
        """The conversations beginning at these heads, in the order given."""
        by_sender: Dict[str, List[Head]] = {}
        for head in heads:
            by_sender.setdefault(head.sender_id, []).append(head)
        wanted = {head.event_id for head in heads}
        built: Dict[int, Conversation] = {}
        for chunk in _chunks(list(by_sender)):
            lowest = min(h.event_id for sender in chunk for h in by_sender[sender])
            for sender_id, rows in self._events(chunk, lowest):
                for conversation in self._split(sender_id, rows):
                    if conversation.first_event_id in wanted:
                        built[conversation.first_event_id] = conversation
        return [built[head.event_id] for head in heads if head.event_id in built]

    def _events(self, senders: Sequence[str], from_id: int) -> Iterator[tuple]:
        e = _EVENTS.c
        query = (
            sa.select(e.id, e.sender_id, e.timestamp, e.data)
            .where(e.sender_id.in_(senders), e.id >= from_id)
            .order_by(e.sender_id, e.id)
        )
        try:
            with self.engine.connect() as connection:
                current, rows = None, []
                for row in connection.execute(query):
                    if row[1] != current and rows:
                        yield current, rows
                        rows = []
                    current = row[1]
                    rows.append(row)
                if rows:
                    yield current, rows
        except sa.exc.SQLAlchemyError as error:
            raise _failure(error) from error

    def _split(self, sender_id: str, rows: Sequence[tuple]) -> List[Conversation]:
        conversations: List[Conversation] = []
        for event_id, _, timestamp, data in rows:
            event = _loads(data)
            at = _moment(timestamp)
            starts = event.get("event") == "action" and event.get("name") == SESSION_START
            # Rows may begin inside an earlier conversation: it is never one asked for.
            if starts or not conversations:
                conversations.append(
                    Conversation(int(event_id), sender_id, "", at, at, at + self.session_gap)
                )
            conversation = conversations[-1]
            conversation.events.append(event)
            conversation.last_at = at
            line = _line(int(event_id), at, event)
            if line is not None:
                conversation.lines.append(line)
        for index, conversation in enumerate(conversations):
            conversation.channel = channel_of(sender_id, conversation.events)
            conversation.until = conversation.last_at + self.session_gap
            if index + 1 < len(conversations):
                conversation.until = min(conversation.until, conversations[index + 1].started_at)
        return conversations


def _chunks(senders: Optional[Collection[str]]) -> Iterator[Optional[List[str]]]:
    if senders is None:
        yield None
        return
    listed = sorted(set(senders))
    for start in range(0, len(listed), SENDER_CHUNK):
        yield listed[start : start + SENDER_CHUNK]


def _loads(data: Optional[str]) -> Dict[str, Any]:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _line(event_id: int, at: datetime, event: Dict[str, Any]) -> Optional[Line]:
    kind = event.get("event")
    if kind == "user":
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        fallback = intent.get("name") == FALLBACK_INTENT
        if fallback:
            # What the NLU would have guessed: the fallback keeps it in the ranking.
            ranked = [
                r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT
            ]
            intent = ranked[0] if ranked else intent
        return Line(
            event_id,
            at,
            "user",
            event.get("text") or "",
            intent=str(intent.get("name") or ""),
            confidence=float(intent.get("confidence") or 0.0),
            fallback=fallback,
            entities=tuple(parse.get("entities") or ()),
        )
    if kind == "bot":
        return Line(event_id, at, "bot", event.get("text") or "")
    if kind == "action" and event.get("name") not in QUIET_ACTIONS:
        return Line(event_id, at, "action", str(event.get("name") or ""))
    if kind == "active_loop" and event.get("name"):
        return Line(event_id, at, "loop", str(event["name"]))
    return None
