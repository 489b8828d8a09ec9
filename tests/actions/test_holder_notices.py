"""Other holders of an account learn about a newcomer («Це не я» undoes it) and about
readings saved for it; the newcomer and the submitter never get these themselves."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from actions.accounts import LinkAccount
from actions.holders import DisownNewcomer, ReceiptsOff
from actions.readings import SaveReadings
from core.db.models import AccountFlag, AccountLink, LinkBar
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.actions.test_reading_form import _filled
from tests.support.accounts import prove
from tests.support.clock import set_clock
from tests.support.conversation import run, tracker
from tests.support.db import in_session
from tests.support.outbox import outbox

ANNA = {"sender_id": "telegram:101", "channel": "telegram"}
BORYS = {"sender_id": "viber:b0rys==", "channel": "viber"}
VIRA = {"sender_id": "telegram:103", "channel": "telegram"}
CONFIRMED = {"account_number": "0100004", "address_confirmed": True}


async def link_as(who):
    prove(CONFIRMED["account_number"], who["sender_id"], who["channel"])
    return await run(LinkAccount(), tracker(slots=CONFIRMED, **who))


def holders_of(number: str):
    def work(session):
        account = accounts_repo.find_account(session, number)
        rows = session.execute(
            select(AccountLink.sender_id).where(AccountLink.account_id == account.id)
        )
        return sorted(rows.scalars())

    return in_session(work)


def link_ref(message) -> str:
    [button] = json.loads(message.buttons)
    assert button["title"] == "Це не я"
    return json.loads(button["payload"][len("/not_me") :])["link_ref"]


async def press_not_me(token, who):
    entities = [{"entity": "link_ref", "value": token}]
    return await run(
        DisownNewcomer(), tracker("/not_me", intent="not_me", entities=entities, **who)
    )


def holds(who, number="0100004") -> bool:
    sender = SenderKey(who["channel"], who["sender_id"])
    return in_session(
        lambda s: accounts_repo.is_linked(s, sender, accounts_repo.find_account(s, number).id)
    )


async def test_a_newcomer_is_announced_and_not_me_suspends_them_until_staff_decide(
    seeded, monkeypatch
):
    await link_as(ANNA)
    assert in_session(outbox) == []  # the first holder: nobody to tell
    set_clock(monkeypatch, "2026-11-20T11:00:00+02:00")
    await link_as(BORYS)
    [notice] = in_session(lambda s: outbox(s, "notice"))
    assert notice.sender_id == ANNA["sender_id"]  # never to the newcomer
    assert (
        "0100004" in notice.text
        and "Viber" in notice.text
        and "20 листопада о 11:00" in notice.text
        and "7 днів" in notice.text
    )
    assert "b0rys" not in notice.text
    token = link_ref(notice)

    # Someone else cannot use Anna's button.
    _, texts, _ = await press_not_me(token, VIRA)
    assert "Не вдалося знайти" in texts[0]
    assert holds(BORYS)

    _, texts, _ = await press_not_me(token, ANNA)
    assert "призупинено" in texts[0]
    # Suspended, not evicted: Borys sees nothing now, staff decide.
    assert holders_of("0100004") == [ANNA["sender_id"], BORYS["sender_id"]]
    assert not holds(BORYS) and holds(ANNA)
    assert in_session(lambda s: len(s.execute(select(AccountFlag)).all())) == 1
    assert in_session(lambda s: len(s.execute(select(LinkBar)).all())) == 0

    # Borys relinking is told it waits; pressing twice changes nothing more.
    _, texts, _ = await link_as(BORYS)
    assert "призупинено" in texts[0]
    assert not holds(BORYS)
    _, texts, _ = await press_not_me(token, ANNA)
    assert "вже повідомили" in texts[0]
    assert in_session(lambda s: len(s.execute(select(AccountFlag)).all())) == 1


async def test_receipts_reach_the_other_holders_only_and_can_be_turned_off(seeded):
    for who in (ANNA, BORYS, VIRA):
        await link_as(who)
    state = await _filled("0100004")
    state["reading_save"] = True
    _, texts, _ = await run(
        SaveReadings(), tracker("зберегти", intent="affirm", slots=state, **BORYS)
    )
    assert "збережено" in texts[0]
    receipts = in_session(lambda s: outbox(s, "receipt"))
    assert sorted(r.sender_id for r in receipts) == [ANNA["sender_id"], VIRA["sender_id"]]
    assert "передано показники за листопад 2026" in receipts[0].text
    assert "через Viber" in receipts[0].text

    _, texts, _ = await run(ReceiptsOff(), tracker("/receipts_off", intent="receipts_off", **VIRA))
    assert "більше не надсилатиму" in texts[0]
    # Anna corrects them in a conversation of her own (it sees Borys's readings).
    corrected = await _filled("0100004")
    corrected["reading_entries"] = {
        meter: str(Decimal(value) + Decimal("0.5"))
        for meter, value in corrected["reading_entries"].items()
    }
    corrected["reading_save"] = True
    _, texts, _ = await run(SaveReadings(), tracker(slots=corrected, **ANNA))
    assert "оновлено" in texts[0]
    receipts = in_session(lambda s: outbox(s, "receipt"))
    # Anna submitted this time: Borys hears of it, Vira turned receipts off.
    assert sorted(r.sender_id for r in receipts[2:]) == [BORYS["sender_id"]]


async def test_staff_see_the_flagged_account(seeded, capsys, monkeypatch):
    from staff.cli import main

    await link_as(ANNA)
    set_clock(monkeypatch, "2026-11-20T11:00:00+02:00")
    await link_as(BORYS)
    [notice] = in_session(lambda s: outbox(s, "notice"))
    await press_not_me(link_ref(notice), ANNA)
    capsys.readouterr()
    main(["outbox"])
    out = capsys.readouterr().out
    assert "Рахунки для перевірки" in out and "0100004 — 20 листопада о 11:00" in out
