"""Walking the account numbers does not work: every lookup of an account the user
has not linked counts, found or not, per hour and per day, and a ceiling per
channel stops a crowd of fresh sender ids."""

from __future__ import annotations

import logging
from datetime import timedelta

from core.accounts.lookup import lookup_account
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.settings import LookupLimits
from tests.support.db import in_session
from tests.support.metrics import sample

LIMITS = LookupLimits(per_hour=3, per_day=5, per_channel_hour=8)


def look(sender: SenderKey, number: str, now, limits: LookupLimits = LIMITS):
    return in_session(lambda s: lookup_account(s, sender, number, now, limits))


def test_found_accounts_count_too(seeded, now):
    walker = SenderKey("telegram", "walker")
    found = [look(walker, f"01000{n:02d}", now).account for n in range(1, 4)]
    assert all(account is not None for account in found)
    refused = sample("teplo_lookups_refused_total", limit="user")
    blocked = look(walker, "0100004", now)
    assert blocked.account is None and blocked.blocked_until == now + timedelta(hours=1)
    assert sample("teplo_lookups_refused_total", limit="user") == refused + 1


def test_an_hour_later_a_few_more_then_the_day_is_over(seeded, now):
    walker = SenderKey("viber", "walker")
    for n in range(1, 4):
        look(walker, f"01000{n:02d}", now)
    later = now + timedelta(hours=1, minutes=1)
    assert look(walker, "0100005", later).account is not None
    assert look(walker, "0100006", later).account is not None
    refused = look(walker, "0100007", later)
    assert refused.account is None and refused.blocked_until == now + timedelta(days=1)


def test_own_linked_accounts_never_count(seeded, now):
    owner = SenderKey("telegram", "owner")
    in_session(
        lambda s: accounts_repo.link_account(
            s, owner, accounts_repo.find_account(s, "0100001"), now
        )
    )
    for _ in range(10):
        assert look(owner, "0100001", now).account is not None


def test_many_fresh_ids_hit_the_channel_ceiling_and_staff_are_warned(seeded, now, caplog):
    caplog.set_level(logging.WARNING)
    refused = sample("teplo_lookups_refused_total", limit="channel")
    results = [look(SenderKey("telegram", f"id-{n}"), f"01000{n + 1:02d}", now) for n in range(12)]
    assert [r.account is not None for r in results] == [True] * 8 + [False] * 4
    assert sample("teplo_lookups_refused_total", limit="channel") == refused + 4
    assert all(r.blocked_until is not None for r in results[8:])
    assert "over the ceiling" in caplog.text and "01000" not in caplog.text
    # Other channels are not affected.
    assert look(SenderKey("viber", "someone"), "0100001", now).account is not None


def test_rows_older_than_a_day_are_purged(seeded, now):
    walker = SenderKey("telegram", "old")
    look(walker, "0100001", now)
    look(SenderKey("telegram", "new"), "0100002", now + timedelta(days=1, minutes=1))
    left = in_session(lambda s: accounts_repo.lookups_since(s, walker, now - timedelta(days=2)))
    assert left == []
