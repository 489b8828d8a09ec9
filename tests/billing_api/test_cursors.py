"""The pull API's cursors are signed: a forged or another client's cursor is
refused, a huge one is a 400 and not a 500, and none of them can move a
client's progress (what `teplo stats` reports as pulled). Through the
handler on SQLite and PostgreSQL, and over the real HTTP server."""

from __future__ import annotations

import base64
import json

from core.db.models import BillingApiKey
from tests.billing_api.test_api_server import get, server  # noqa: F401 (fixture)
from tests.billing_api.test_pull_api import call, key, page  # noqa: F401 (fixture)
from tests.support.billing import meter_ids, submit
from tests.support.db import in_session


def raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def progress(name: str) -> int:
    return in_session(
        lambda s: s.query(BillingApiKey).filter_by(name=name).one().last_position or 0
    )


def test_forged_huge_and_foreign_cursors_are_refused_and_move_nothing(key, staff):  # noqa: F811
    for minute, meter in enumerate(meter_ids(6)):
        submit(meter, "99999", minute)
    rows, cursor, _ = page(key, limit=3)
    assert len(rows) == 3 and progress("billing-main") == 3
    other = staff("billing", "keys", "create", "billing-backup").out.strip()

    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert decoded.startswith("v2:3:")
    forged = [
        raw("v2:1000000:" + decoded.rsplit(":", 1)[1]),  # someone else's signature, other number
        raw("v2:5:" + "0" * 32),
        raw("v2:" + "9" * 40 + ":" + "0" * 32),
        raw("v1:" + "9" * 40),  # the old unsigned form, with a number no database holds
        raw("v1:1000000"),  # the old form, past what this client got
        "x" * 5000,
        "%%%",
    ]
    for bad in forged:
        reply = call(key, cursor=bad)
        assert reply.status == 400, (bad, reply.body)
        assert json.loads(reply.body)["error"] == "bad_cursor"
    # Another client's cursor is not good for this one, nor this one's for it.
    assert call(other, cursor=cursor).status == 400
    assert progress("billing-main") == 3 and progress("billing-backup") == 0

    # The genuine cursor goes on where it left off; an old unsigned one within
    # what the client got still works (clients mid-way at the upgrade).
    assert [r["reading_id"] for r in page(key, cursor, limit=10)[0]] == [
        r["reading_id"] for r in page(key, raw("v1:3"), limit=10)[0]
    ]
    assert progress("billing-main") == 6


def test_over_http_a_huge_cursor_is_a_400(server, staff):  # noqa: F811
    base, _ = server
    api_key = staff("billing", "keys", "create", "billing-main").out.strip()
    submit(meter_ids(1)[0], "98765.4", 0)
    for bad in (raw("v1:" + "9" * 30), raw("v2:" + "9" * 18 + ":" + "a" * 32), "A" * 300):
        status, _, body = get(f"{base}/v1/readings?cursor={bad}", api_key)
        assert status == 400 and json.loads(body)["error"] == "bad_cursor"
    status, _, body = get(f"{base}/v1/readings", api_key)
    assert status == 200 and len(json.loads(body)["readings"]) == 1
