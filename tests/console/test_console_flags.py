"""Позначки (issue 19): two queues, newest and unresolved first, page by page; a
«Це не я» report decided and a bar lifted from the console, audited in the core."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db.models import AccountFlag, HolderNotice, LinkBar
from core.outbox import holders
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.senders import SenderKey
from tests.support.console import audit_actions, csrf_of
from tests.support.db import in_session

ANNA, BORYS = SenderKey("telegram", "telegram:701"), SenderKey("viber", "viber:b0rys==")


def reported(
    now, number: str = "0100004", older: SenderKey = ANNA, newer: SenderKey = BORYS
) -> int:
    """`older` (Anna) said «Це не я» about `newer` (Borys); returns the report's flag id."""

    def work(session):
        account = accounts_repo.find_account(session, number)
        accounts_repo.link_account(session, older, account, now - timedelta(days=3))
        accounts_repo.link_account(session, newer, account, now - timedelta(hours=1))
        holders.notify_link(session, newer, account, now - timedelta(hours=1))
        token = session.execute(
            select(HolderNotice.token).where(HolderNotice.holder_sender_id == older.sender_id)
        ).scalar_one()
        assert holders.disown(session, older, token, now).status is holders.DisownStatus.SUSPENDED
        return session.execute(
            select(AccountFlag.id).where(
                AccountFlag.account_id == account.id, AccountFlag.reason == holders.FLAG_NOT_ME
            )
        ).scalar_one()

    return in_session(work)


def test_a_report_is_decided_and_the_bar_lifted(login, now):
    flag_id = reported(now)
    client = login("olena")
    page = client.get("/flags").text
    assert 'data-queue="not-me"' in page and 'data-queue="locks"' in page
    assert "Відкритих: 1, усього: 1." in page and 'name="keep" value="0"' in page
    evicted = client.post(
        f"/flags/{flag_id}/decide",
        data={"csrf_token": csrf_of(page), "keep": "0", "note": "сторонній"},
    )
    assert "знову він не зможе" in evicted.text
    assert (
        in_session(
            lambda s: accounts_repo.link_of(s, BORYS, accounts_repo.find_account(s, "0100004").id)
        )
        is None
    )
    [bar_id] = in_session(lambda s: s.execute(select(LinkBar.id)).scalars().all())
    assert f'data-bar="{bar_id}"' in evicted.text
    lifted = client.post(
        f"/bars/{bar_id}/lift", data={"csrf_token": csrf_of(evicted.text), "note": "помилка"}
    )
    assert "заборону знято" in lifted.text
    assert in_session(lambda s: s.execute(select(LinkBar)).all()) == []
    assert [(a[0], a[1], a[4]) for a in audit_actions()] == [
        ("olena", "decide_not_me", "сторонній"),
        ("olena", "lift_link_bar", "помилка"),
    ]
    # Decided already: a second press is refused, nothing more written.
    again = client.post(f"/flags/{flag_id}/decide", data={"csrf_token": csrf_of(lifted.text)})
    assert "вже опрацьовано" in again.text and len(audit_actions()) == 2


def test_a_flood_of_lock_flags_never_hides_the_reports_and_pages_on(login, now):
    reported(now)

    def flood(session):
        for n in range(60):
            account = accounts_repo.find_account(session, f"01000{n % 36 + 1:02d}")
            holders_repo.flag(session, account.id, "proof_watch", now - timedelta(minutes=n))

    in_session(flood)
    client = login("olena")
    page = client.get("/flags").text
    assert "Відкритих: 1, усього: 1. Сторінка 1 з 1" in page  # the report, on top of its queue
    assert "Відкритих: 60, усього: 60. Сторінка 1 з 2" in page
    second = client.get("/flags?locks-page=2").text
    assert "Сторінка 2 з 2" in second and second.count('data-reason="proof_watch"') == 10
