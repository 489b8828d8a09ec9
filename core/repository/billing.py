"""The billing hand-over's queries: the locked counter, the feed, drop files, API keys.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Iterator, List, NamedTuple, Optional, Tuple

from sqlalchemy import and_, func, insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from core.db.models import Account, Meter, Reading, ReadingSource
from core.db.models.billing import (
    FEED_COUNTER,
    BillingApiKey,
    BillingCounter,
    BillingFeedEntry,
    BillingFile,
)

ANALYZE_AFTER = 10000


class FeedEntry(NamedTuple):
    """One feed entry as `feed_rows` reads it (the names of `core.billing.export.ExportRow`)."""

    position: int
    reading_id: int
    account_number: str
    meter_serial: str
    meter_kind: str
    unit: str
    decimals: int
    period: str
    reading: Decimal
    previous_reading: Optional[Decimal]  # in force, of an earlier period
    submitted_at: datetime
    channel: str
    replaces_reading_id: Optional[int]
    replaces_reading: Optional[Decimal]  # the replaced reading's value
    display_digits: Optional[int]  # the meter's dial digits, if billing said


def lock_counter(session: Session, wait: bool = True) -> Optional[BillingCounter]:
    """Locks the feed counter row for this transaction; None if busy and `wait` is False.

    PostgreSQL: SELECT ... FOR UPDATE (SKIP LOCKED when not waiting), so two
    jobs started at once run one after the other. SQLite locks the whole
    database for the first write, so an UPDATE comes first there: a second
    writer waits for the first to commit and then reads what it wrote.
    """
    _ensure_counter(session)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(BillingCounter)
            .where(BillingCounter.name == FEED_COUNTER)
            .values(last_position=BillingCounter.last_position)
        )
        statement = select(BillingCounter).where(BillingCounter.name == FEED_COUNTER)
    else:
        statement = (
            select(BillingCounter)
            .where(BillingCounter.name == FEED_COUNTER)
            .with_for_update(skip_locked=not wait)
        )
    counter = session.execute(statement.execution_options(populate_existing=True)).scalar()
    return counter


def _ensure_counter(session: Session) -> None:
    exists = session.execute(
        select(BillingCounter.name).where(BillingCounter.name == FEED_COUNTER)
    ).scalar()
    if exists:
        return
    try:
        with session.begin_nested():  # another job may create it at the same moment
            session.add(BillingCounter(name=FEED_COUNTER, last_position=0, last_file_sequence=0))
    except IntegrityError:
        pass


def sequence_new_readings(
    session: Session, counter: BillingCounter, now: datetime, above_id: int = 0
) -> int:
    """Gives every assistant reading not yet in the feed the next positions, in id order.

    Runs under the counter lock, so positions become visible in order: a
    reader paging by position never skips one that commits later. With
    `above_id` only readings with a higher id are looked at (cheap, for
    every API call); without it, all of them (a late-committing reading with
    a low id is found there and gets a later position). Returns how many
    were added.
    """
    earlier = aliased(Reading)
    replaces = (
        select(func.max(earlier.id))
        .where(
            earlier.meter_id == Reading.meter_id,
            earlier.period == Reading.period,
            earlier.id < Reading.id,
        )
        .scalar_subquery()
    )
    new = (
        select(
            (literal(counter.last_position) + func.row_number().over(order_by=Reading.id)).label(
                "position"
            ),
            Reading.id,
            replaces,
            literal(now, type_=BillingFeedEntry.sequenced_at.type),
        )
        .outerjoin(
            BillingFeedEntry,
            # The same range on both sides, so the anti-join reads two short index
            # ranges instead of hashing the whole feed on every API call.
            and_(BillingFeedEntry.reading_id == Reading.id, BillingFeedEntry.reading_id > above_id),
        )
        .where(
            BillingFeedEntry.reading_id.is_(None),
            Reading.source == ReadingSource.assistant,
            Reading.id > above_id,
        )
    )
    result = session.execute(
        insert(BillingFeedEntry).from_select(
            ["position", "reading_id", "replaces_reading_id", "sequenced_at"], new
        )
    )
    added = result.rowcount or 0
    if added:
        counter.last_position += added
    if added >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # A first run (or one after a long pause) fills the feed at once; with the
        # statistics of the empty table the planner would scan it whole for every
        # batch of the file. ANALYZE counts this transaction's own new rows.
        session.execute(text("ANALYZE billing_feed"))
    if not above_id:
        counter.full_scan_at = now  # when all readings were last looked at
    session.flush()
    return added


FEED_BATCH = 5000


def feed_rows(
    session: Session,
    *,
    after: int = 0,
    limit: Optional[int] = None,
    up_to: Optional[int] = None,
) -> Iterator[FeedEntry]:
    """Feed entries by position: those after `after` (up to `up_to`), at most `limit`.

    Read in keyset batches (`position > last ORDER BY position LIMIT n`), so
    memory stays flat and each batch walks the position index; a single
    server-side cursor over 300,000 rows made PostgreSQL pick a plan ten
    times slower.
    """
    remaining = limit
    while remaining is None or remaining > 0:
        batch = FEED_BATCH if remaining is None else remaining  # an API page: one query
        statement = _feed_batch(after, batch, up_to)
        rows = session.execute(statement).all()
        for row in rows:
            entry = FeedEntry(**row._mapping)
            yield entry._replace(meter_kind=getattr(entry.meter_kind, "value", entry.meter_kind))
        if len(rows) < batch:
            return
        after = rows[-1].position
        if remaining is not None:
            remaining -= len(rows)


def _feed_batch(after: int, batch: int, up_to: Optional[int]):
    replaced = aliased(Reading)
    prior = aliased(Reading)
    previous = (
        select(prior.value)
        .where(
            prior.meter_id == Reading.meter_id,
            prior.in_force.is_(True),
            prior.period < Reading.period,
        )
        .order_by(prior.period.desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(
            BillingFeedEntry.position.label("position"),
            Reading.id.label("reading_id"),
            Account.number.label("account_number"),
            Meter.serial.label("meter_serial"),
            Meter.kind.label("meter_kind"),
            Meter.unit.label("unit"),
            Meter.decimals.label("decimals"),
            Reading.period.label("period"),
            Reading.value.label("reading"),
            previous.label("previous_reading"),
            Reading.submitted_at.label("submitted_at"),
            Reading.channel.label("channel"),
            BillingFeedEntry.replaces_reading_id.label("replaces_reading_id"),
            replaced.value.label("replaces_reading"),
            Meter.display_digits.label("display_digits"),
        )
        .join(Reading, Reading.id == BillingFeedEntry.reading_id)
        .join(Meter, Reading.meter_id == Meter.id)
        .join(Account, Meter.account_id == Account.id)
        .outerjoin(replaced, replaced.id == BillingFeedEntry.replaces_reading_id)
        .where(BillingFeedEntry.position > after)
        .order_by(BillingFeedEntry.position)
        .limit(batch)
    )
    if up_to is not None:
        statement = statement.where(BillingFeedEntry.position <= up_to)
    return statement


def files(session: Session, unacknowledged_only: bool = False) -> List[BillingFile]:
    statement = select(BillingFile).order_by(BillingFile.sequence)
    if unacknowledged_only:
        statement = statement.where(BillingFile.acknowledged_at.is_(None))
    return list(session.execute(statement).scalars())


def file_by_sequence(session: Session, sequence: int) -> Optional[BillingFile]:
    return session.execute(
        select(BillingFile).where(BillingFile.sequence == sequence)
    ).scalar_one_or_none()


def undelivered_files(session: Session) -> List[BillingFile]:
    """Files committed but not yet under their final name (a crash in between)."""
    return list(
        session.execute(
            select(BillingFile)
            .where(BillingFile.delivered_at.is_(None))
            .order_by(BillingFile.sequence)
        ).scalars()
    )


def api_key_by_hash(session: Session, key_hash: str) -> Optional[BillingApiKey]:
    return session.execute(
        select(BillingApiKey).where(BillingApiKey.key_hash == key_hash)
    ).scalar_one_or_none()


def api_key_by_name(session: Session, name: str) -> Optional[BillingApiKey]:
    return session.execute(
        select(BillingApiKey).where(BillingApiKey.name == name)
    ).scalar_one_or_none()


def api_keys(session: Session) -> List[BillingApiKey]:
    return list(session.execute(select(BillingApiKey).order_by(BillingApiKey.name)).scalars())


def highest_sequenced_reading(session: Session) -> int:
    return session.execute(select(func.max(BillingFeedEntry.reading_id))).scalar() or 0


def last_filed_position(session: Session) -> int:
    return session.execute(select(func.max(BillingFile.last_position))).scalar() or 0


def last_position(session: Session) -> int:
    return session.execute(select(func.max(BillingFeedEntry.position))).scalar() or 0


def unsequenced_count(session: Session) -> int:
    return session.execute(
        select(func.count(Reading.id))
        .outerjoin(BillingFeedEntry, BillingFeedEntry.reading_id == Reading.id)
        .where(
            and_(BillingFeedEntry.reading_id.is_(None), Reading.source == ReadingSource.assistant)
        )
    ).scalar_one()


def period_delivery_counts(session: Session, period: str) -> Tuple[int, int, int]:
    """For a period's assistant readings: (in a drop file, in no file yet, in unacknowledged files)."""
    rows = session.execute(
        select(
            func.count(BillingFile.id),
            func.count(Reading.id) - func.count(BillingFile.id),
            func.count(BillingFile.id).filter(BillingFile.acknowledged_at.is_(None)),
        )
        .select_from(Reading)
        .outerjoin(BillingFeedEntry, BillingFeedEntry.reading_id == Reading.id)
        .outerjoin(
            BillingFile,
            BillingFeedEntry.position.between(
                BillingFile.first_position, BillingFile.last_position
            ),
        )
        .where(Reading.period == period, Reading.source == ReadingSource.assistant)
    ).one()
    return rows[0], rows[1], rows[2]


