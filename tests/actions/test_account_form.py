"""Adding an account: number formats, unknown numbers, the rate limit, confirmation."""

from datetime import datetime

import pytest
from sqlalchemy import select

from actions.accounts import LinkAccount
from actions.forms.account_form import (
    AskAccountNumber,
    AskAddressConfirmed,
    ValidateAccountForm,
)
from core.accounts.numbers import (
    AccountNumberError,
    masked_address,
    normalise_account_number,
)
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.support.accounts import proof_digits, prove
from tests.support.clock import set_clock
from tests.support.conversation import button_titles, run, tracker
from tests.support.db import in_session
from tests.support.outbox import link

CONFIRMED_0100004 = {"account_number": "0100004", "address_confirmed": True}
NOW = datetime.fromisoformat("2026-11-20T10:00:00+02:00")


def linked_numbers(sender_id="user-1", channel="telegram"):
    return in_session(
        lambda s: [
            a.number for a in accounts_repo.linked_accounts(s, SenderKey(channel, sender_id))
        ]
    )


@pytest.mark.parametrize(
    "typed", ["0100001", "01 00 001", "01-00-001", " №0100001 ", "рахунок 0100001"]
)
def test_account_number_accepted_with_spaces_and_dashes(typed):
    assert normalise_account_number(typed) == "0100001"


@pytest.mark.parametrize(
    "typed, reason", [("12ab567", "лише з цифр"), ("123", "від 6 до 10"), ("", "не бачу")]
)
def test_malformed_account_numbers_are_explained(typed, reason):
    with pytest.raises(AccountNumberError, match=reason):
        normalise_account_number(typed)


def test_address_is_masked_apartment_hidden_whatever_its_length():
    assert masked_address("вул. Сінна", "5", "17") == "вул. Сінна, буд. 5, кв. ***"
    assert masked_address("вул. Сінна", "5", "1") == masked_address("вул. Сінна", "5", "1234")
    assert masked_address("вул. Сінна", "5", "") == "вул. Сінна, буд. 5"


async def test_known_number_is_accepted_and_normalised(seeded):
    slots, texts, _ = await run(
        ValidateAccountForm(),
        tracker(
            "01 00 001",
            set_now={"account_number": "01 00 001"},
            active_loop="account_form",
            slots={"requested_slot": "account_number"},
        ),
    )
    assert slots["account_number"] == "0100001"
    assert texts == []


async def test_malformed_number_gets_reason_and_new_chance(seeded):
    slots, texts, _ = await run(
        ValidateAccountForm(),
        tracker(
            "12ab",
            set_now={"account_number": "12ab"},
            active_loop="account_form",
            slots={"requested_slot": "account_number"},
        ),
    )
    assert slots["account_number"] is None
    assert "цифр" in texts[0]


async def test_unknown_number_is_refused_and_asked_again(seeded):
    slots, texts, _ = await run(
        ValidateAccountForm(),
        tracker(
            "9999999",
            set_now={"account_number": "9999999"},
            active_loop="account_form",
            slots={"requested_slot": "account_number"},
        ),
    )
    assert slots["account_number"] is None
    assert "9999999 не знайдено" in texts[0]


async def test_number_in_the_opening_phrase_is_used(seeded):
    form = ValidateAccountForm()
    slots, _, _ = await run(
        form, tracker("додай рахунок 0100004", intent="add_account", active_loop="account_form")
    )
    assert slots["account_number"] == "0100004"


