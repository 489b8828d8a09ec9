"""Walking the account numbers does not work: every lookup of an account the user
has not linked counts, found or not, per hour and per day, at most a few distinct
accounts a week; a crowd of fresh sender ids on one channel alerts staff and
stops nobody else."""

from __future__ import annotations

import logging
from datetime import timedelta

from core.accounts.lookup import lookup_account
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.settings import LookupLimits
from tests.support.db import in_session
from tests.support.metrics import sample

LIMITS = LookupLimits(per_hour=3, per_day=5, per_channel_hour=8, accounts_per_sender_week=10)


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


def test_many_fresh_ids_alert_staff_and_stop_nobody_else(seeded, now, caplog):
    caplog.set_level(logging.WARNING)
    alerts = sample("teplo_lookup_ceiling_alerts_total", channel="telegram")
    results = [look(SenderKey("telegram", f"id-{n}"), f"01000{n + 1:02d}", now) for n in range(12)]
    assert all(r.account is not None for r in results)
    assert sample("teplo_lookup_ceiling_alerts_total", channel="telegram") == alerts + 1
    assert "alert ceiling" in caplog.text and "01000" not in caplog.text
    assert look(SenderKey("viber", "someone"), "0100001", now).account is not None


def test_a_sender_may_try_three_distinct_accounts_a_week(seeded, now):
    limits = LookupLimits()
    walker = SenderKey("telegram", "weekly")
    days = [now + timedelta(days=day) for day in range(4)]
    assert [look(walker, f"010000{n + 1}", days[n], limits).account is not None for n in range(3)]
    refused = look(walker, "0100004", days[3], limits)
    assert refused.account is None and refused.blocked_until == now + timedelta(days=7)
    # The accounts already tried may be looked up again.
    assert look(walker, "0100002", days[3], limits).account is not None


def test_rows_older_than_a_week_are_purged(seeded, now):
    walker = SenderKey("telegram", "old")
    look(walker, "0100001", now)
    look(SenderKey("telegram", "new"), "0100002", now + timedelta(days=7, minutes=1))
    left = in_session(lambda s: accounts_repo.lookups_since(s, walker, now - timedelta(days=2)))
    assert left == []