def file_times(
    session: Session,
) -> Tuple[Optional[datetime], Optional[datetime], int, Optional[datetime]]:
    """(last delivery, last acknowledgement, unacknowledged files, oldest unacknowledged delivery)."""
    last_delivery, last_ack = session.execute(
        select(func.max(BillingFile.delivered_at), func.max(BillingFile.acknowledged_at))
    ).one()
    waiting, oldest = session.execute(
        select(func.count(BillingFile.id), func.min(BillingFile.delivered_at)).where(
            BillingFile.acknowledged_at.is_(None), BillingFile.delivered_at.is_not(None)
        )
    ).one()
    return last_delivery, last_ack, waiting, oldest


def oldest_untaken_reading(session: Session, taken_up_to: int) -> Optional[datetime]:
    """When the oldest reading that no file holds and no API client has pulled was saved.

    `taken_up_to`: the feed position up to which every entry is in a file or pulled.
    """
    return session.execute(
        select(func.min(Reading.submitted_at))
        .outerjoin(BillingFeedEntry, BillingFeedEntry.reading_id == Reading.id)
        .where(
            Reading.source == ReadingSource.assistant,
            (BillingFeedEntry.position.is_(None)) | (BillingFeedEntry.position > taken_up_to),
        )
    ).scalar()
