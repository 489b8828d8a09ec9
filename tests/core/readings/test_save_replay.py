"""A Save replayed after a crash (the confirmation never reached the user) is
stored once; a real correction still supersedes the earlier reading."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db.models import Reading, ReadingSource
from core.readings.submission import save_submission
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from tests.support.db import in_session
from tests.support.metrics import sample

NUMBER = "0100004"


def _link_and_values(sender, now, bump):
    def work(session):
        account = accounts_repo.find_account(session, NUMBER)
        accounts_repo.link_account(session, sender, account, now)
        return {
            m.id: readings_repo.last_reading(session, m.id).value + bump
            for m in accounts_repo.active_meters(session, account.id)
        }

    return in_session(work)


def _rows():
    return in_session(
        lambda s: s.execute(
            select(func.count(Reading.id)).where(Reading.source == ReadingSource.assistant)
        ).scalar_one()
    )


def test_the_same_save_twice_is_stored_once(seeded, now):
    sender = SenderKey("telegram", "telegram:42")
    values = _link_and_values(sender, now, 1)
    saved_before = sample("teplo_readings_saved_total", channel="telegram")
    first = in_session(lambda s: save_submission(s, sender, NUMBER, values, "2026-11", now))
    again = in_session(lambda s: save_submission(s, sender, NUMBER, values, "2026-11", now))
    assert (first.count, first.corrected) == (again.count, again.corrected) == (len(values), 0)
    assert _rows() == len(values)
    # The metric counts stored readings: the replay stored nothing.
    assert sample("teplo_readings_saved_total", channel="telegram") == saved_before + len(values)


def test_a_different_value_is_still_a_correction(seeded, now):
    sender = SenderKey("telegram", "telegram:43")
    values = _link_and_values(sender, now, 1)
    in_session(lambda s: save_submission(s, sender, NUMBER, values, "2026-11", now))
    changed = {meter: value + 1 for meter, value in values.items()}
    saved = in_session(lambda s: save_submission(s, sender, NUMBER, changed, "2026-11", now))
    assert saved.corrected == len(values)
    assert _rows() == 2 * len(values)
