"""The engineer's and the timers' `teplo` runs change data too, so the audit log
shows them as `teplo:<OS user>`: API keys, plan-reminders, the billing drop, the
retention purge. A run that changed nothing leaves no entry (the timers run hourly)."""

from __future__ import annotations

from datetime import timedelta
from typing import List, Tuple

from sqlalchemy import select

from core.db.models import AuditEntry, ConversationEvent
from core.privacy import forget_sender
from core.senders import SenderKey
from core.staff.actor import cli_actor
from staff.common import EXIT_OK
from tests.support.billing import drop_dir, meter_ids, submit  # noqa: F401
from tests.support.clock import set_clock
from tests.support.db import in_session
from tests.support.outbox import three_linked_users
from tests.support.tracker_store import tracker_store

TEPLO = cli_actor()


def entries() -> List[Tuple[str, str, str, str]]:
    """Every audit entry as (who, action, target, after), oldest first."""
    rows = in_session(
        lambda s: s.execute(
            select(
                AuditEntry.username, AuditEntry.action, AuditEntry.target, AuditEntry.after
            ).order_by(AuditEntry.id)
        ).all()
    )
    return [tuple(row) for row in rows]


def test_api_keys_are_audited_by_name_and_never_by_their_secret(engine, staff):
    created = staff("billing", "keys", "create", "billing-main")
    assert created.code == EXIT_OK
    token = created.out.strip()
    assert staff("billing", "keys", "revoke", "billing-main").code == EXIT_OK
    log = entries()
    assert [row[:3] for row in log] == [
        (TEPLO, "billing_key_create", "ключ API billing-main"),
        (TEPLO, "billing_key_revoke", "ключ API billing-main"),
    ]
    assert all(token not in str(row) for row in log)


def test_plan_reminders_is_audited_on_the_run_that_queues_them(engine, staff, monkeypatch):
    in_session(three_linked_users)
    set_clock(monkeypatch, "2026-11-24T08:00:00+02:00")
    staff("plan-reminders")
    assert entries() == []  # not a reminder day
    set_clock(monkeypatch, "2026-11-25T08:00:00+02:00")
    staff("plan-reminders")
    staff("plan-reminders")  # the timer again: nothing new
    ((who, action, target, after),) = entries()
    assert (who, action, target) == (TEPLO, "plan_reminders", "нагадування за 2026-11")
    assert '"added": 3' in after and '"days_before": 3' in after


def test_a_drop_that_writes_a_file_is_audited_and_an_empty_one_is_not(seeded, drop_dir, staff):  # noqa: F811
    assert staff("billing", "drop").code == EXIT_OK
    assert entries() == []
    for minute, meter in enumerate(meter_ids(3)):
        submit(meter, "120", minute)
    assert staff("billing", "drop").code == EXIT_OK
    ((who, action, _, after),) = entries()
    assert (who, action) == (TEPLO, "billing_drop")
    assert '"readings-000001.csv": 3' in after


def test_the_purge_is_audited_with_what_it_deleted(engine, now, staff, tmp_path, monkeypatch):
    gone = SenderKey("telegram", "telegram:4242")
    tracker_store(tmp_path, monkeypatch, [(gone.sender_id, now.timestamp())])
    in_session(
        lambda s: s.add(
            ConversationEvent(
                kind="fallback", reason="", channel="viber", occurred_at=now - timedelta(days=200)
            )
        )
    )
    in_session(lambda s: forget_sender(s, gone, now))
    assert staff("privacy", "purge").code == EXIT_OK
    assert staff("privacy", "purge").code == EXIT_OK  # nothing left to delete: no entry
    ((who, action, target, after),) = entries()
    assert (who, action, target) == (TEPLO, "privacy_purge", "строк зберігання 180 дн.")
    assert '"conversation_events": 1' in after and '"tracker_events": 1' in after
    assert '"forget_requests": 1' in after and gone.sender_id not in after
