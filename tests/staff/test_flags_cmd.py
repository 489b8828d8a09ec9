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
