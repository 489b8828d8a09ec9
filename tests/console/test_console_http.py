"""The console over HTTP on SQLite and PostgreSQL: sign-in, roles, CSRF, throttling,
the pages, and an audit entry for every change."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.db.models import AccountFlag, AccountLink, Reading, TrainingRun, WindowOverride
from core.outbox.holders import FLAG_NOT_ME
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.repository import readings as readings_repo
from tests.support.clock import set_clock
from tests.support.console import audit_actions, csrf_of
from tests.support.db import in_session


def account_id(number: str) -> int:
    return in_session(lambda s: accounts_repo.find_account(s, number).id)


def test_pages_need_sign_in_and_the_cookie_is_locked_down(client):
    response = client.get("/month", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    login_page = client.get("/login")
    cookie = login_page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert "frame-ancestors 'none'" in login_page.headers["content-security-policy"]


def test_wrong_password_is_refused_in_ukrainian(client, login):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "olena", "password": "wrong-password", "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 401
    assert "Неправильне ім’я користувача або пароль" in response.text


def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one(client):
    for _ in range(5):
        page = client.get("/login")
        client.post(
            "/login",
            data={"username": "olena", "password": "guess", "csrf_token": csrf_of(page.text)},
        )
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "olena",
            "password": "clerk-password-1",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 429
    assert "Забагато невдалих спроб" in response.text
    # Another user is not locked out by olena's attacker.
    page = client.get("/login")
    other = client.post(
        "/login",
        data={
            "username": "admin",
            "password": "admin-password-1",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert other.status_code == 303


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "olena", "password": "clerk-password-1"})
    assert response.status_code == 403


def test_clerk_cannot_reach_admin_pages(login):
    client = login("olena")
    for path in ("/settings", "/audit", "/staff", "/broadcast"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "лише для адміністраторів" in response.text
    page = client.get("/month")
    response = client.post(
        "/settings/window",
        data={"csrf_token": csrf_of(page.text), "period": "2026-12", "last_day": "30"},
    )
    assert response.status_code == 403
    assert in_session(lambda s: s.get(WindowOverride, "2026-12")) is None
    assert "Налаштування" not in page.text.split("<main>")[0]


def test_post_without_valid_csrf_token_changes_nothing(login):
    client = login("olena")
    links_before = in_session(lambda s: len(s.execute(select(AccountLink)).all()))
    link = in_session(lambda s: s.execute(select(AccountLink)).scalars().first())
    path = f"/accounts/{link.account_id}/links/{link.id}/unlink"
    assert client.post(path, data={}).status_code == 403
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 403
    assert in_session(lambda s: len(s.execute(select(AccountLink)).all())) == links_before
    assert audit_actions() == []


def test_month_page_shows_the_period_in_figures(login):
    client = login("olena")
    page = client.get("/month?period=2026-11")
    assert page.status_code == 200
    text = page.text
    assert "листопад 2026" in text
    assert re.search(r'id="accounts-submitted">2<', text)
    assert re.search(r'id="accounts-due">\d+<', text)
    by_channel = text.split('id="by-channel"')[1].split("</table>")[0]
    assert "Telegram" in by_channel and "Viber" in by_channel
    rejections = text.split('id="rejections"')[1].split("</table>")[0]
    assert re.search(r"менший за попередній</td><td class=\"num\">3<", rejections)
    assert "<svg" in text and "03.11: Telegram" in text  # the chart, drawn on the server
    assert 'id="fallbacks">1<' in text


def test_search_by_number_and_by_address(login):
    client = login("olena")
    response = client.get("/accounts?q=0100004", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/accounts/{account_id('0100004')}"
    results = client.get("/accounts?q=Соборності")
    assert "0100001" in results.text
    nothing = client.get("/accounts?q=Неіснуюча вулиця")
    assert "Нічого не знайдено" in nothing.text


def test_account_page_shows_meters_readings_and_links(login):
    client = login("olena")
    page = client.get(f"/accounts/{account_id('0100004')}")
    assert page.status_code == 200
    assert "лічильник №" in page.text
    assert "Telegram" in page.text and "…1234" in page.text
    assert "telegram:5551234" not in page.text  # the full messenger id stays hidden
    assert "абонент" in page.text and "білінг" in page.text


def test_unlink_removes_the_link_and_is_audited(login):
    client = login("olena")
    acct = account_id("0100004")
    page = client.get(f"/accounts/{acct}")
    link_id = in_session(
        lambda s: s.execute(
            select(AccountLink.id).where(AccountLink.account_id == acct)
        ).scalar_one()
    )
    response = client.post(
        f"/accounts/{acct}/links/{link_id}/unlink", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 200
    assert "відв’язано" in response.text
    assert in_session(lambda s: s.get(AccountLink, link_id)) is None
    [(who, action, before, after, _reason)] = audit_actions()
    assert (who, action, after) == ("olena", "unlink", "")
    assert '"channel": "telegram"' in before


def test_correction_keeps_the_superseded_reading_and_is_audited(login):
    client = login("olena")
    acct = account_id("0100004")
    page = client.get(f"/accounts/{acct}")
    reading = in_session(
        lambda s: (
            s.execute(
                select(Reading).where(Reading.channel == "telegram", Reading.in_force.is_(True))
            )
            .scalars()
            .first()
        )
    )
    token = csrf_of(page.text)
    missing_reason = client.post(
        f"/readings/{reading.id}/correct", data={"csrf_token": token, "value": "1,5"}
    )
    assert "Вкажіть причину" in missing_reason.text
    response = client.post(
        f"/readings/{reading.id}/correct",
        data={"csrf_token": token, "value": "1 500,25", "reason": "абонент помилився цифрою"},
    )
    assert "Показник виправлено" in response.text
    rows = in_session(
        lambda s: s.execute(
            select(Reading.value, Reading.in_force, Reading.channel)
            .where(Reading.meter_id == reading.meter_id, Reading.period == reading.period)
            .order_by(Reading.id)
        ).all()
    )
    assert [(str(v), f, c) for v, f, c in rows] == [
        (str(reading.value), False, "telegram"),
        ("1500.25", True, "console"),
    ]
    [(who, action, before, after, reason)] = audit_actions()
    assert (who, action, reason) == ("olena", "correct_reading", "абонент помилився цифрою")
    assert str(reading.value) in before and "1500.25" in after


def test_annulled_reading_stays_in_history(login):
    client = login("olena")
    acct = account_id("0100001")
    page = client.get(f"/accounts/{acct}")
    reading = in_session(
        lambda s: s.execute(select(Reading).where(Reading.channel == "viber")).scalars().first()
    )
    response = client.post(
        f"/readings/{reading.id}/annul",
        data={"csrf_token": csrf_of(page.text), "reason": "тестове повідомлення"},
    )
    assert "анульовано" in response.text
    assert in_session(lambda s: s.get(Reading, reading.id).in_force) is False
    assert audit_actions()[0][1] == "annul_reading"


def test_admin_changes_settings_and_every_change_is_in_the_audit_page(login):
    client = login("admin")
    page = client.get("/settings")
    assert page.status_code == 200
    token = csrf_of(page.text)
    client.post(
        "/settings/window",
        data={"csrf_token": token, "period": "2026-12", "last_day": "30", "action": "save"},
    )
    assert in_session(lambda s: s.get(WindowOverride, "2026-12").last_day) == 30
    bad = client.post(
        "/settings/window",
        data={"csrf_token": token, "period": "2026-11", "last_day": "31", "action": "save"},
    )
    assert "поза місяцем" in bad.text
    client.post(
        "/settings/contacts",
        data={"csrf_token": token, "phone": "(0532) 50-00-00", "hours": "", "email": ""},
    )
    tariffs = (
        "service;category;unit;price_uah;valid_from\nопалення;населення;Гкал;1654,41;01.10.2026\n"
    )
    client.post(
        "/settings/tariffs",
        data={"csrf_token": token},
        files={"file": ("tariffs.csv", tariffs.encode(), "text/csv")},
    )
    assert [a[1] for a in audit_actions()] == ["window", "contacts", "tariffs"]
    audit = client.get("/audit")
    assert audit.status_code == 200
    for label in ("вікно прийому", "контакти", "тарифи", "last_day: 30", "(0532) 50-00-00"):
        assert label in audit.text, label


def test_billing_upload_previews_rejected_rows_then_applies(login):
    client = login("admin")
    page = client.get("/billing")
    header = (
        "account_number;owner_name;street;house;apartment;meter_serial;meter_kind;unit;"
        "last_reading;last_reading_date\n"
    )
    body = (
        "0900001;Нова Абонентка;вул. Сінна;7;3;H-900001;heat;Gcal;12,5;01.11.2026\n"
        "12;Помилка;вул. Сінна;7;4;H-1;heat;Gcal;1;01.11.2026\n"
    )
    preview = client.post(
        "/billing/upload",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("billing.csv", (header + body).encode("cp1251"), "text/csv")},
    )
    assert preview.status_code == 200
    assert 'id="rejected-count">1<' in preview.text
    assert in_session(lambda s: accounts_repo.find_account(s, "0900001")) is None
    applied = client.post("/billing/apply", data={"csrf_token": csrf_of(preview.text)})
    assert "Імпорт завершено" in applied.text
    assert in_session(lambda s: accounts_repo.find_account(s, "0900001")) is not None
    assert audit_actions()[-1][1] == "billing_import"


def test_clerk_downloads_the_readings_export_but_cannot_import(login):
    client = login("olena")
    export = client.get("/billing/export?period=2026-11&encoding=cp1251")
    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="readings-2026-11.csv"'
    lines = export.content.decode("cp1251").splitlines()
    assert lines[0].startswith("account_number;meter_serial")
    assert any(line.startswith("0100004;") for line in lines)
    page = client.get("/billing")
    assert "Перевірити файл" not in page.text
    refused = client.post(
        "/billing/upload",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("b.csv", b"x", "text/csv")},
    )
    assert refused.status_code == 403
    assert audit_actions()[-1][1] == "export"


def test_logout_ends_the_session_even_for_a_copied_cookie(login):
    client = login("olena")
    page = client.get("/month")
    copied = dict(client.cookies)
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/month", follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.update(copied)
    assert client.get("/month", follow_redirects=False).status_code == 303


def test_month_page_follows_a_change_made_in_the_console(login):
    client = login("olena")
    assert 'id="accounts-submitted">2<' in client.get("/month?period=2026-11").text
    page = client.get(f"/accounts/{account_id('0100001')}")
    reading = in_session(
        lambda s: s.execute(select(Reading).where(Reading.channel == "viber")).scalars().first()
    )
    client.post(
        f"/readings/{reading.id}/annul",
        data={"csrf_token": csrf_of(page.text), "reason": "подано помилково"},
    )
    month = client.get("/month?period=2026-11").text
    assert 'id="accounts-submitted">1<' in month
    assert "Дані станом на" in month


def test_sign_in_never_redirects_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": "olena",
                "password": "clerk-password-1",
                "csrf_token": csrf_of(page.text),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/month", target
        client.cookies.clear()


# --- Навчання ----------------------------------------------------------------------------


def inbox_rows(html: str) -> list:
    """(row number, phrase) of the inbox form."""
    return re.findall(r'name="phrase_(\d+)" value="([^"]*)"', html)


def label(client, page: str, picks: dict, action: str = "label"):
    """Checks the rows whose phrase is a key of `picks` and submits their intents."""
    data = {"csrf_token": csrf_of(page), "action": action, "pick": []}
    for number, phrase in inbox_rows(page):
        if phrase in picks:
            data["pick"].append(number)
            data[f"intent_{number}"] = picks[phrase]
            data[f"phrase_{number}"] = phrase
    return client.post("/training/labels", data=data)


def test_inbox_shows_masked_phrases_and_a_clerk_labels_in_bulk_but_cannot_train(login):
    client = login("olena")
    page = client.get("/training").text
    phrases = [phrase for _, phrase in inbox_rows(page)]
    # Grouped and most frequent first; digits masked; what the NLU understood left out.
    assert phrases[0] == "а шо там по грошах"
    assert "лічильник 0123456 показує 1234,5 куди писати" in phrases
    assert "0473385" not in page and "1867" not in page and "Привіт" not in phrases
    assert 'id="train"' not in page  # admins only

    after = label(client, page, {"а шо там по грошах": "ask_tariff", "ываыва": "greet"})
    assert "Розмічено фраз: 2" in after.text
    after = label(client, after.text, {"ываыва": "greet"}, action="discard")
    assert "Відкинуто фраз: 1" in after.text
    assert "ываыва" not in after.text
    assert 'id="pending-count">1<' in after.text
    assert [(a[0], a[1]) for a in audit_actions()] == [("olena", "label_phrases")] * 2
    assert '"ываыва": "відкинуто"' in audit_actions()[1][3]

    token = csrf_of(after.text)
    for path in ("/training/start", "/training/promote", "/training/keep"):
        response = client.post(path, data={"csrf_token": token, "run": "1"})
        assert response.status_code == 403, path
    assert in_session(lambda s: s.execute(select(TrainingRun)).first()) is None
    # A form without its token changes nothing.
    forged = {"pick": ["2"], "phrase_2": "лічильник", "intent_2": "greet", "action": "label"}
    assert client.post("/training/labels", data=forged).status_code == 403
    assert len(audit_actions()) == 2


class FakeRasa(BaseHTTPRequestHandler):
    """Rasa's HTTP API as far as a reload goes: PUT /model is recorded."""

    calls: list = []

    def do_PUT(self) -> None:  # noqa: N802 - the http.server name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeRasa.calls.append((self.path, json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_rasa(monkeypatch) -> Iterator[list]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeRasa.calls = []
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("RASA_API_TOKEN", "reload-token")
    yield FakeRasa.calls
    server.shutdown()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_admin_trains_in_the_background_and_promotes_the_new_model(
    login, training_project, fake_rasa
):
    client = login("admin")
    page = client.get("/training").text
    label(client, page, {"а шо там по грошах": "ask_tariff"})
    started = client.post("/training/start", data={"csrf_token": csrf_of(page)})
    assert "Навчання почалося" in started.text and 'id="run-progress"' in started.text
    assert "Навчання йде" in started.text and 'http-equiv="refresh"' in started.text
    # The labelled phrase is in the training data before the training starts.
    assert any(
        "- а шо там по грошах\n" in path.read_text(encoding="utf-8")
        for path in (training_project / "data/nlu").glob("*.yml")
    )
    client.app.state.training.wait(30)
    done = client.get("/training").text
    assert 'id="verdict" data-passed="yes"' in done
    assert 'data-intent="ask_tariff"' in done and 'id="promote"' in done
    assert 'http-equiv="refresh"' not in done

    run_id = in_session(lambda s: s.execute(select(TrainingRun.id)).scalar_one())
    promoted = client.post("/training/promote", data={"csrf_token": csrf_of(done), "run": run_id})
    assert "Нову модель поставлено" in promoted.text
    models = training_project / "models"
    assert (models / "current.tar.gz").read_bytes() == b"candidate model of the console tests"
    assert (models / "previous.tar.gz").read_bytes() == b"model in service"
    assert not (models / "candidate.tar.gz").exists()
    assert fake_rasa == [
        (
            "/model?token=reload-token",
            {"model_file": str((models / "current.tar.gz").resolve())},
        )
    ]
    assert [a[1] for a in audit_actions()] == ["label_phrases", "train", "promoted_model"]
    assert 'id="promote"' not in promoted.text


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_run_outlives_a_console_restart_and_a_worse_model_is_kept_out(
    engine, console_data, training_project
):
    from console.app import create_app
    from tests.support.console import PASSWORDS, training_config

    def signed_in(test_client):
        page = test_client.get("/login")
        test_client.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORDS["admin"],
                "csrf_token": csrf_of(page.text),
            },
        )
        return test_client

    config = training_config(training_project, outcome="worse")
    with TestClient(create_app(config), base_url="https://testserver") as first:
        page = signed_in(first).get("/training").text
        running = first.post("/training/start", data={"csrf_token": csrf_of(page)}).text
        assert "Навчання йде" in running
    # That console stopped while the training went on; the next one follows it.
    assert in_session(lambda s: s.execute(select(TrainingRun.status)).scalar_one()) == "running"
    with TestClient(create_app(config), base_url="https://testserver") as second:
        assert second.app.state.training._threads, "the new console follows the run"
        second.app.state.training.wait(30)
        page = signed_in(second).get("/training").text
        assert 'id="verdict" data-passed="no"' in page and 'class="worse"' in page
        assert 'id="promote"' not in page
        run_id = in_session(lambda s: s.execute(select(TrainingRun.id)).scalar_one())
        refused = second.post(
            "/training/promote", data={"csrf_token": csrf_of(page), "run": run_id}
        )
        assert "Модель не поставлено" in refused.text and "гірша" in refused.text
        kept = second.post("/training/keep", data={"csrf_token": csrf_of(page), "run": run_id})
        assert "Працює попередня модель" in kept.text
    assert (training_project / "models/current.tar.gz").read_bytes() == b"model in service"
    assert [a[1] for a in audit_actions()] == ["train", "kept_model"]