async def test_failed_lookups_are_limited_per_sender_and_survive_restarts(seeded, monkeypatch):
    form = ValidateAccountForm()
    for attempt in range(5):
        slots, texts, _ = await run(
            form,
            tracker(
                f"999000{attempt}",
                set_now={"account_number": f"999000{attempt}"},
                active_loop="account_form",
                slots={"requested_slot": "account_number"},
            ),
        )
    # The fifth miss reaches the limit: the form ends and says when to try again.
    assert slots["requested_slot"] is None
    assert "Спробуйте знову після 11:00" in texts[0]

    # Even a correct number is not looked up now, from a fresh action instance (a restart).
    slots, texts, _ = await run(
        ValidateAccountForm(),
        tracker(
            "0100001",
            set_now={"account_number": "0100001"},
            active_loop="account_form",
            slots={"requested_slot": "account_number"},
        ),
    )
    assert slots["account_number"] is None and "Забагато" in texts[0]
    _, asked, _ = await run(AskAccountNumber(), tracker("", active_loop="account_form"))
    assert "Забагато" in asked[0]

    # Another messenger user is not affected; the same user may try after an hour.
    slots, _, _ = await run(
        form,
        tracker(
            "0100001",
            sender_id="user-2",
            set_now={"account_number": "0100001"},
            active_loop="account_form",
            slots={"requested_slot": "account_number"},
        ),
    )
    assert slots["account_number"] == "0100001"
    set_clock(monkeypatch, "2026-11-20T11:00:01+02:00")
    slots, _, _ = await run(
        form,
        tracker(
            "0100001",
            set_now={"account_number": "0100001"},
            active_loop="account_form",
            slots={"requested_slot": "account_number"},
        ),
    )
    assert slots["account_number"] == "0100001"


async def test_address_shown_masked_with_yes_no(seeded):
    prove("0100001")
    _, texts, messages = await run(
        AskAddressConfirmed(), tracker(slots={"account_number": "0100001"})
    )
    assert "вул. Соборності, буд. 1, кв. *" in texts[0]
    assert button_titles(messages) == ["Так", "Ні"]


async def test_no_means_mistyped_number_asked_again(seeded):
    slots, texts, _ = await run(
        ValidateAccountForm(),
        tracker(
            "ні",
            intent="deny",
            slots={"account_number": "0100001", "requested_slot": "address_confirmed"},
            set_now={"address_confirmed": False},
            active_loop="account_form",
        ),
    )
    assert slots == {
        "account_number": None,
        "ownership_proof": None,
        "address_confirmed": None,
        "requested_slot": "account_number",
    }
    assert "ще раз" in texts[0]


async def test_link_after_yes_lists_meters_with_last_reading(seeded):
    prove("0100004")
    slots, texts, messages = await run(
        LinkAccount(),
        tracker(
            "так", intent="affirm", slots={"account_number": "0100004", "address_confirmed": True}
        ),
    )
    assert linked_numbers() == ["0100004"]
    assert "Рахунок додано: 0100004" in texts[0]
    assert "Тепло, лічильник №" in texts[0] and "Гаряча вода, лічильник №" in texts[0]
    assert "останній показник" in texts[0] and "жовтня 2026" in texts[0]
    assert "Передати показники" in button_titles(messages)
    assert slots == {"account_number": None, "address_confirmed": None}


async def test_nothing_linked_without_confirmation(seeded):
    # E.g. someone typed "/inform{...}" and the form was ended by the rate limit.
    await run(
        LinkAccount(), tracker(slots={"account_number": "0100004", "address_confirmed": None})
    )
    await run(
        LinkAccount(), tracker(slots={"account_number": "0100004", "address_confirmed": False})
    )
    assert linked_numbers() == []


async def test_links_survive_and_stay_per_channel(seeded):
    prove("0100001", "same-id", "viber")
    await run(
        LinkAccount(),
        tracker(
            slots={"account_number": "0100001", "address_confirmed": True},
            channel="viber",
            sender_id="same-id",
        ),
    )
    assert linked_numbers("same-id", "viber") == ["0100001"]
    assert linked_numbers("same-id", "telegram") == []


async def test_my_accounts_lists_them_masked(seeded):
    from actions.accounts import ListAccounts

    _, texts, _ = await run(ListAccounts(), tracker("мої рахунки", intent="list_accounts"))
    assert "ще немає" in texts[0]
    for number in ("0100001", "0100004"):
        prove(number)
        await run(
            LinkAccount(), tracker(slots={"account_number": number, "address_confirmed": True})
        )
    _, texts, messages = await run(ListAccounts(), tracker("мої рахунки", intent="list_accounts"))
    assert "• 0100001, вул. Соборності, буд. 1, кв. *" in texts[0] and "0100004" in texts[0]
    assert "Прибрати рахунок" in button_titles(messages)


