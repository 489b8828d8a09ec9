"""Two drop jobs started at once (and readings arriving meanwhile) deliver each reading once."""

from __future__ import annotations

import threading
import time
from typing import List

from sqlalchemy import select

from core.billing import delivery
from core.db.models import Reading, ReadingSource
from tests.support.billing import delivered_ids, meter_ids, submit
from tests.support.db import in_session


def test_two_jobs_at_once_never_deliver_a_reading_twice_or_lose_one(seeded, drop_dir, monkeypatch):
    meters = meter_ids()
    for minute, meter in enumerate(meters[:10]):
        submit(meter, "99999", minute)
    real_prepare = delivery._prepare
    inside = threading.Event()

    def slow_prepare(session, file, rewrite=False):
        inside.set()
        time.sleep(0.3)  # hold the lock long enough for the other job to collide with it
        real_prepare(session, file, rewrite)

    monkeypatch.setattr(delivery, "_prepare", slow_prepare)
    errors: List[BaseException] = []

    def job():
        try:
            for _ in range(3):
                delivery.drop_readings()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    jobs = [threading.Thread(target=job) for _ in range(2)]
    for thread in jobs:
        thread.start()
    inside.wait(10)
    # New readings (and a correction) while both jobs run.
    for minute, meter in enumerate(meters[10:20]):
        submit(meter, "99999", 100 + minute)
    submit(meters[0], "99999.5", 200)
    for thread in jobs:
        thread.join(60)

    assert not errors, errors
    delivery.drop_readings()  # whatever came after the last run of both
    taken = in_session(
        lambda s: list(
            s.execute(
                select(Reading.id)
                .where(Reading.source == ReadingSource.assistant)
                .order_by(Reading.id)
            ).scalars()
        )
    )
    delivered = delivered_ids(drop_dir)
    assert sorted(delivered) == taken  # every one, none twice
    assert len(taken) == 21
    numbers = sorted(int(p.name[9:15]) for p in drop_dir.glob("readings-*.csv"))
    assert numbers == list(range(1, len(numbers) + 1))  # no gaps, no duplicate numbers
