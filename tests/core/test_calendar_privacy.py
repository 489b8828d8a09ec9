"""Retention boundaries of `teplo privacy purge`: a row exactly as old as its
retention is kept, one a second older goes, in the assistant's database (both
backends) and in the tracker store alike; the days are days of real time,
also when the retention reaches back across a daylight-saving switch."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Dict, List

import pytest
import sqlalchemy as sa
import time_machine

from core.db.models import AccountLookup, ChannelDelivery, ConversationEvent, OwnershipProof
from core.privacy import DELIVERIES_KEPT, LOOKUPS_KEPT, PROOFS_KEPT
from core.settings import get_settings
from staff.cli import main as teplo
from tests.support.clock import set_clock
from tests.support.db import in_session
from tests.support.outbox import add_account
from tests.support.tracker_store import tracker_store

SECOND = timedelta(seconds=1)
KEEP_DAYS = 180


def _rows(now: datetime) -> None:
    """For each kind of row, one exactly at its boundary and one a second past it."""

    def work(session) -> None:
        account = add_account(session, "0500001", kinds=())
        for age, label in ((timedelta(0), "boundary"), (SECOND, "expired")):
            session.add_all(
                [
                    ConversationEvent(
                        kind="fallback",
                        reason=label,
                        occurred_at=now - timedelta(days=KEEP_DAYS) - age,
                    ),
                    AccountLookup(
                        channel="telegram", sender_id=label, looked_up_at=now - LOOKUPS_KEPT - age
                    ),
                    ChannelDelivery(
                        channel="telegram",
                        delivery_id=label,
                        claimed_at=now - DELIVERIES_KEPT - age,
                    ),
                    OwnershipProof(
                        account_id=account.id,
                        channel="telegram",
                        sender_id=label,
                        succeeded=False,
                        attempted_at=now - PROOFS_KEPT - age,
                    ),
                ]
            )

    in_session(work)


def _left() -> Dict[str, List[str]]:
    def work(session) -> Dict[str, List[str]]:
        columns = {
            "events": ConversationEvent.reason,
            "lookups": AccountLookup.sender_id,
            "deliveries": ChannelDelivery.delivery_id,
            "proofs": OwnershipProof.sender_id,
        }
        return {
            name: sorted(session.execute(sa.select(c)).scalars()) for name, c in columns.items()
        }

    return in_session(work)


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-20T10:00:00+02:00",
        # 180 days back from January is July: summer time. A day is 24 hours of
        # real time; by the wall clock the boundary would be an hour earlier.
        "2027-01-20T10:00:00+02:00",
        # On the spring night itself: 03:30 does not exist, 04:30 EEST does.
        "2027-03-28T04:30:00+03:00",
        # The second 03:30 of the autumn night.
        "2027-10-31T03:30:00+02:00",
    ],
)
def test_purge_keeps_what_is_exactly_as_old_as_kept_and_deletes_older(
    engine, monkeypatch, tmp_path, moment
):
    set_clock(monkeypatch, moment)
    now = get_settings().now()
    _rows(now)
    boundary = (now - timedelta(days=KEEP_DAYS)).timestamp()
    store, events = tracker_store(
        tmp_path, monkeypatch, [("boundary", boundary), ("expired", boundary - 1)]
    )
    assert teplo(["privacy", "purge", "--keep-days", str(KEEP_DAYS)]) == 0
    everywhere = ["boundary"]
    assert _left() == {
        "events": everywhere,
        "lookups": everywhere,
        "deliveries": everywhere,
        "proofs": everywhere,
    }
    with store.connect() as connection:
        assert connection.execute(sa.select(events.c.sender_id)).scalars().all() == everywhere
    # The boundary moves on with the clock: a second later the boundary rows go too.
    set_clock(monkeypatch, (now + SECOND).isoformat())
    assert teplo(["privacy", "purge", "--keep-days", str(KEEP_DAYS)]) == 0
    assert _left() == {"events": [], "lookups": [], "deliveries": [], "proofs": []}


def test_the_retention_is_counted_in_real_days(monkeypatch):
    # The production clock (not pinned), on the machine's clock moved to 20 January.
    monkeypatch.delenv("ASSISTANT_NOW")
    get_settings.cache_clear()
    with time_machine.travel(datetime(2027, 1, 20, 8, 0, tzinfo=timezone.utc), tick=False):
        boundary = get_settings().now() - timedelta(days=KEEP_DAYS)
    # 180 × 24 hours before 08:00 UTC on 20 January is 08:00 UTC on 24 July
    # (11:00 summer time); Europe/Kyiv's wall-clock arithmetic said 07:00 UTC.
    assert boundary == datetime(2026, 7, 24, 8, 0, tzinfo=timezone.utc)
