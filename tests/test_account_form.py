"""Adding an account: number formats, unknown numbers, the rate limit, confirmation."""

import pytest

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
from tests.conftest import set_clock
from tests.support.conversation import button_titles, run, tracker
from tests.support.db import in_session


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
        "address_confirmed": None,
        "requested_slot": "account_number",
    }
    assert "ще раз" in texts[0]


async def test_link_after_yes_lists_meters_with_last_reading(seeded):
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

    await run(
        LinkAccount(), tracker(slots={"account_number": "0100002", "address_confirmed": True})
    )
    _, texts, _ = await run(ShowHistory(), tracker("історія", intent="reading_history"))
    lines = texts[0].splitlines()
    assert lines[0].startswith("Рахунок 0100002. Гаряча вода, лічильник №")
    assert lines[1].startswith("  жовтень 2026: ") and "спожито" in lines[1]
    assert lines[6].startswith("  травень 2026: ") and "спожито" not in lines[6]
    assert len(lines) == 7