# --- Позначки ------------------------------------------------------------------------------


def test_flags_are_listed_and_a_clerk_marks_one_handled(login, now):
    account = account_id("0100004")
    in_session(lambda s: holders_repo.flag(s, account, FLAG_NOT_ME, now))
    in_session(lambda s: holders_repo.flag(s, account, "some_future_kind", now))
    client = login("olena")
    listed = client.get("/flags").text
    assert 'data-reason="not_me"' in listed and "власник не впізнав" in listed
    assert "some_future_kind" in listed  # a kind the console has no words for yet
    page = client.get(f"/accounts/{account}").text
    assert page.count('<tr class="open"') == 2
    flag_id = in_session(
        lambda s: s.execute(
            select(AccountFlag.id).where(AccountFlag.reason == FLAG_NOT_ME)
        ).scalar_one()
    )
    assert client.post(f"/flags/{flag_id}/resolve", data={}).status_code == 403
    done = client.post(
        f"/flags/{flag_id}/resolve",
        data={"csrf_token": csrf_of(page), "back": f"/accounts/{account}", "note": "подзвонили"},
    )
    assert "Позначку опрацьовано" in done.text and "(olena)" in done.text
    # Handled flags stay listed, after the open ones, marked so.
    assert (
        f'data-reason="not_me" data-flag="{flag_id}" class="handled"' in client.get("/flags").text
    )
    assert [(a[0], a[1], a[4]) for a in audit_actions()] == [
        ("olena", "resolve_flag", "подзвонили")
    ]