async def test_remove_account_after_confirmation(seeded):
    from actions.accounts import PrepareRemoval, UnlinkAccount
    from actions.forms.remove_account_form import AskRemoveConfirmed, ValidateRemoveAccountForm

    slots, texts, _ = await run(
        PrepareRemoval(), tracker("видалити рахунок", intent="remove_account")
    )
    assert slots["flow_route"] == "no_accounts" and "немає доданих" in texts[0]
    prove("0100004")
    await run(
        LinkAccount(), tracker(slots={"account_number": "0100004", "address_confirmed": True})
    )
    slots, _, _ = await run(PrepareRemoval(), tracker("видалити рахунок", intent="remove_account"))
    assert slots["flow_route"] == "ready"

    # One account: chosen without a question, then an explicit Yes / No.
    slots, _, _ = await run(
        ValidateRemoveAccountForm(),
        tracker("видалити рахунок", intent="remove_account", active_loop="remove_account_form"),
    )
    assert slots["remove_account_choice"] == "0100004"
    assert slots["requested_slot"] == "remove_confirmed"
    _, texts, messages = await run(AskRemoveConfirmed(), tracker(slots=slots))
    assert "Прибрати рахунок 0100004" in texts[0] and button_titles(messages) == ["Так", "Ні"]

    _, texts, _ = await run(
        UnlinkAccount(),
        tracker(
            "ні",
            intent="deny",
            slots={"remove_account_choice": "0100004", "remove_confirmed": False},
        ),
    )
    assert linked_numbers() == ["0100004"] and "залишається" in texts[0]
    _, texts, _ = await run(
        UnlinkAccount(),
        tracker(
            "так",
            intent="affirm",
            slots={"remove_account_choice": "0100004", "remove_confirmed": True},
        ),
    )
    assert linked_numbers() == [] and "прибрано" in texts[0]


async def test_history_shows_six_periods_with_consumption(seeded):
    from actions.readings import ShowHistory

    prove("0100002")
    await run(
        LinkAccount(), tracker(slots={"account_number": "0100002", "address_confirmed": True})
    )
    _, texts, _ = await run(ShowHistory(), tracker("історія", intent="reading_history"))
    lines = texts[0].splitlines()
    assert lines[0].startswith("Рахунок 0100002. Гаряча вода, лічильник №")
    assert lines[1].startswith("  жовтень 2026: ") and "спожито" in lines[1]
    assert lines[6].startswith("  травень 2026: ") and "спожито" not in lines[6]
    assert len(lines) == 7


# Proof of ownership (core/accounts/ownership.py): nothing is shown or linked before it.


def at_proof(answer: str, number: str = "0100004", sender_id: str = "user-1"):
    return tracker(
        answer,
        sender_id=sender_id,
        slots={"account_number": number, "requested_slot": "ownership_proof"},
        set_now={"ownership_proof": answer},
        active_loop="account_form",
    )


def at_number(number: str, sender_id: str = "user-1"):
    return tracker(
        number,
        sender_id=sender_id,
        set_now={"account_number": number},
        active_loop="account_form",
        slots={"requested_slot": "account_number"},
    )


async def test_a_found_number_asks_for_the_proof_and_shows_nothing(seeded):
    slots, texts, _ = await run(ValidateAccountForm(), at_number("0100004"))
    assert slots["account_number"] == "0100004" and slots["requested_slot"] == "ownership_proof"
    assert texts == []  # no address, no meters yet
    _, asked, _ = await run(ValidateAccountForm(), at_proof("щось"))
    assert "6 цифр" in asked[0]


async def test_the_serials_last_digits_prove_the_account_in_any_digits(seeded):
    digits = proof_digits("0100004")
    full_width = "".join(chr(ord(d) - ord("0") + ord("０")) for d in digits)
    slots, texts, _ = await run(ValidateAccountForm(), at_proof(f"№ {full_width}"))
    assert slots["ownership_proof"] == "proved" and slots["requested_slot"] == "address_confirmed"
    _, texts, _ = await run(AskAddressConfirmed(), tracker(slots={"account_number": "0100004"}))
    assert "Це ваша адреса?" in texts[0]


async def test_a_wrong_proof_is_refused_counted_and_asked_again(seeded):
    wrong = "000000" if proof_digits("0100004") != "000000" else "111111"
    slots, texts, _ = await run(ValidateAccountForm(), at_proof(wrong))
    assert slots["ownership_proof"] is None and slots["requested_slot"] == "ownership_proof"
    assert "не збігаються" in texts[0]
    # Too short is explained and not counted; the address is still not shown.
    slots, texts, _ = await run(ValidateAccountForm(), at_proof("12"))
    assert "6 цифр" in texts[0]
    _, texts, _ = await run(AskAddressConfirmed(), tracker(slots={"account_number": "0100004"}))
    assert "адреса" not in texts[0] and "вул." not in texts[0]
    await run(
        LinkAccount(), tracker(slots={"account_number": "0100004", "address_confirmed": True})
    )
    assert linked_numbers() == []


