"""«Розмови» behind the page: which conversations of Rasa's tracker store to show,
what each led to (a case, a stored reading) and the admins' notes on them.

The conversations are read from the tracker store of the console's project
(`retrain.trackerdb.tracker_store_url`, as «Навчання» does) by
`retrain.transcripts`; cases, readings and notes come from our database. Senders
waiting for the purge after «забудьте мене» are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from console.config import ConsoleConfig, project_of
from core.db.engine import unit_of_work
from core.db.models import Case, ConversationReview
from core.repository import accounts as accounts_repo
from core.repository import reviews as reviews_repo
from core.settings import KYIV, get_settings
from retrain.transcripts import Conversation, Head, TranscriptStore, session_minutes

FLAG_LABELS = {
    "misunderstood": "бот не зрозумів",
    "cancelled": "скасовано",
    "handed_off": "передано працівнику",
    "unsaved": "без збереження показника",
}
CHANNELS = ("telegram", "viber", "web")
DEFAULT_DAYS = 7
SHOWN = 100  # conversations on one page
SCANNED = 2000  # conversations looked at for one page, newest first
BATCH = 100


class FilterError(ValueError):
    """A filter that cannot be used; the message says why, in Ukrainian."""


@dataclass(frozen=True)
class Filters:
    start: Optional[date] = None
    end: Optional[date] = None  # inclusive
    channel: str = ""
    flags: FrozenSet[str] = frozenset()
    sender: str = ""
    account: str = ""
    case: Optional[int] = None
    reviewed: str = ""  # "", "yes", "no"
    tag: str = ""

    @property
    def narrowed(self) -> bool:
        """Looking for one sender, account or case: every date, unless dates are given."""
        return bool(self.sender or self.account or self.case)

    def described(self) -> Dict[str, object]:
        """What was asked, for the audit log."""
        values = {
            "з": self.start.isoformat() if self.start else None,
            "по": self.end.isoformat() if self.end else None,
            "канал": self.channel or None,
            "ознаки": sorted(self.flags) or None,
            "користувач": self.sender or None,
            "рахунок": self.account or None,
            "звернення": self.case,
            "переглянуто": self.reviewed or None,
            "мітка": self.tag or None,
        }
        return {key: value for key, value in values.items() if value is not None}


def _day(value: str, name: str) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name}: дата має бути у вигляді РРРР-ММ-ДД.") from None


def parse_filters(params) -> Filters:
    """The query string as filters; dates default to the last week unless one
    sender, account or case is asked for."""

    def get(name: str) -> str:
        return (params.get(name) or "").strip()[:100]

    case = get("case")
    if case and not case.isdigit():
        raise FilterError("Номер звернення — це число.")
    channel = get("channel")
    if channel and channel not in CHANNELS:
        raise FilterError("Такого каналу немає.")
    filters = Filters(
        start=_day(get("from"), "«З»"),
        end=_day(get("to"), "«По»"),
        channel=channel,
        flags=frozenset(flag for flag in FLAG_LABELS if params.get(flag)),
        sender=get("sender"),
        account=get("account"),
        case=int(case) if case else None,
        reviewed=get("reviewed") if get("reviewed") in ("yes", "no") else "",
        tag=" ".join(get("tag").split()).casefold(),
    )
    if filters.start is None and filters.end is None and not filters.narrowed:
        today = get_settings().now().date()
        filters = replace(filters, start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)
    if filters.start and filters.end and filters.start > filters.end:
        raise FilterError("«З» пізніше, ніж «По».")
    return filters


@dataclass
class Shown:
    """A conversation with what it led to and the admins' notes."""

    conversation: Conversation
    flags: List[str]
    cases: List[int]
    review: Optional[ConversationReview]
    tags: List[str] = field(default_factory=list)

    @property
    def first_words(self) -> str:
        for line in self.conversation.user_lines:
            if line.text:
                return line.text if len(line.text) <= 80 else line.text[:79] + "…"
        return ""


@dataclass
class Listing:
    rows: List[Shown]
    scanned: int  # conversations looked at
    more: bool  # some were not looked at, or did not fit on the page


def _store(config: ConsoleConfig) -> TranscriptStore:
    from retrain.trackerdb import tracker_store_url

    project = project_of(config)
    gap = timedelta(minutes=session_minutes(project.domain))
    return TranscriptStore(tracker_store_url(project), gap)