def test_month_page_never_waits_for_a_slow_count(login):
    client = login("olena")
    client.app.state.figures.cold_wait = 0.0
    page = client.get("/month?period=2026-06")
    assert "Рахуємо показники" in page.text and 'http-equiv="refresh"' in page.text
    deadline = time.monotonic() + 20
    while "Рахуємо показники" in page.text:
        assert time.monotonic() < deadline
        time.sleep(0.1)
        page = client.get("/month?period=2026-06")
    assert 'id="accounts-submitted">' in page.text


def test_month_page_counts_again_what_changed_outside_the_console(login, now, monkeypatch):
    """A reading sent in the chat reaches the page once the kept count is a minute old."""
    client = login("olena")
    period = f"{now:%Y-%m}"

    def submitted() -> int:
        page = client.get(f"/month?period={period}").text
        return int(re.search(r'id="accounts-submitted">(\d+)<', page).group(1))

    assert submitted() == 2

    def reading_from_the_chat(session) -> None:
        account = accounts_repo.find_account(session, "0100002")
        for meter in accounts_repo.active_meters(session, account.id):
            previous = readings_repo.last_reading(session, meter.id)
            readings_repo.store_reading(
                session, meter.id, period, previous.value + Decimal("2"), now, "viber", "viber:7"
            )

    in_session(reading_from_the_chat)
    assert submitted() == 2  # kept for a minute, as the page says
    set_clock(monkeypatch, (now + timedelta(seconds=61)).isoformat())
    assert submitted() == 3
    assert "Дані станом на 20.11.2026 10:01" in client.get(f"/month?period={period}").text


async def test_account_page_lists_attachments_and_the_download_is_audited(login, now):
    from core.attachments import note_context, store_received
    from core.senders import SenderKey
    from devtools.harness.messengers import JPEG

    sender = SenderKey("telegram", "telegram:5551234")  # linked to 0100004 in console_data
    token = await store_received(JPEG, sender, now)
    in_session(lambda s: note_context(s, token, sender, "0100004", None))
    client = login("olena")
    page = client.get(f"/accounts/{account_id('0100004')}")
    assert "Фото й документи від споживачів" in page.text and "фото JPEG" in page.text
    link = re.search(r'href="(/attachments/\d+)"', page.text).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.content == JPEG
    assert download.headers["content-type"] == "image/jpeg"
    assert "attachment" in download.headers["content-disposition"]
    [(who, action, _before, after, _reason)] = audit_actions()
    assert (who, action) == ("olena", "attachment_download") and '"attachment"' in after
    assert client.get("/attachments/99999").status_code == 404
