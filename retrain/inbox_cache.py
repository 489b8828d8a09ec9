"""The inbox the console's «Навчання» page shows: what `teplo retrain inbox`
writes to its review file, read from the conversations at most every few minutes."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Dict, List, Tuple

from core.db.engine import unit_of_work
from core.repository import accounts as accounts_repo
from core.settings import get_settings
from retrain import inbox
from retrain.common import Project
from retrain.text import clean_phrase, normalize

INBOX_SECONDS = 300.0  # the inbox is read from the conversations again after this


def masked(phrase: str) -> Tuple[str, str]:
    """(the phrase masked as the inbox does, its key): one label per wording."""
    cleaned = clean_phrase(phrase)
    return cleaned, normalize(cleaned)


class InboxCache:
    """The inbox of the last `days` days, read from the conversations at most every few minutes."""

    def __init__(self) -> None:
        self._kept: Dict[int, Tuple[float, List[inbox.InboxEntry]]] = {}
        self._lock = threading.Lock()

    def entries(self, project: Project, days: int, fresh: bool = False) -> List[inbox.InboxEntry]:
        with self._lock:
            kept = self._kept.get(days)
            if kept and not fresh and time.monotonic() - kept[0] < INBOX_SECONDS:
                return kept[1]
            entries = read_inbox(project, days)
            self._kept[days] = (time.monotonic(), entries)
            return entries


def read_inbox(project: Project, days: int) -> List[inbox.InboxEntry]:
    """What `teplo retrain inbox` writes to its review file, for the last `days` days."""
    from retrain.trackerdb import tracker_store_url, user_messages

    today = get_settings().now().date()
    start, end = inbox.day_range(today - timedelta(days=days), today)
    with unit_of_work() as session:
        private_words = accounts_repo.personal_words(session)
    return inbox.build_inbox(
        user_messages(tracker_store_url(project), start, end),
        inbox.DEFAULT_THRESHOLD,
        private_words,
    )