def _bounds(filters: Filters) -> Tuple[Optional[datetime], Optional[datetime]]:
    start = datetime.combine(filters.start, time(0), KYIV) if filters.start else None
    end = datetime.combine(filters.end + timedelta(days=1), time(0), KYIV) if filters.end else None
    return start, end


def _senders(session: Session, filters: Filters) -> Tuple[Optional[List[str]], Optional[Case]]:
    """The senders the filter names (None: everyone) and the case it names."""
    senders: Optional[set] = None

    def narrow(found: List[str]) -> None:
        nonlocal senders
        senders = set(found) if senders is None else senders & set(found)

    case = None
    if filters.sender:
        narrow([filters.sender])
    if filters.account:
        account = accounts_repo.find_account(session, filters.account)
        narrow(reviews_repo.senders_of_account(session, account.id) if account else [])
    if filters.case is not None:
        case = session.get(Case, filters.case)
        narrow([case.sender_id] if case else [])
    return (sorted(senders) if senders is not None else None), case


def _facts(session: Session, conversations: Sequence[Conversation], forgotten: set) -> List[Shown]:
    """What each conversation led to, from our tables (forgotten senders left out)."""
    kept = [c for c in conversations if c.sender_id not in forgotten]
    if not kept:
        return []
    senders = {c.sender_id for c in kept}
    openings = reviews_repo.case_openings(session, senders)
    readings = reviews_repo.reading_times(session, senders, min(c.started_at for c in kept))
    reviews = reviews_repo.reviews_of(session, [c.first_event_id for c in kept])
    shown = []
    for c in kept:
        cases = [
            case_id for at, case_id in openings.get(c.sender_id, []) if c.started_at <= at < c.until
        ]
        saved = any(c.started_at <= at < c.until for at in readings.get(c.sender_id, []))
        flags = [
            name
            for name, present in (
                ("misunderstood", c.misunderstood),
                ("cancelled", c.cancelled),
                ("handed_off", bool(cases)),
                ("unsaved", c.began_submission and not saved),
            )
            if present
        ]
        review = reviews.get(c.first_event_id)
        shown.append(Shown(c, flags, sorted(cases), review, reviews_repo.tags_of(review)))
    return shown


def _matches(shown: Shown, filters: Filters, case: Optional[Case]) -> bool:
    if not filters.flags <= set(shown.flags):
        return False
    if case is not None and case.id not in shown.cases:
        return False
    reviewed = bool(shown.review and shown.review.reviewed_by)
    if filters.reviewed and reviewed != (filters.reviewed == "yes"):
        return False
    return not filters.tag or filters.tag in shown.tags


def list_conversations(config: ConsoleConfig, filters: Filters) -> Listing:
    """The newest conversations that pass the filters, at most SHOWN of them."""
    with unit_of_work() as session:
        senders, case = _senders(session, filters)
        forgotten = reviews_repo.forgotten_senders(session)
    if senders is not None and not senders:
        return Listing([], 0, True)
    start, end = _bounds(filters)
    if case is not None:
        # The conversation that led to the case began before it, within a session.
        start, end = None, case.opened_at + timedelta(seconds=1)
    rows: List[Shown] = []
    with _store(config) as store:
        heads = store.heads(start, end, senders, filters.channel, limit=SCANNED + 1)
        more = len(heads) > SCANNED
        heads = [h for h in heads[:SCANNED] if h.sender_id not in forgotten]
        scanned = 0
        while scanned < len(heads) and len(rows) <= SHOWN:
            batch: Sequence[Head] = heads[scanned : scanned + BATCH]
            conversations = store.conversations(batch)
            scanned += len(batch)
            with unit_of_work() as session:
                shown = _facts(session, conversations, forgotten)
            rows += [row for row in shown if _matches(row, filters, case)]
    more = more or scanned < len(heads) or len(rows) > SHOWN
    return Listing(rows[:SHOWN], scanned, more)


def one_conversation(config: ConsoleConfig, first_event_id: int) -> Optional[Shown]:
    """One conversation with its facts; None if there is none (or it is forgotten)."""
    with _store(config) as store:
        head = store.head_of(first_event_id)
        found = store.conversations([head]) if head is not None else []
    if not found:
        return None
    with unit_of_work() as session:
        shown = _facts(session, found, reviews_repo.forgotten_senders(session))
    return shown[0] if shown else None
