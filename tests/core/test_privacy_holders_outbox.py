"""Forget-me reaches the outbox, the holders' notices, opt-outs and bars; the
purge retires old outbox rows, notices and console sign-in attempts (SQLite
and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core.db.models import (
    HolderNotice,
    LinkBar,
    LoginAttempt,
    OutboxMessage,
    ReceiptOptOut,
)
from core.privacy import forget_sender, purge_expired
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.repository.outbox import queue as outbox_queue
from core.senders import SenderKey
from tests.support.db import in_session

ME = SenderKey("telegram", "telegram:777")
OTHER = SenderKey("telegram", "telegram:888")


def message(sender: SenderKey, key: str, status: str, now, age_days: int = 0) -> OutboxMessage:
    at = now - timedelta(days=age_days)
    return OutboxMessage(
        key=key,
        kind="receipt",
        channel=sender.channel,
        sender_id=sender.sender_id,
        text="Показники 0100001 прийнято: 101 м³",
        buttons='[{"title": "Це не я", "payload": "/x"}]',
        status=status,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
        sent_at=at if status == "sent" else None,
    )


def setup(session, now) -> int:
    account = accounts_repo.find_account(session, "0100001")
    session.add_all(
        [
            message(ME, f"receipt:1:{ME.sender_id}", "pending", now),
            message(ME, f"reminder:1:{ME.sender_id}", "sending", now - timedelta(hours=1)),
            message(ME, f"notice:1:{ME.sender_id}", "sent", now, age_days=2),
            message(OTHER, f"receipt:1:{OTHER.sender_id}", "pending", now),
        ]
    )
    holders_repo.add_notice(session, "tok-me-holder", account.id, ME, OTHER, now)
    holders_repo.add_notice(session, "tok-me-newcomer", account.id, OTHER, ME, now)
    holders_repo.turn_receipts_off(session, ME, now)
    holders_repo.turn_receipts_off(session, OTHER, now)
    holders_repo.bar(session, ME, account.id, now)
    session.flush()
    return account.id


def test_forget_me_cancels_what_was_still_to_be_sent_and_pseudonymises_the_rest(seeded, now):
    account_id = in_session(lambda s: setup(s, now))
    forgotten = in_session(lambda s: forget_sender(s, ME, now))
    assert forgotten.outbox_cancelled == 2

    # The outbox sender's own claim finds nothing for the forgotten user, even
    # the row whose lease has run out.
    claimed = in_session(
        lambda s: outbox_queue.claim_due(s, now + timedelta(hours=2), 100, ["telegram"], 60)
    )
    assert [c.sender_id for c in claimed] == [OTHER.sender_id]

    rows = in_session(lambda s: s.execute(sa.select(OutboxMessage)).scalars().all())
    mine = [r for r in rows if r.sender_id != OTHER.sender_id]
    assert sorted(r.status for r in mine) == ["cancelled", "cancelled", "sent"]
    for row in mine:
        assert row.sender_id.startswith("forgotten-") and ME.sender_id not in row.key
        assert row.text == "" and row.buttons == "[]"

    notices = in_session(lambda s: s.execute(sa.select(HolderNotice.token)).scalars().all())
    assert notices == []
    opt_outs = in_session(lambda s: s.execute(sa.select(ReceiptOptOut.sender_id)).scalars().all())
    assert opt_outs == [OTHER.sender_id]
    bars = in_session(lambda s: s.execute(sa.select(LinkBar.sender_id)).scalars().all())
    assert len(bars) == 1 and bars[0].startswith("sha256:") and "777" not in bars[0]
    # Forgetting is no way round the bar: the same user coming back is still barred.
    assert in_session(lambda s: holders_repo.is_barred(s, ME, account_id))
    assert not in_session(lambda s: holders_repo.is_barred(s, OTHER, account_id))


def test_forgetting_twice_keeps_one_bar(seeded, now):
    account_id = in_session(lambda s: setup(s, now))
    in_session(lambda s: forget_sender(s, ME, now))
    in_session(lambda s: holders_repo.bar(s, ME, account_id, now))
    in_session(lambda s: forget_sender(s, ME, now))
    bars = in_session(lambda s: s.execute(sa.select(LinkBar.sender_id)).scalars().all())
    assert len(bars) == 1 and in_session(lambda s: holders_repo.is_barred(s, ME, account_id))


def test_purge_retires_old_outbox_rows_notices_and_sign_in_attempts(seeded, now):
    def work(session):
        account = accounts_repo.find_account(session, "0100001")
        session.add_all(
            [
                message(OTHER, "old-sent", "sent", now, age_days=91),
                message(OTHER, "old-pending", "pending", now, age_days=91),
                message(OTHER, "recent-sent", "sent", now, age_days=89),
                LoginAttempt(username="clerk", succeeded=False, attempted_at=now - timedelta(31)),
                LoginAttempt(username="clerk", succeeded=True, attempted_at=now - timedelta(29)),
            ]
        )
        holders_repo.add_notice(session, "old", account.id, ME, OTHER, now - timedelta(days=31))
        holders_repo.add_notice(session, "new", account.id, ME, OTHER, now - timedelta(days=29))
        holders_repo.add_notice(session, "case", account.id, ME, OTHER, now - timedelta(days=60))
        session.execute(
            sa.update(HolderNotice).where(HolderNotice.token == "case").values(disowned_at=now)
        )

    in_session(work)
    purged = in_session(lambda s: purge_expired(s, now, 180))
    assert (purged.outbox, purged.notices, purged.login_attempts) == (1, 1, 1)
    keys = in_session(lambda s: s.execute(sa.select(OutboxMessage.key)).scalars().all())
    assert sorted(keys) == ["old-pending", "recent-sent"]
    tokens = in_session(lambda s: s.execute(sa.select(HolderNotice.token)).scalars().all())
    assert sorted(tokens) == ["case", "new"]
    statuses = in_session(lambda s: s.execute(sa.select(LoginAttempt.succeeded)).scalars().all())
    assert statuses == [True]
