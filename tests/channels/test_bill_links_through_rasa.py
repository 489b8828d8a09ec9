"""A bill's link through the real Rasa server and action server: the chat opens
at the proof question for the printed account; a forged link opens the greeting."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.staff.links import issue_bill_links
from devtools.harness.messengers import texts
from tests.support.accounts import proof_digits_of
from tests.support.clock import pinned_now
from tests.support.payloads import tg_text, viber_conversation_started, viber_text

PROOF_PROMPT = "останні 6 цифр"


def tokens(engine):
    with Session(engine, future=True) as session, session.begin():
        rows = issue_bill_links(
            session, "test", pinned_now(), telegram_bot="PoltavaTestBot", viber_uri="teplo"
        )
        return {row.account_number: row.token for row in rows}


def test_telegram_bill_link_asks_for_the_proof_of_that_account(stack):
    token = tokens(stack.engine)["0100005"]
    chat = 5553001
    opened = texts(stack.tg_replies(tg_text(chat, f"/start {token}")))
    assert PROOF_PROMPT in opened and "Вітаю" not in opened
    proof = proof_digits_of(stack.engine, "0100005")
    assert "Це ваша адреса?" in texts(stack.tg_replies(tg_text(chat, proof)))


def test_telegram_forged_link_gets_the_greeting(stack):
    opened = texts(stack.tg_replies(tg_text(5553002, "/start AAAAAAAAAAAAAAAAAAAAAA")))
    assert "Вітаю" in opened and PROOF_PROMPT not in opened


def test_viber_bill_link_welcome_asks_for_the_proof(stack):
    token = tokens(stack.engine)["0100009"]
    user = "vbBill01+Test=="
    status, welcome = stack.viber({**viber_conversation_started(user), "context": token})
    assert status == 200 and PROOF_PROMPT in welcome["text"]
    proof = proof_digits_of(stack.engine, "0100009")
    assert "Це ваша адреса?" in texts(stack.viber_replies(viber_text(user, proof)))


def test_viber_forged_context_gets_the_ordinary_welcome(stack):
    callback = {**viber_conversation_started("vbBill02+Test=="), "context": "forged"}
    status, welcome = stack.viber(callback)
    assert status == 200 and "Вітаю" in welcome["text"]
