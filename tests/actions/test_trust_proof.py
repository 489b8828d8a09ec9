"""Issue 19 replayed against the actions, with real Trackers: the attacks the review
found (60 ids closing a channel, 3 ids locking an owner out, a later holder
evicted, a legacy re-proof unseen) and the rules that stop them."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from actions.accounts import LinkAccount, UnlinkAccount
from actions.forms.account_form import AskOwnershipProof, ValidateAccountForm
from actions.holders import DisownNewcomer
from core.accounts import challenge
from core.db.models import Account, AccountFlag, AuditEntry, LinkBar
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.senders import SenderKey
from core.staff import flags as staff_ops
from core.texts.accounts import SHARE_PHONE_PAYLOAD
from tests.actions.test_account_form import at_number, at_proof
from tests.support.accounts import proof_digits
from tests.support.clock import pinned_now, set_clock
from tests.support.conversation import run, tracker
from tests.support.db import in_session
from tests.support.metrics import sample
from tests.support.outbox import link, outbox

NUMBER = "0100004"


def confirmed(sender_id, channel="telegram"):
    return tracker(
        slots={"account_number": NUMBER, "address_confirmed": True},
        sender_id=sender_id,
        channel=channel,
    )


async def prove_and_link(sender_id, channel="telegram"):
    slots, _, _ = await run(
        ValidateAccountForm(), at_proof(proof_digits(NUMBER), sender_id=sender_id)
    )
    assert slots["ownership_proof"] == "proved"
    return await run(LinkAccount(), confirmed(sender_id, channel))


def holds(sender_id, number=NUMBER, channel="telegram") -> bool:
    sender = SenderKey(channel, sender_id)
    return in_session(
        lambda s: accounts_repo.is_linked(s, sender, accounts_repo.find_account(s, number).id)
    )


def reasons():
    return in_session(lambda s: [r for _, r, _ in holders_repo.open_flags(s)])


def token_of(message) -> str:
    [button] = json.loads(message.buttons)
    return json.loads(button["payload"][len("/not_me") :])["link_ref"]


async def press(token, sender_id):
    entities = [{"entity": "link_ref", "value": token}]
    return await run(
        DisownNewcomer(),
        tracker("/not_me", intent="not_me", entities=entities, sender_id=sender_id),
    )


# --- limits that stop the attacker, not everyone ------------------------------------


async def test_60_ids_with_5_lookups_each_do_not_close_account_adding(seeded):
    alerts = sample("teplo_lookup_ceiling_alerts_total", channel="telegram")
    for walker in range(60):
        for n in range(5):
            await run(
                ValidateAccountForm(),
                # 3 distinct accounts each (the weekly cap), 5 lookups: 300 in the hour.
                at_number(f"01000{(walker + n % 3) % 36 + 1:02d}", sender_id=f"walker-{walker}"),
            )
    # 300 lookups within the hour: staff are alerted once, nobody else is stopped.
    assert sample("teplo_lookup_ceiling_alerts_total", channel="telegram") == alerts + 1
    slots, texts, _ = await run(ValidateAccountForm(), at_number(NUMBER, sender_id="owner"))
    assert slots["account_number"] == NUMBER and texts == []
    await prove_and_link("owner")
    assert holds("owner")


async def test_three_ids_cannot_lock_the_owner_out(seeded):
    wrong = 0
    for walker in range(3):
        for attempt in range(8):  # they try more than they may
            slots, texts, _ = await run(
                ValidateAccountForm(), at_proof(f"00000{attempt}", sender_id=f"walker-{walker}")
            )
            wrong += any("не збігаються" in text for text in texts)
    assert wrong == 15  # 5 per id and account in 30 days; the rest refused unread
    assert reasons() == ["proof_watch"]  # staff are told early; no lock
    await prove_and_link("owner")
    assert holds("owner")
    # The owner's success after those failures alerts staff too.
    assert reasons() == ["proof_watch", "proof_after_failures"]


async def test_the_slow_guesser_of_the_review_is_flagged_on_the_second_day(seeded, monkeypatch):
    """The review's attacker: 9 wrong answers a day (3 ids x 3), 270 in 30 days,
    0 flags. Now the 10th wrong answer within 30 days flags the account."""
    day = pinned_now()
    guesses = 0
    for n in range(2):
        set_clock(monkeypatch, (day + timedelta(days=n)).isoformat())
        for walker in range(3):
            for attempt in range(3):
                await run(
                    ValidateAccountForm(),
                    at_proof(f"1{n}{walker}{attempt}00", sender_id=f"slow-{walker}"),
                )
                guesses += 1
        if n == 0:
            assert guesses == 9 and reasons() == []
    assert reasons() == ["proof_watch"]


async def test_a_sender_tries_at_most_three_unlinked_accounts_a_week(seeded):
    for number in ("0100001", "0100002", "0100003"):
        slots, _, _ = await run(ValidateAccountForm(), at_number(number, sender_id="curious"))
        assert slots["account_number"] == number
    slots, texts, _ = await run(ValidateAccountForm(), at_number(NUMBER, sender_id="curious"))
    assert slots["account_number"] is None and "Забагато" in texts[0]
    assert "27 листопада" in texts[0] or "27.11" in texts[0]


# --- «Це не я» that protects rather than evicts -------------------------------------


async def test_a_later_holder_cannot_be_evicted_by_whoever_linked_first(seeded, monkeypatch):
    await prove_and_link("first")  # linked first: perhaps a stranger who knew the digits
    set_clock(monkeypatch, "2026-11-20T12:00:00+02:00")
    await prove_and_link("owner")
    [notice] = in_session(lambda s: outbox(s, "notice"))
    _, texts, _ = await press(token_of(notice), "first")
    # Suspended until staff decide, never unlinked or barred by a stranger's press.
    assert "призупинено" in texts[0]
    assert not holds("owner") and in_session(lambda s: s.execute(select(LinkBar)).all()) == []
    [report] = in_session(lambda s: s.execute(select(AccountFlag.id)).scalars().all())
    result = in_session(
        lambda s: staff_ops.decide_report(
            s, "olena", pinned_now(), report, keep=True, note="паспорт"
        )
    )
    assert result.ok and holds("owner")
    audit = in_session(lambda s: s.execute(select(AuditEntry.action, AuditEntry.reason)).all())
    assert audit == [("decide_not_me", "паспорт")]
    # Decided once only.
    again = in_session(lambda s: staff_ops.decide_report(s, "olena", pinned_now(), report, True))
    assert not again.ok


async def test_the_button_dies_with_the_pressers_link_and_after_seven_days(seeded, monkeypatch):
    await prove_and_link("anna")
    set_clock(monkeypatch, "2026-11-20T12:00:00+02:00")
    await prove_and_link("borys")
    set_clock(monkeypatch, "2026-11-20T13:00:00+02:00")
    await prove_and_link("vira")
    notices = {n.sender_id: n for n in in_session(lambda s: outbox(s, "notice"))}
    # Anna had one about Borys and one about Vira; Borys one about Vira.
    about_vira = [n for n in in_session(lambda s: outbox(s, "notice")) if "13:00" in n.text]
    borys_token = token_of(next(n for n in about_vira if n.sender_id == "borys"))
    await run(
        UnlinkAccount(),
        tracker(
            slots={"remove_account_choice": NUMBER, "remove_confirmed": True}, sender_id="borys"
        ),
    )
    _, texts, _ = await press(borys_token, "borys")
    assert "лише той, хто підтвердив рахунок раніше" in texts[0] and holds("vira")
    set_clock(monkeypatch, "2026-11-28T12:00:00+02:00")
    anna_token = token_of(next(n for n in about_vira if n.sender_id == "anna"))
    _, texts, _ = await press(anna_token, "anna")
    assert "7 днів" in texts[0] and holds("vira")
    assert set(notices) == {"anna", "borys"}


async def test_a_reported_newcomer_cannot_come_back_unseen_on_a_second_id(seeded, monkeypatch):
    await prove_and_link("anna")
    set_clock(monkeypatch, "2026-11-20T12:00:00+02:00")
    await prove_and_link("stranger")
    [notice] = in_session(lambda s: outbox(s, "notice"))
    await press(token_of(notice), "anna")
    set_clock(monkeypatch, "2026-11-20T13:00:00+02:00")
    _, texts, _ = await prove_and_link("stranger-2")
    assert "призупинено" in texts[0] and not holds("stranger-2")
    # Anna hears of the second id too.
    assert len(in_session(lambda s: outbox(s, "notice"))) == 2
    # Staff evict the first; the bar is listed and can be lifted (audited).
    [report] = in_session(lambda s: s.execute(select(AccountFlag.id)).scalars().all())
    assert in_session(lambda s: staff_ops.decide_report(s, "olena", pinned_now(), report, False)).ok
    [bar] = in_session(lambda s: s.execute(select(LinkBar.id)).scalars().all())
    _, texts, _ = await prove_and_link("stranger")
    assert "не можна додати" in texts[0]
    assert in_session(lambda s: staff_ops.lift_bar(s, "olena", pinned_now(), bar, "помилка")).ok
    assert not in_session(lambda s: staff_ops.lift_bar(s, "olena", pinned_now(), bar)).ok
    actions = in_session(lambda s: s.execute(select(AuditEntry.action)).scalars().all())
    assert actions == ["decide_not_me", "lift_link_bar"]


async def test_proving_a_legacy_link_notifies_the_other_holders(seeded, monkeypatch):
    def legacy(session):
        account = accounts_repo.find_account(session, NUMBER)
        link(session, SenderKey("telegram", "legacy"), account, pinned_now(), proved=False)

    in_session(legacy)
    await prove_and_link("owner")
    assert len(in_session(lambda s: outbox(s, "notice"))) == 0  # the legacy chat sees nothing
    set_clock(monkeypatch, "2026-11-20T12:00:00+02:00")
    _, texts, _ = await prove_and_link("legacy")
    [notice] = in_session(lambda s: outbox(s, "notice"))
    assert notice.sender_id == "owner" and NUMBER in notice.text
    # The owner proved earlier: their «Це не я» works on the re-proved link.
    _, texts, _ = await press(token_of(notice), "owner")
    assert "призупинено" in texts[0] and not holds("legacy")


async def test_a_proof_opens_one_link_and_goes_with_the_unlink(seeded):
    await prove_and_link("user-1")
    await run(
        UnlinkAccount(),
        tracker(slots={"remove_account_choice": NUMBER, "remove_confirmed": True}),
    )
    # Replaying the linking step without a new proof links nothing.
    _, texts, _ = await run(LinkAccount(), confirmed("user-1"))
    assert "застаріло" in texts[0] and not holds("user-1")


# --- the answer taken where it arrives ------------------------------------------------


def set_phone(phone):
    def work(session):
        accounts_repo.find_account(session, NUMBER).phone = phone

    in_session(work)


async def test_the_prompt_offers_the_phone_on_telegram_only(seeded):
    set_phone("+380501234567")
    asking = tracker(slots={"account_number": NUMBER, "requested_slot": "ownership_proof"})
    _, texts, messages = await run(AskOwnershipProof(), asking)
    assert "Поділитися номером" in texts[0]
    assert messages[0]["buttons"] == [
        {"title": "Поділитися номером", "payload": SHARE_PHONE_PAYLOAD}
    ]
    viber = tracker(
        slots={"account_number": NUMBER, "requested_slot": "ownership_proof"}, channel="viber"
    )
    _, texts, messages = await run(AskOwnershipProof(), viber)
    assert "6 цифр" in texts[0] and not messages[0].get("buttons")


async def test_the_placeholder_carries_the_channels_outcome_and_nothing_else(seeded):
    sender = SenderKey("telegram", "user-1")
    await run(
        AskOwnershipProof(),
        tracker(slots={"account_number": NUMBER, "requested_slot": "ownership_proof"}),
    )
    # Typed by hand, the placeholder is no answer and costs nothing.
    slots, texts, _ = await run(ValidateAccountForm(), at_proof(challenge.PLACEHOLDER))
    assert slots["ownership_proof"] is None and "6 цифр" in texts[0]
    # The form asks again, which opens a new challenge.
    await run(
        AskOwnershipProof(),
        tracker(slots={"account_number": NUMBER, "requested_slot": "ownership_proof"}),
    )
    settings_now = pinned_now()
    from core.settings import get_settings

    limits = get_settings().lookup_limits
    taken = in_session(
        lambda s: challenge.take_digits(s, sender, proof_digits(NUMBER), settings_now, limits)
    )
    assert taken == challenge.PLACEHOLDER
    slots, _, _ = await run(ValidateAccountForm(), at_proof(taken))
    assert slots["ownership_proof"] == "proved"
    # Used once: the same placeholder again proves nothing new.
    slots, _, _ = await run(ValidateAccountForm(), at_proof(taken))
    assert slots["ownership_proof"] is None


async def test_a_locked_account_still_takes_the_owners_telegram_phone(seeded):
    set_phone("+380501234567")
    in_session(
        lambda s: holders_repo.flag(
            s, accounts_repo.find_account(s, NUMBER).id, "proof_attempts", pinned_now()
        )
    )
    slots, texts, _ = await run(ValidateAccountForm(), at_proof(proof_digits(NUMBER)))
    assert slots["ownership_proof"] is None
    _, texts, _ = await run(
        AskOwnershipProof(),
        tracker(slots={"account_number": NUMBER, "requested_slot": "ownership_proof"}),
    )
    assert "номером телефону" in texts[0]
    from core.settings import get_settings

    sender, limits = SenderKey("telegram", "user-1"), get_settings().lookup_limits
    in_session(lambda s: challenge.take_phone(s, sender, "050 123 45 67", pinned_now(), limits))
    slots, _, _ = await run(ValidateAccountForm(), at_proof(challenge.PLACEHOLDER))
    assert slots["ownership_proof"] == "proved"
    assert in_session(lambda s: s.get(Account, 4).phone) == "+380501234567"


async def test_serials_are_masked_wherever_the_consumer_sees_them(seeded):
    from core.db.models import Meter

    serials = in_session(
        lambda s: (
            s.execute(select(Meter.serial).join(Account).where(Account.number == NUMBER))
            .scalars()
            .all()
        )
    )
    _, texts, _ = await prove_and_link("user-1")
    shown = "\n".join(texts)
    assert "№…" in shown
    assert not any(serial in shown or serial[-6:] in shown for serial in serials)


async def test_the_reading_form_keeps_meter_ids_and_no_serials_in_its_slots(seeded):
    from actions.forms.reading_form import ValidateReadingForm
    from core.db.models import Meter

    await prove_and_link("user-1")
    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker(
            NUMBER,
            set_now={"reading_account": NUMBER},
            active_loop="reading_form",
            slots={"requested_slot": "reading_account"},
        ),
    )
    serials = in_session(
        lambda s: (
            s.execute(select(Meter.serial).join(Account).where(Account.number == NUMBER))
            .scalars()
            .all()
        )
    )
    kept = slots["reading_meters"]
    assert kept and all(isinstance(m["meter_id"], int) for m in kept)
    assert all(m["serial"].startswith("…") and len(m["serial"]) == 3 for m in kept)
    assert not any(serial in json.dumps(slots, ensure_ascii=False) for serial in serials)
