"""The pull API's paging and keys, through its handler (one unit of work per call)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal
from typing import List, Optional, Tuple

import pytest
from sqlalchemy import select, text

from billing_api import handlers
from core.billing import delivery
from core.db.models import Reading, ReadingSource
from core.settings import get_settings
from tests.support.billing import delivered_ids, meter_ids, submit
from tests.support.db import in_session


def call(key: Optional[str], **params: str) -> handlers.Reply:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return in_session(lambda s: handlers.readings(s, headers, params, get_settings().now()))


def page(key: str, cursor: str = "", limit: int = 7) -> Tuple[List[dict], str, bool]:
    reply = call(key, cursor=cursor, limit=str(limit))
    assert reply.status == 200, reply.body
    body = json.loads(reply.body)
    return body["readings"], body["next_cursor"], body["has_more"]


def all_taken() -> List[int]:
    return in_session(
        lambda s: list(
            s.execute(
                select(Reading.id)
                .where(Reading.source == ReadingSource.assistant)
                .order_by(Reading.id)
            ).scalars()
        )
    )


@pytest.fixture
def key(seeded, staff) -> str:
    outcome = staff("billing", "keys", "create", "billing-main")
    assert outcome.code == 0, outcome.err
    return outcome.out.strip()


def test_paging_returns_every_reading_once_even_with_retries_and_new_readings(key):
    meters = meter_ids()
    for minute, meter in enumerate(meters[:20]):
        submit(meter, "99999", minute)
    seen: List[int] = []
    cursor, more, pages = "", True, 0
    while more:
        rows, next_cursor, more = page(key, cursor)
        # A retry of the same call (the answer was lost) gets the very same page.
        assert page(key, cursor)[0] == rows
        seen += [row["reading_id"] for row in rows]
        cursor, pages = next_cursor, pages + 1
        if pages == 1:  # readings saved while billing pages through
            submit(meters[20], "99999", 100)
            submit(meters[0], "99999.25", 101)  # a correction of one already served
    assert sorted(seen) == all_taken() and len(seen) == len(set(seen)) == 22
    # Caught up: the same cursor now gives nothing until something new arrives.
    assert page(key, cursor) == ([], cursor, False)
    newest = submit(meters[21], "99999", 200)
    rows, _, _ = page(key, cursor)
    assert [row["reading_id"] for row in rows] == [newest]


def test_a_correction_names_what_it_replaces_and_numbers_stay_exact(key):
    meter = meter_ids(1)[0]
    first = submit(meter, "99999.5")
    second = submit(meter, "99999.75", 5)
    rows, _, _ = page(key)
    assert rows[0]["reading_id"] == first and rows[0]["replaces_reading_id"] is None
    assert rows[1]["replaces_reading_id"] == first
    assert rows[1]["reading"] == "99999.75" and rows[1]["replaces_reading"] == "99999.5"
    assert rows[1]["reading_id"] == second


def test_csv_pages_use_the_billing_file_columns(key):
    for minute, meter in enumerate(meter_ids(3)):
        submit(meter, "99999.5", minute)
    reply = call(key, format="csv", limit="2")
    assert reply.status == 200 and reply.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.body.decode("utf-8")), delimiter=";"))
    assert len(rows) == 2 and rows[0]["reading"].startswith("99999,5")
    assert reply.headers["X-Has-More"] == "true"
    rest = call(key, format="csv", cursor=reply.headers["X-Next-Cursor"])
    assert len(list(csv.DictReader(io.StringIO(rest.body.decode("utf-8")), delimiter=";"))) == 1


def test_bad_cursor_limit_and_format_are_refused_plainly(key):
    assert call(key, cursor="bm9uc2Vuc2U").status == 400
    assert call(key, limit="0").status == 400
    assert call(key, limit="100000").status == 400
    assert call(key, format="xml").status == 400


def test_missing_wrong_and_revoked_keys_get_401(key, staff):
    submit(meter_ids(1)[0], "99999")
    assert call(None).status == 401
    assert call("tpe_" + "x" * 43).status == 401
    assert call(key[:-1] + ("A" if key[-1] != "A" else "B")).status == 401
    assert call(key).status == 200
    assert staff("billing", "keys", "revoke", "billing-main").code == 0
    refused = call(key)
    assert refused.status == 401 and b"99999" not in refused.body
    listing = staff("billing", "keys", "list").out
    assert "billing-main" in listing and key not in listing


def test_keys_are_stored_only_as_hashes(key, engine):
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM billing_api_keys")).all()
    dump = repr(stored)
    assert key not in dump and key[4:] not in dump
    assert hashlib.sha256(key.encode()).hexdigest() in dump


def test_key_use_is_recorded_for_monitoring(key, staff):
    assert "ще ні" in staff("billing", "keys", "list").out
    call(key)
    assert "ще ні" not in staff("billing", "keys", "list").out


def test_pulling_and_the_file_drop_share_one_feed(key, drop_dir):
    meters = meter_ids()
    ids = [submit(meter, "99999", minute) for minute, meter in enumerate(meters[:5])]
    pulled, _, _ = page(key, limit=100)
    delivery.drop_readings()
    assert [row["reading_id"] for row in pulled] == ids == delivered_ids(drop_dir)


def test_a_reading_that_commits_after_a_newer_one_is_not_skipped(key, engine):
    """PostgreSQL hands out ids at insert, not at commit: a cursor on ids would skip this one."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: no out-of-order commits")
    from datetime import datetime

    from sqlalchemy.orm import Session

    from core.repository import readings as readings_repo
    from core.settings import KYIV

    meters = meter_ids(2)
    slow = Session(engine, future=True)
    slow.begin()
    late = readings_repo.store_reading(
        slow, meters[0], "2026-11", Decimal("99999"), datetime.now(KYIV), "viber", "viber:1"
    ).id  # has its id, not yet committed
    quick = submit(meters[1], "99999")
    assert late < quick
    rows, cursor, _ = page(key)
    assert [row["reading_id"] for row in rows] == [quick]
    slow.commit()
    slow.close()

    rows, _, _ = page(key, cursor)

    assert [row["reading_id"] for row in rows] == [late]
