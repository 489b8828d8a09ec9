"""Two family members press «Зберегти» for the same meters at the same moment:
one wins, the other is told what was already submitted (channel and time, never
who) and that nothing of theirs was stored; never a database error."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from actions.readings import SaveReadings
from core.db.models import Reading
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.actions.test_reading_form import form_state, link
from tests.support.conversation import run, tracker
from tests.support.db import in_session

ROUNDS = ("0100001", "0100002", "0100004", "0100005", "0100007")
MOTHER = SenderKey("telegram", "mother")
SON = SenderKey("viber", "son")


def save_tracker(sender: SenderKey, number: str, bump: Decimal):
    state = form_state(number)
    entries = {
        str(meter["meter_id"]): str(Decimal(meter["previous_value"] or "0") + bump)
        for meter in state["reading_meters"]
    }
    slots = {**state, "reading_entries": entries, "reading_save": True, "requested_slot": None}
    return tracker(
        "Зберегти", "affirm", sender_id=sender.sender_id, channel=sender.channel, slots=slots
    )


def in_force(number: str):
    def work(session):
        account = accounts_repo.find_account(session, number)
        meters = [m.id for m in accounts_repo.active_meters(session, account.id)]
        rows = session.query(Reading).filter(
            Reading.meter_id.in_(meters), Reading.period == "2026-11", Reading.in_force.is_(True)
        )
        return sorted((r.meter_id, r.value, r.channel) for r in rows)

    return in_session(work)


async def test_simultaneous_saves_one_wins_the_other_hears_what_was_saved(seeded):
    for number in ROUNDS:
        link(number, sender=MOTHER)
        link(number, sender=SON)
        # Both forms were filled while nothing was in force for November.
        mother = save_tracker(MOTHER, number, Decimal("1"))
        son = save_tracker(SON, number, Decimal("2"))
        (_, mother_said, _), (_, son_said, _) = await asyncio.gather(
            run(SaveReadings(), mother), run(SaveReadings(), son)
        )
        saved = [said for said in (mother_said, son_said) if "Дякуємо" in " ".join(said)]
        refused = [said for said in (mother_said, son_said) if "уже передали" in " ".join(said)]
        assert len(saved) == 1 and len(refused) == 1, (mother_said, son_said)
        readings = in_force(number)
        channels = {channel for _, _, channel in readings}
        assert len(channels) == 1  # every meter from the winner, none mixed
        winner = channels.pop()
        refusal = " ".join(refused[0])
        assert f"через {'Telegram' if winner == 'telegram' else 'Viber'}" in refusal
        assert "mother" not in refusal and "son" not in refusal


async def test_the_same_person_saving_twice_is_a_correction_not_a_conflict(seeded):
    link("0100001", sender=MOTHER)
    first = save_tracker(MOTHER, "0100001", Decimal("1"))
    second = save_tracker(MOTHER, "0100001", Decimal("2"))
    _, said, _ = await run(SaveReadings(), first)
    assert "Дякуємо" in " ".join(said)
    _, said, _ = await run(SaveReadings(), second)
    assert "Дякуємо" in " ".join(said)
    assert [value for _, value, _ in in_force("0100001")] != []