async def test_wrong_proofs_use_up_the_users_lookups(seeded):
    # The number's lookup counts once, every wrong answer once more: 5 an hour.
    await run(ValidateAccountForm(), at_number("0100004"))
    for attempt in range(4):
        slots, texts, _ = await run(ValidateAccountForm(), at_proof(f"99999{attempt}"))
    assert slots["account_number"] is None and "не збігаються" in texts[0]
    _, asked, _ = await run(AskAccountNumber(), tracker("", active_loop="account_form"))
    assert "Забагато" in asked[0]
    # Even the right answer is not taken now.
    slots, _, _ = await run(ValidateAccountForm(), at_proof(proof_digits("0100004")))
    assert slots["ownership_proof"] is None


async def test_25_wrong_proofs_by_five_ids_lock_the_account_and_flag_it(seeded):
    from core.repository import holders as holders_repo

    prove("0100004", "holder")  # a holder who proved it before keeps it
    await run(LinkAccount(), tracker(slots=dict(CONFIRMED_0100004), sender_id="holder"))
    for walker in range(5):
        for attempt in range(5):
            await run(
                ValidateAccountForm(), at_proof(f"12345{attempt}", sender_id=f"walker-{walker}")
            )
    reasons = [reason for number, reason, _ in in_session(holders_repo.open_flags)]
    assert reasons == ["proof_watch", "proof_attempts"]
    # Now nobody new may prove it, the right digits included, and nothing is revealed.
    slots, texts, _ = await run(
        ValidateAccountForm(), at_proof(proof_digits("0100004"), sender_id="owner")
    )
    assert slots["account_number"] is None
    assert "забагато неправильних спроб" in texts[0] and "вул." not in texts[0]
    slots, texts, _ = await run(ValidateAccountForm(), at_number("0100004", "owner"))
    assert slots["account_number"] is None and "абонентського відділу" in texts[0]
    assert linked_numbers("holder") == ["0100004"]


async def test_an_account_without_meters_reveals_nothing(seeded):
    from sqlalchemy import update

    from core.db.models import Account, Meter

    def switch_off(session):
        account_id = session.execute(
            select(Account.id).where(Account.number == "0100004")
        ).scalar_one()
        session.execute(update(Meter).where(Meter.account_id == account_id).values(active=False))

    in_session(switch_off)
    slots, texts, _ = await run(ValidateAccountForm(), at_number("0100004"))
    assert slots["account_number"] is None
    assert "не вдасться підтвердити" in texts[0] and "вул." not in texts[0]


async def test_links_made_before_proofs_open_nothing_until_proved(seeded):
    from actions.readings import PrepareSubmission

    def legacy_link(session):
        account = accounts_repo.find_account(session, "0100004")
        link(session, SenderKey("telegram", "user-1"), account, NOW, proved=False)

    in_session(legacy_link)
    assert linked_numbers() == []
    slots, texts, _ = await run(PrepareSubmission(), tracker("передати", intent="submit_reading"))
    assert slots["flow_route"] == "no_accounts" and "посилили захист" in texts[0]
    # The number is looked up like any other and the proof asked; proving it keeps the link.
    slots, _, _ = await run(ValidateAccountForm(), at_number("0100004"))
    assert slots["requested_slot"] == "ownership_proof"
    await run(ValidateAccountForm(), at_proof(proof_digits("0100004")))
    _, texts, _ = await run(LinkAccount(), tracker(slots=dict(CONFIRMED_0100004)))
    assert "вже додали" in texts[0] and linked_numbers() == ["0100004"]


async def test_a_forged_conversation_cannot_link_without_a_proof(seeded):
    forged = {"account_number": "0100004", "ownership_proof": "proved", "address_confirmed": True}
    _, texts, _ = await run(LinkAccount(), tracker(slots=forged))
    assert linked_numbers() == [] and "застаріло" in texts[0]
