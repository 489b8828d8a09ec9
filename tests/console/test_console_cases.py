"""«Звернення» in the console (TestClient): the queue with counts, a case's transcript
beside the account's facts, taking, replying through the outbox, closing; audited;
the figures on the month page and in /metrics."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from console.pages import cases as cases_page
from core.db.models import OutboxMessage
from core.handoff import cases
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.support.console import audit_actions, csrf_of
from tests.support.db import in_session

SENDER = SenderKey("telegram", "telegram:777001")


def open_case(now, number="0100004"):
    def work(session):
        account = accounts_repo.find_account(session, number)
        accounts_repo.link_account(session, SENDER, account, now)
        case, _ = cases.open_case(
            session,
            SENDER,
            "misunderstood",
            [("consumer", "чому такий рахунок"), ("assistant", "Вибачте, я не зрозумів.")],
            now,
        )
        cases.consumer_wrote(session, case, "Нарахували вдвічі більше, ніж торік", None, now)
        return case.id

    cases_page._forget_nav()
    return in_session(work)


def outbox_texts():
    return in_session(
        lambda s: [
            (row.kind, row.sender_id, row.text)
            for row in s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        ]
    )


def test_a_clerk_answers_and_closes_a_case(login, now):
    case_id = open_case(now - timedelta(minutes=30))
    client = login("olena")
    queue = client.get("/cases").text
    assert f'data-case="{case_id}"' in queue and "0100004" in queue
    assert "бот двічі не зрозумів" in queue
    assert 'id="nav-cases"' in queue and 'нові / чекають на нас">1/0</b>' in queue

    page = client.get(f"/cases/{case_id}").text
    assert "Нарахували вдвічі більше" in page and "Вибачте, я не зрозумів." in page
    assert 'href="/accounts/' in page and "Тепло, лічильник №" in page  # the account's facts
    assert client.post(f"/cases/{case_id}/reply", data={"text": "x"}).status_code == 403

    done = client.post(
        f"/cases/{case_id}/reply",
        data={"csrf_token": csrf_of(page), "text": "Перевіримо нарахування й напишемо."},
    )
    assert "Відповідь надіслано" in done.text and "працює olena" in done.text
    assert outbox_texts() == [
        (
            "case_reply",
            SENDER.sender_id,
            "Відповідь працівника:\nПеревіримо нарахування й напишемо.",
        )
    ]
    empty = client.post(f"/cases/{case_id}/close", data={"csrf_token": csrf_of(done.text)})
    assert "Вкажіть причину" in empty.text
    closed = client.post(
        f"/cases/{case_id}/close",
        data={"csrf_token": csrf_of(done.text), "reason": "пояснили тариф"},
    )
    assert "Звернення закрито" in closed.text
    assert "закрив звернення" in outbox_texts()[-1][2]
    assert in_session(lambda s: cases.open_case_of(s, SENDER)) is None
    assert [(a[0], a[1]) for a in audit_actions()][-2:] == [
        ("olena", "case_reply"),
        ("olena", "case_close"),
    ]
    assert f'data-case="{case_id}"' in client.get("/cases?status=closed").text

    month = client.get("/month?period=2026-11").text
    assert 'id="cases-opened">1<' in month and 'id="cases-first-reply">30 хв<' in month
    metrics = client.get("/metrics").text
    assert "teplo_case_first_reply_seconds_count" in metrics
    assert "teplo_case_close_seconds_count" in metrics


def test_a_case_another_clerk_works_on_shows_who_and_must_be_taken_over(login, now):
    case_id = open_case(now)
    client = login("admin")
    page = client.get(f"/cases/{case_id}").text
    client.post(f"/cases/{case_id}/take", data={"csrf_token": csrf_of(page)})
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    client = login("olena")
    page = client.get(f"/cases/{case_id}").text
    assert "працює admin" in page and "Забрати собі" in page
    refused = client.post(
        f"/cases/{case_id}/reply", data={"csrf_token": csrf_of(page), "text": "Добрий день"}
    )
    assert "займається admin" in refused.text and outbox_texts() == []
    taken = client.post(f"/cases/{case_id}/take", data={"csrf_token": csrf_of(page)})
    assert "працює olena" in taken.text
    assert ("olena", "case_take") in [(a[0], a[1]) for a in audit_actions()]
