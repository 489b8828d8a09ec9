"""`teplo flags`: an account locked by wrong ownership proofs, and unlocking it."""

from core.accounts.ownership import ProofOutcome, check_proof
from core.senders import SenderKey
from core.settings import get_settings
from staff.common import EXIT_FAILED, EXIT_OK
from tests.support.accounts import proof_digits
from tests.support.db import in_session
from tests.support.outbox import add_account


def answer(sender_id: str, digits: str) -> ProofOutcome:
    settings = get_settings()
    return in_session(
        lambda s: check_proof(
            s,
            SenderKey("viber", sender_id),
            "0400001",
            digits,
            settings.now(),
            settings.lookup_limits,
        )
    ).outcome


def test_a_locked_account_is_listed_and_staff_unlock_it(engine, staff):
    in_session(lambda s: add_account(s, "0400001"))
    assert staff("flags", "list").out.strip() == "Відкритих прапорців немає."
    for walker in range(5):  # 25 wrong answers in 30 days, 5 by each id
        for attempt in range(5):
            assert answer(f"walker-{walker}", f"12345{attempt}") is ProofOutcome.WRONG
    assert answer("owner", proof_digits("0400001")) is ProofOutcome.LOCKED

    listed = staff("flags", "list").out
    assert "0400001" in listed and "неправильних спроб" in listed
    assert "0400001" in staff("outbox").out  # the queue report lists it too

    done = staff("flags", "resolve", "0400001")  # the lock and the early watch flag
    assert done.code == EXIT_OK and "знято прапорців — 2" in done.out
    assert answer("owner", proof_digits("0400001")) is ProofOutcome.PROVED
    # The wrong answers before staff looked no longer count.
    assert answer("walker-x", "123456") is ProofOutcome.WRONG
    assert staff("flags", "list").out.strip() == "Відкритих прапорців немає."
    assert staff("flags", "resolve", "0999999").code == EXIT_FAILED


def test_a_not_me_report_is_decided_and_the_bar_lifted_from_the_command_line(engine, staff):
    from datetime import timedelta

    from sqlalchemy import select

    from core.db.models import AccountFlag, AuditEntry, HolderNotice, LinkBar
    from core.outbox import holders
    from core.repository import accounts as accounts_repo

    now = get_settings().now()
    anna, borys = SenderKey("telegram", "telegram:1"), SenderKey("viber", "viber:2")

    def reported(session):
        account = add_account(session, "0400002")
        accounts_repo.link_account(session, anna, account, now - timedelta(days=1))
        accounts_repo.link_account(session, borys, account, now)
        holders.notify_link(session, borys, account, now)
        token = session.execute(select(HolderNotice.token)).scalar_one()
        holders.disown(session, anna, token, now)
        return session.execute(select(AccountFlag.id)).scalar_one()

    flag_id = in_session(reported)
    listed = staff("flags", "list", "--queue", "not-me").out
    assert f"#{flag_id} 0400002" in listed and "відкритих 1" in listed
    assert "Підтвердження рахунків" not in listed
    assert staff("flags", "decide", flag_id).code != EXIT_OK  # --keep or --evict is required
    done = staff("flags", "decide", flag_id, "--evict", "--note", "сторонній")
    assert done.code == EXIT_OK and "не зможе" in done.out
    assert staff("flags", "decide", flag_id, "--keep").code == EXIT_FAILED  # decided already
    [bar_id] = in_session(lambda s: s.execute(select(LinkBar.id)).scalars().all())
    assert f"#{bar_id} viber" in staff("flags", "bars", "0400002").out
    assert staff("flags", "lift-bar", bar_id, "--note", "помилка").code == EXIT_OK
    assert "заборон немає" in staff("flags", "bars", "0400002").out
    assert staff("flags", "lift-bar", bar_id).code == EXIT_FAILED
    actions = in_session(lambda s: s.execute(select(AuditEntry.action)).scalars().all())
    assert actions == ["decide_not_me", "lift_link_bar"]
    # Handled reports stay listed with --all, after the open ones.
    assert "[опрацьовано" in staff("flags", "list", "--queue", "not-me", "--all").out
