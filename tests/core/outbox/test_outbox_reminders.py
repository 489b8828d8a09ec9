"""Deadline reminders: which days, to whom, what they say, and planning twice adds nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from core.db.models import OutboxStatus, Reading, WindowOverride
from core.outbox.reminders import plan_reminders, reminders_reply
from core.settings import KYIV
from tests.support.db import in_session
from tests.support.outbox import add_account, link, outbox, set_user, user

SLOT_DAY = datetime(2026, 11, 25, 8, 0, tzinfo=KYIV)  # 3 days before the 28th
LINKED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=KYIV)

ANNA, BORYS, VIRA, HALYNA = (
    user("telegram", 101),
    user("viber", "b0rys=="),
    user("telegram", 103),
    user("telegram", 104),
)


def _subscribers(session) -> None:
    first = add_account(session, "0200001")
    second = add_account(session, "0200002", kinds=("hot_water",))
    paid_up = add_account(session, "0200003", kinds=("heat",))
    link(session, ANNA, first, LINKED_AT)
    link(session, ANNA, second, LINKED_AT)
    link(session, BORYS, first, LINKED_AT)
    set_user(session, BORYS, LINKED_AT)  # Viber users are subscribed by writing
    link(session, VIRA, paid_up, LINKED_AT)
    session.add(
        Reading(
            meter_id=paid_up.meters[0].id,
            period="2026-11",
            value=Decimal("12.5"),
            submitted_at=LINKED_AT,
        )
    )
    link(session, HALYNA, second, LINKED_AT)
    set_user(session, HALYNA, LINKED_AT, reminders=False)


def test_one_reminder_per_user_listing_what_is_due_and_replanning_adds_nothing(engine):
    in_session(_subscribers)
    result = in_session(lambda s: plan_reminders(s, SLOT_DAY))
    assert (result.planned, result.added) == (2, 2)
    rows = in_session(outbox)
    by_user = {row.sender_id: row for row in rows}
    assert set(by_user) == {ANNA.sender_id, BORYS.sender_id}  # Vira paid up, Halyna said no
    anna = by_user[ANNA.sender_id]
    assert anna.key == "reminder:2026-11:last-3d:telegram:101"
    assert "до 28 листопада включно" in anna.text
    assert "о/р 0200001: тепло, гаряча вода" in anna.text
    assert "о/р 0200002: гаряча вода" in anna.text
    assert "Передати показники" in anna.buttons and "/reminders_off" in anna.buttons
    # Held until 10:00 Kyiv, the configured reminder time.
    assert anna.next_attempt_at == datetime(2026, 11, 25, 10, 0, tzinfo=KYIV)

    again = in_session(lambda s: plan_reminders(s, SLOT_DAY.replace(hour=11)))
    assert (again.planned, again.added) == (2, 0)
    assert len(in_session(outbox)) == 2


def test_no_reminders_on_other_days_and_the_last_day_has_its_own(engine):
    in_session(_subscribers)
    assert in_session(lambda s: plan_reminders(s, SLOT_DAY.replace(day=24))).slot is None
    last = in_session(lambda s: plan_reminders(s, SLOT_DAY.replace(day=28)))
    assert last.slot.name == "last-day" and last.added == 2
    texts = [row.text for row in in_session(outbox)]
    assert all(text.startswith("Сьогодні, 28 листопада, останній день") for text in texts)


def test_staff_moved_window_moves_the_reminders(engine):
    in_session(_subscribers)
    in_session(lambda s: s.add(WindowOverride(period="2026-11", first_day=1, last_day=20)))
    assert in_session(lambda s: plan_reminders(s, SLOT_DAY)).slot is None
    moved = in_session(lambda s: plan_reminders(s, SLOT_DAY.replace(day=17)))
    assert moved.added == 2
    assert "до 20 листопада включно" in in_session(outbox)[0].text


def test_unsubscribed_users_get_no_reminder(engine):
    in_session(_subscribers)
    in_session(lambda s: set_user(s, ANNA, LINKED_AT, subscribed=False))
    in_session(lambda s: plan_reminders(s, SLOT_DAY))
    assert [row.sender_id for row in in_session(outbox)] == [BORYS.sender_id]


def test_reminders_reply_tells_when_the_next_one_comes(engine):
    in_session(_subscribers)
    on_20th = datetime(2026, 11, 20, 10, 0, tzinfo=KYIV)
    reply = in_session(lambda s: reminders_reply(s, ANNA, True, on_20th))
    assert "Наступне нагадування — 25 листопада о 10:00" in reply
    # Vira has passed everything for November: her next one is in December.
    reply = in_session(lambda s: reminders_reply(s, VIRA, True, on_20th))
    assert "Наступне нагадування — 25 грудня о 10:00" in reply
    # A user with no account is told reminders need one.
    reply = in_session(lambda s: reminders_reply(s, user("telegram", 999), True, on_20th))
    assert "додайте свій" in reply


def test_turning_reminders_off_withdraws_the_planned_one_and_on_brings_it_back(engine):
    in_session(_subscribers)
    in_session(lambda s: plan_reminders(s, SLOT_DAY))
    reply = in_session(lambda s: reminders_reply(s, ANNA, False, SLOT_DAY))
    assert "більше не надсилатиму" in reply
    statuses = {row.sender_id: row.status for row in in_session(outbox)}
    assert statuses[ANNA.sender_id] == OutboxStatus.cancelled.value
    assert statuses[BORYS.sender_id] == OutboxStatus.pending.value

    reply = in_session(lambda s: reminders_reply(s, ANNA, True, SLOT_DAY.replace(hour=9)))
    assert "Наступне нагадування — 25 листопада о 10:00" in reply
    statuses = {row.sender_id: row.status for row in in_session(outbox)}
    assert statuses[ANNA.sender_id] == OutboxStatus.pending.value
    # After 10:00 the next one is the last day's.
    reply = in_session(lambda s: reminders_reply(s, HALYNA, True, SLOT_DAY.replace(hour=12)))
    assert "Наступне нагадування — 28 листопада о 10:00" in reply


def test_reminders_reply_for_accounts_without_meters(engine):
    def no_meters(session) -> None:
        link(session, ANNA, add_account(session, "0200009", kinds=()), LINKED_AT)

    in_session(no_meters)
    on_20th = datetime(2026, 11, 20, 10, 0, tzinfo=KYIV)
    reply = in_session(lambda s: reminders_reply(s, ANNA, True, on_20th))
    assert "немає лічильників" in reply


def test_links_never_proved_get_no_reminder_listing_meters(engine):
    in_session(lambda s: link(s, ANNA, add_account(s, "0200009"), LINKED_AT, proved=False))
    assert in_session(lambda s: plan_reminders(s, SLOT_DAY)).planned == 0
