"""The whole assistant through the REST channel: real Rasa server, real action
server, real database (SQLite file and the throw-away PostgreSQL)."""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import Reading, ReadingSource
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from devtools.harness.processes import MODEL
from tests.support.accounts import proof_digits_of
from tests.support.metrics import scraped

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)"),
]


STACK_OF = {"sqlite": "sqlite_stack", "postgresql": "postgres_stack"}


@pytest.fixture(scope="module", params=list(STACK_OF))
def stack(request):
    """The session's stack on each backend, the demo subscribers seeded afresh."""
    shared = request.getfixturevalue(STACK_OF[request.param])
    shared.reseed()
    return shared


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def assistant_readings(engine, sender_id):
    with Session(engine, future=True) as session:
        rows = session.execute(
            select(Reading)
            .where(Reading.source == ReadingSource.assistant, Reading.sender_id == sender_id)
            .order_by(Reading.id)
        ).scalars()
        return [(r.value, r.in_force, r.period) for r in rows]


def previous_values(engine, number):
    with Session(engine, future=True) as session:
        account = accounts_repo.find_account(session, number)
        return [
            readings_repo.last_reading(session, m.id).value
            for m in accounts_repo.active_meters(session, account.id)
        ]


def test_full_submission_is_stored(stack):
    sender = "e2e-happy"
    greeting = stack.say(sender, "Привіт")
    assert "Вітаю" in texts(greeting)
    assert [b["title"] for b in greeting[0]["buttons"]][:2] == [
        "Передати показники",
        "Додати особовий рахунок",
    ]

    assert "номер особового рахунку" in texts(stack.say(sender, "хочу передати показники"))
    asked = texts(stack.say(sender, "01-00-004"))
    assert "останні 6 цифр" in asked and "вул." not in asked  # nothing shown before the proof
    assert "Це ваша адреса?" in texts(stack.say(sender, proof_digits_of(stack.engine, "0100004")))
    linked = texts(stack.say(sender, "так"))
    assert "Рахунок додано: 0100004" in linked and "Передати показники зараз?" in linked

    heat, water = previous_values(stack.engine, "0100004")
    first = texts(stack.say(sender, "так"))
    assert "Лічильник 1 з 2" in first
    assert "менший за попередній" in texts(stack.say(sender, "1"))
    assert "не схоже на показник" in texts(stack.say(sender, "абв"))
    deadline = texts(stack.say(sender, "до якого числа?"))
    assert (
        "28 листопада 2026" in deadline and "Лічильник 1 з 2" in deadline
    )  # answered, form resumed
    second = texts(stack.say(sender, f"{heat + Decimal('0.75')} Гкал".replace(".", ",")))
    assert "Лічильник 2 з 2" in second
    summary = stack.say(sender, f"{water + 3}")
    assert "спожито 0,75 Гкал" in texts(summary) and "спожито 3 м³" in texts(summary)
    assert [b["title"] for b in summary[-1]["buttons"]] == ["Зберегти", "Змінити"]
    assert assistant_readings(stack.engine, sender) == []  # nothing before Save

    saved = texts(stack.say(sender, "Зберегти"))
    assert "збережено 20 листопада 2026 о 10:00" in saved
    assert assistant_readings(stack.engine, sender) == [
        (heat + Decimal("0.75"), True, "2026-11"),
        (water + 3, True, "2026-11"),
    ]
    assert "листопад 2026" in texts(stack.say(sender, "історія показників"))


def test_cancel_in_the_middle_stores_nothing(stack):
    sender = "e2e-cancel"
    stack.say(sender, "додати особовий рахунок")
    stack.say(sender, "0100002")
    stack.say(sender, proof_digits_of(stack.engine, "0100002"))
    stack.say(sender, "так")
    assert "Лічильник 1 з 1" in texts(stack.say(sender, "передати показники"))
    (water,) = previous_values(stack.engine, "0100002")
    assert "Зберегти?" in texts(stack.say(sender, str(water + 2)))
    assert "нічого не збережено" in texts(stack.say(sender, "скасувати"))
    assert assistant_readings(stack.engine, sender) == []


def test_typed_intents_cannot_skip_confirmation(stack):
    sender = "e2e-forged"
    stack.say(sender, '/inform{"account_number":"0100001"}')
    stack.say(sender, "/affirm")
    stack.say(sender, '/add_account{"account_number":"0100001"}')
    stack.say(sender, '/inform{"ownership_proof":"proved"}')  # not a proof
    stack.say(sender, "/affirm")
    with Session(stack.engine, future=True) as session:
        assert accounts_repo.linked_accounts(session, SenderKey("rest", sender)) == []
    stack.say(sender, proof_digits_of(stack.engine, "0100001"))
    stack.say(sender, "/affirm")  # the real confirmation step: now it may link
    with Session(stack.engine, future=True) as session:
        linked = [
            a.number for a in accounts_repo.linked_accounts(session, SenderKey("rest", sender))
        ]
    assert linked == ["0100001"]
    stack.say(sender, "/submit_reading")
    stack.say(sender, '/inform{"reading_save": true}')
    stack.say(sender, "/affirm")
    assert assistant_readings(stack.engine, sender) == []


