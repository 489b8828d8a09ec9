"""`plan-reminders` and `outbox`: what staff (and the timer) run and read."""

from staff.common import EXIT_OK
from tests.support.clock import set_clock
from tests.support.db import in_session
from tests.support.outbox import LINKED_AT, add_account, link, three_linked_users, user


def test_plan_reminders_on_a_reminder_day_then_again_then_the_outbox(engine, staff, monkeypatch):
    in_session(three_linked_users)
    set_clock(monkeypatch, "2026-11-24T08:00:00+02:00")
    assert "не день нагадувань" in staff("plan-reminders").out
    set_clock(monkeypatch, "2026-11-25T08:00:00+02:00")
    first = staff("plan-reminders")
    assert first.code == EXIT_OK
    assert "за 3 дні до останнього дня" in first.out and "нових у черзі — 3" in first.out
    assert "Надсилання з 25 листопада о 10:00" in first.out
    again = staff("plan-reminders")
    assert "нових у черзі — 0, усього на цей день — 3" in again.out
    state = staff("outbox", "--period", "2026-11").out
    row = next(line for line in state.splitlines() if line.startswith("нагадування"))
    assert row.split()[1] == "3"  # in the queue
    assert "Наступне в черзі: 25 листопада о 10:00" in state


def test_plan_reminders_run_late_on_the_last_day_plans_nothing_and_says_why(
    engine, staff, monkeypatch
):
    in_session(three_linked_users)
    set_clock(monkeypatch, "2026-11-28T21:30:00+02:00")  # quiet hours until the 29th
    late = staff("plan-reminders")
    assert late.code == EXIT_OK and "запізно" in late.out and "у черзі на цей день — 0" in late.out
    set_clock(monkeypatch, "2026-11-25T22:00:00+02:00")  # three days before: the morning will do
    assert "Надсилання з 26 листопада о 09:00" in staff("plan-reminders").out


def test_empty_outbox(engine, staff):
    assert staff("outbox").out.strip() == "Черга порожня."


def test_month_stats_show_the_outbox_per_kind(engine, staff, monkeypatch):
    in_session(three_linked_users)
    set_clock(monkeypatch, "2026-11-25T08:00:00+02:00")
    staff("plan-reminders")
    out = staff("stats", "--period", "2026-11").out
    assert "Повідомлення, які асистент надсилає першим" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("нагадування"))
    assert row.split()[1:] == ["3", "0", "0", "0"]
    assert "не було" in staff("stats", "--period", "2026-10").out


def _street_users(session) -> None:
    from core.db.models import Account

    three_linked_users(session)  # 0300001 on вул. Соборності, users 300..302
    other = add_account(session, "0300002")
    session.get(Account, other.id).street = "вул. Європейська"
    link(session, user("viber", "v1=="), other, LINKED_AT)


def test_broadcast_dry_run_then_confirmed_send_once(engine, staff, monkeypatch):
    from tests.support.outbox import outbox

    in_session(_street_users)
    set_clock(monkeypatch, "2026-11-26T22:15:00+02:00")
    text = "Цього місяця показники приймаються до 30-го"
    preview = staff("broadcast", "--text", text, "--street", "європейськ")
    assert "Одержувачів: 1 (viber 1)" in preview.out and "Це перегляд" in preview.out
    assert "Надсилання з 27 листопада о 09:00" in preview.out  # quiet hours
    assert in_session(outbox) == []

    wrong = staff("broadcast", "--text", text, "--send", "--expect", "1")
    assert wrong.code != EXIT_OK and "одержувачів зараз 4" in wrong.err.lower()
    assert in_session(outbox) == []

    sent = staff("broadcast", "--text", text, "--send", "--expect", "4")
    assert sent.code == EXIT_OK and "нових повідомлень: 4" in sent.out
    again = staff("broadcast", "--text", text, "--send", "--expect", "4")
    assert "нових повідомлень: 0" in again.out
    rows = in_session(lambda s: outbox(s, "broadcast"))
    assert len(rows) == 4 and {r.text for r in rows} == {text}


def test_broadcast_to_those_who_have_not_submitted(engine, staff):
    from decimal import Decimal

    from sqlalchemy import select

    from core.db.models import Account, Reading

    in_session(_street_users)
    assert "Одержувачів: 4" in staff("broadcast", "--text", "x", "--not-submitted", "2026-11").out

    def submit_all(session) -> None:
        account = session.execute(select(Account).where(Account.number == "0300002")).scalar_one()
        for meter in account.meters:
            session.add(
                Reading(
                    meter_id=meter.id, period="2026-11", value=Decimal(1), submitted_at=LINKED_AT
                )
            )

    in_session(submit_all)
    out = staff("broadcast", "--text", "x", "--not-submitted", "2026-11").out
    assert "Одержувачів: 3 (telegram 3)" in out
