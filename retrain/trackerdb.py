"""Consumers' messages as Rasa stored them in the SQL tracker store of endpoints.yml."""

from __future__ import annotations

import json
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterator, List, MutableMapping, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from core.errors import StaffError
from core.settings import process_environment
from retrain.common import ROOT, Project

DEFAULTS_FILE = ROOT / "scripts" / "tracker-store.env"
FALLBACK_INTENT = "nlu_fallback"

# Rasa's SQLTrackerStore table; only the columns we read.
_EVENTS = sa.table(
    "events",
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("data"),
)


@dataclass(frozen=True)
class UserMessage:
    """One consumer message and how the NLU understood it."""

    sender_id: str
    timestamp: float
    text: str
    intent: str  # the best real intent, also when the fallback fired
    confidence: float
    fallback: bool


def load_defaults(path: Path = DEFAULTS_FILE) -> Dict[str, str]:
    """KEY=VALUE lines of scripts/tracker-store.env (shared with scripts/run-stack)."""
    defaults: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            defaults[name.strip()] = value.strip()
    return defaults


@contextmanager
def defaults_applied(environ: Optional[MutableMapping[str, str]] = None) -> Iterator[None]:
    """The unset TRACKER_DB_* variables filled in, as scripts/run-stack does, for a while
    (in this process's environment by default: Rasa's endpoint files read it)."""
    environ = process_environment() if environ is None else environ
    added = [name for name in load_defaults() if name not in environ]
    environ.update({name: load_defaults()[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            environ.pop(name, None)


def tracker_store_url(project: Project) -> URL:
    """The database URL Rasa builds from the `tracker_store` section of endpoints.yml."""
    # Recorded, not printed: Rasa's imports warn about library internals staff
    # can do nothing about (and Rasa resets the warning filters on import).
    with defaults_applied(), warnings.catch_warnings(record=True):
        url = _rasa_url(project)
    url = make_url(url) if isinstance(url, str) else url
    if url.get_backend_name() == "sqlite" and url.database:
        # Rasa runs in the project directory (scripts/run-stack), so a relative
        # file is relative to it, not to wherever staff started the command.
        path = Path(url.database)
        path = path if path.is_absolute() else project.root / path
        if not path.exists():
            raise StaffError(
                f"файл розмов {path} не знайдено: асистент ще не запускався "
                "з цим налаштуванням або TRACKER_DB_NAME вказує не туди"
            )
        url = url.set(database=str(path))
    return url


def _rasa_url(project: Project) -> Union[str, URL]:
    # Rasa's own reader and URL builder: the same ${VAR} substitution and key
    # meaning as the running server, so the inbox reads where Rasa writes.
    from rasa.core.tracker_store import SQLTrackerStore, validate_port
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    try:
        config = read_endpoint_config(str(project.endpoints), "tracker_store")
    except RasaException as error:
        raise StaffError(f"{project.relative(project.endpoints)}: {error}") from error
    if config is None or (config.type or "").lower() != "sql":
        raise StaffError(
            f"у {project.relative(project.endpoints)} немає сховища розмов "
            "типу SQL (tracker_store: type: SQL)"
        )
    options = config.kwargs
    return SQLTrackerStore.get_db_url(
        options.get("dialect", "sqlite"),
        config.url,
        validate_port(options.get("port")),
        options.get("db", "rasa.db"),
        options.get("username"),
        options.get("password"),
        None,  # login_db: we read the conversations' database itself
        options.get("query"),
    )


def user_messages(url: URL, start: datetime, end: datetime) -> Iterator[UserMessage]:
    """Consumer messages with start <= time < end, oldest first."""
    engine = sa.create_engine(url, future=True, hide_parameters=True)
    query = (
        sa.select(_EVENTS.c.sender_id, _EVENTS.c.timestamp, _EVENTS.c.data)
        .where(
            _EVENTS.c.type_name == "user",
            _EVENTS.c.timestamp >= start.timestamp(),
            _EVENTS.c.timestamp < end.timestamp(),
        )
        .order_by(_EVENTS.c.timestamp)
    )
    try:
        with engine.connect() as connection:
            rows = connection.execution_options(stream_results=True).execute(query)
            for sender_id, timestamp, data in rows:
                message = _parse(sender_id, timestamp, data)
                if message is not None:
                    yield message
    except sa.exc.SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StaffError(f"не вдалося прочитати розмови: {cause}") from error
    finally:
        engine.dispose()


def _parse(sender_id: str, timestamp: float, data: Optional[str]) -> Optional[UserMessage]:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return None
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    text = event.get("text") or ""
    if not text or not intent.get("name"):
        return None
    fallback = intent["name"] == FALLBACK_INTENT
    if fallback:
        # The fallback replaces the NLU's guess; the ranking keeps it.
        ranked = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
        intent = ranked[0] if ranked else {"name": FALLBACK_INTENT, "confidence": 0.0}
    return UserMessage(
        sender_id=sender_id,
        timestamp=float(timestamp),
        text=text,
        intent=intent["name"],
        confidence=float(intent.get("confidence") or 0.0),
        fallback=fallback,
    )


def delete_conversations(url: URL, before: datetime, sender_ids: List[str]) -> int:
    """Deletes conversation events older than `before`, and every event of the
    given senders (consumers who asked to be forgotten); returns how many."""
    engine = sa.create_engine(url, future=True, hide_parameters=True)
    try:
        with engine.begin() as connection:
            deleted = connection.execute(
                sa.delete(_EVENTS).where(_EVENTS.c.timestamp < before.timestamp())
            ).rowcount
            for start in range(0, len(sender_ids), 500):
                chunk = sender_ids[start : start + 500]
                deleted += connection.execute(
                    sa.delete(_EVENTS).where(_EVENTS.c.sender_id.in_(chunk))
                ).rowcount
            return deleted
    except sa.exc.SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StaffError(f"не вдалося видалити старі розмови: {cause}") from error
    finally:
        engine.dispose()