def test_a_stranger_with_the_number_learns_nothing(stack):
    sender = "e2e-stranger"
    stack.say(sender, "додати рахунок")
    replies = texts(stack.say(sender, "0100003"))
    right = proof_digits_of(stack.engine, "0100003")
    for guess in ("123456", "654321"):
        replies += texts(stack.say(sender, guess if guess != right else "111111"))
    assert replies.count("не збігаються") == 2
    assert "вул." not in replies and "Лічильник" not in replies
    assert "Це ваша адреса?" in texts(stack.say(sender, right))


def test_not_understood_twice_offers_the_operator(stack):
    sender = "e2e-fallback"
    first = texts(stack.say(sender, "яка завтра погода"))
    second = texts(stack.say(sender, "хто виграв вчора футбол"))
    assert "не допоможу" in first and "тел." not in first
    assert "абонентського відділу" in second and "тел." in second


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_health_and_metrics_of_the_running_servers(stack):
    for base in (stack.rasa_url, stack.action_url):
        status, body = fetch(f"{base}/health")
        assert (status, json.loads(body)) == (
            200,
            {"status": "ok", "database": "ok", "redis": "not used"},
        )

    def counts():
        rasa, actions = (
            fetch(f"{stack.rasa_url}/metrics")[1],
            fetch(f"{stack.action_url}/metrics")[1],
        )
        return (
            scraped(rasa, "teplo_turns_total", channel="rest"),
            scraped(rasa, "teplo_turn_seconds_count", channel="rest"),
            scraped(actions, "teplo_action_seconds_count", action="action_session_start"),
        )

    turns, timed, session_starts = counts()
    stack.say("e2e-metrics", "Привіт")  # a new conversation: Rasa runs action_session_start
    assert counts() == (turns + 1, timed + 1, session_starts + 1)


def _link(stack, sender, number):
    stack.say(sender, "додати особовий рахунок")
    stack.say(sender, number)
    stack.say(sender, proof_digits_of(stack.engine, number))
    assert "Рахунок додано" in texts(stack.say(sender, "так"))


def test_several_readings_in_one_message_are_stored(stack):
    sender = "e2e-several"
    _link(stack, sender, "0100005")  # heat, kitchen and bathroom hot water
    heat, kitchen, bath = previous_values(stack.engine, "0100005")
    # The first message carries two readings; only the bathroom's is asked.
    first = texts(
        stack.say(sender, f"хочу передати: тепло {heat + 1}, кухня {kitchen + 2}".replace(".", ","))
    )
    assert "Записав:" in first and "Лічильник 3 з 3" in first and "ванна" in first
    summary = texts(stack.say(sender, "ванна 12 і кухня 13"))  # in doubt: nothing is guessed
    assert "Лічильник 3 з 3" in summary
    summary = texts(stack.say(sender, str(bath + 3).replace(".", ",")))
    assert "Зберегти?" in summary and "спожито 3 м³" in summary
    assert assistant_readings(stack.engine, sender) == []

    # «Змінити» re-asks only the meter picked.
    change = stack.say(sender, "Змінити")
    buttons = [b for m in change for b in m.get("buttons") or []]
    assert [b["title"].split(",")[0] for b in buttons] == [
        "Тепло",
        "Гаряча вода (кухня)",
        "Гаряча вода (ванна)",
    ]
    assert "Лічильник 2 з 3" in texts(stack.say(sender, buttons[1]["payload"]))
    assert "Зберегти?" in texts(stack.say(sender, str(kitchen + 1).replace(".", ",")))

    assert "збережено" in texts(stack.say(sender, "Зберегти"))
    assert sorted(assistant_readings(stack.engine, sender)) == sorted(
        [(heat + 1, True, "2026-11"), (kitchen + 1, True, "2026-11"), (bath + 3, True, "2026-11")]
    )


def test_a_skipped_meter_is_left_out_and_the_rest_stored(stack):
    sender = "e2e-skip"
    _link(stack, sender, "0100004")  # heat and hot water
    heat, water = previous_values(stack.engine, "0100004")
    assert "Лічильник 1 з 2" in texts(stack.say(sender, "передати показники"))
    skipped = texts(stack.say(sender, "цей лічильник не працює, пропусти"))
    assert "пропускаю" in skipped and "Якщо лічильник зламався" in skipped
    assert "Лічильник 2 з 2" in skipped
    summary = texts(stack.say(sender, str(water + 2)))
    assert "Тепло" in summary and "пропущено" in summary and "Зберегти?" in summary
    stack.say(sender, "Зберегти")
    assert assistant_readings(stack.engine, sender) == [(water + 2, True, "2026-11")]
