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
from tests.actions.test_reading_form import _filled
from tests.support.accounts import prove
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


async def test_a_newcomer_is_announced_to_the_holders_and_can_be_disowned(seeded):
    await link_as(ANNA)
    assert in_session(outbox) == []  # the first holder: nobody to tell
    await link_as(BORYS)
    [notice] = in_session(lambda s: outbox(s, "notice"))
    assert notice.sender_id == ANNA["sender_id"]  # never to the newcomer
    assert (
        "0100004" in notice.text
        and "Viber" in notice.text
        and "20 листопада о 10:00" in notice.text
    )
    assert "b0rys" not in notice.text
    token = link_ref(notice)

    # Someone else cannot use Anna's button.
    _, texts, _ = await run(
        DisownNewcomer(),
        tracker(
            "/not_me", intent="not_me", entities=[{"entity": "link_ref", "value": token}], **VIRA
        ),
    )
    assert "Не вдалося знайти" in texts[0]
    assert holders_of("0100004") == [ANNA["sender_id"], BORYS["sender_id"]]

    _, texts, _ = await run(
        DisownNewcomer(),
        tracker(
            "/not_me", intent="not_me", entities=[{"entity": "link_ref", "value": token}], **ANNA
        ),
    )
    assert "від'єднано від рахунку 0100004" in texts[0]
    assert holders_of("0100004") == [ANNA["sender_id"]]
    assert in_session(lambda s: len(s.execute(select(AccountFlag)).all())) == 1
    assert in_session(lambda s: len(s.execute(select(LinkBar)).all())) == 1

    # Borys cannot link it again; pressing twice changes nothing more.
    _, texts, _ = await link_as(BORYS)
    assert "не можна додати" in texts[0]
    assert holders_of("0100004") == [ANNA["sender_id"]]
    _, texts, _ = await run(
        DisownNewcomer(),
        tracker(
            "/not_me", intent="not_me", entities=[{"entity": "link_ref", "value": token}], **ANNA
        ),
    )
    assert "вже від'єднано" in texts[0]
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


async def test_staff_see_the_flagged_account(seeded, capsys):
    from staff.cli import main

    await link_as(ANNA)
    await link_as(BORYS)
    [notice] = in_session(lambda s: outbox(s, "notice"))
    entities = [{"entity": "link_ref", "value": link_ref(notice)}]
    await run(DisownNewcomer(), tracker("/not_me", intent="not_me", entities=entities, **ANNA))
    capsys.readouterr()
    main(["outbox"])
    out = capsys.readouterr().out
    assert "Рахунки для перевірки" in out and "0100004 — 20 листопада о 10:00" in out
