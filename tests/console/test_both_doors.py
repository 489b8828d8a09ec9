"""Every staff change through both doors (issue 21): the console over HTTP as a
signed-in clerk or admin with its CSRF token, and `teplo` in this process. The two
doors call the same core operation, so each leaves the same audit entry: who (the
console user, or `teplo:<OS user>`), what, and on which target."""

from __future__ import annotations

import re
from typing import List, Tuple

from sqlalchemy import select

from core.db.models import (
    AccountFlag,
    AuditEntry,
    LinkBar,
    Reading,
    WindowOverride,
)
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.senders import SenderKey
from core.staff.actor import cli_actor
from staff.common import EXIT_OK, EXIT_PARTIAL
from tests.console.test_console_flags import reported
from tests.support.console import broadcast_confirmation, csrf_of, queued_broadcasts
from tests.support.db import in_session
from tests.support.staff import DATA

TEPLO = cli_actor()
TARIFFS = "service;category;unit;price_uah;valid_from\nопалення;населення;Гкал;1654,41;01.10.2026\n"
SUBSCRIBERS = (
    "account_number;owner_name;street;house;apartment;meter_serial;meter_kind;unit;"
    "last_reading;last_reading_date\n"
    "0900001;Нова Абонентка;вул. Сінна;7;3;H-900001;heat;Gcal;12,5;01.11.2026\n"
)


def changes(count: int) -> List[Tuple[str, str, str]]:
    """The newest `count` audit entries of changes as (who, action, target), oldest first."""

    def read(session):
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.target)
            .where(~AuditEntry.action.startswith("sign_in"), ~AuditEntry.action.startswith("read_"))
            .order_by(AuditEntry.id.desc())
            .limit(count)
        ).all()
        return [tuple(row) for row in reversed(rows)]

    return in_session(read)


def post(client, url: str, data=None, files=None):
    token = csrf_of(client.get("/month").text)
    response = client.post(url, data={"csrf_token": token, **(data or {})}, files=files)
    assert response.status_code == 200, response.text
    return response


def test_the_window_is_moved_and_reset_through_both_doors(login, staff):
    admin = login("admin")
    post(admin, "/settings/window", {"period": "2026-12", "last_day": "30", "action": "save"})
    assert staff("settings", "window", "--period", "2027-01", "--first-day", "3").code == EXIT_OK
    assert changes(2) == [
        ("admin", "window", "вікно прийому 2026-12"),
        (TEPLO, "window", "вікно прийому 2027-01"),
    ]
    moved = in_session(
        lambda s: [(o.period, o.first_day, o.last_day) for o in s.query(WindowOverride)]
    )
    assert sorted(moved) == [("2026-12", None, 30), ("2027-01", 3, None)]

    post(admin, "/settings/window", {"period": "2027-01", "action": "reset"})
    assert staff("settings", "window", "--period", "2026-12", "--reset").code == EXIT_OK
    assert changes(2) == [
        ("admin", "window", "вікно прийому 2027-01"),
        (TEPLO, "window", "вікно прийому 2026-12"),
    ]
    assert in_session(lambda s: s.query(WindowOverride).count()) == 0


def test_a_window_refused_by_either_door_is_refused_in_the_same_words(login, staff):
    refused = post(
        login("admin"), "/settings/window", {"period": "2026-11", "last_day": "31", "action": "x"}
    )
    teplo = staff("settings", "window", "--period", "2026-11", "--last-day", "31")
    words = "Останній день 31 поза місяцем 2026-11 (1–30)."
    assert words in refused.text and words in teplo.err
    assert changes(5) == []


def test_contacts_and_tariffs_through_both_doors(login, staff):
    admin = login("admin")
    post(admin, "/settings/contacts", {"phone": "(0532) 50-00-00", "hours": "", "email": ""})
    assert staff("settings", "contacts", "--hours", "пн–пт 8:00–16:00").code == EXIT_OK
    post(
        admin,
        "/settings/tariffs",
        files={"file": ("tariffs.csv", TARIFFS.encode(), "text/csv")},
    )
    assert staff("settings", "tariffs", DATA / "tariffs.csv").code == EXIT_OK
    assert changes(4) == [
        ("admin", "contacts", "контакти"),
        (TEPLO, "contacts", "контакти"),
        ("admin", "tariffs", "тарифи"),
        (TEPLO, "tariffs", "тарифи"),
    ]


def _flag(number: str, now) -> int:
    def work(session):
        account = accounts_repo.find_account(session, number)
        holders_repo.flag(session, account.id, "proof_locked", now)
        return session.execute(
            select(AccountFlag.id).where(AccountFlag.account_id == account.id)
        ).scalar_one()

    return in_session(work)


def test_flags_are_resolved_through_both_doors(login, staff, now):
    first = _flag("0100004", now)
    _flag("0100001", now)
    post(login("olena"), f"/flags/{first}/resolve", {"note": "подзвонили власнику"})
    assert staff("flags", "resolve", "0100001", "--note", "перевірено").code == EXIT_OK
    assert changes(2) == [
        ("olena", "resolve_flag", "рахунок 0100004"),
        (TEPLO, "resolve_flag", "рахунок 0100001"),
    ]
    assert in_session(lambda s: holders_repo.open_flags(s)) == []


def test_reports_are_decided_and_bars_lifted_through_both_doors(login, staff, now):
    kept = reported(
        now, "0100004", SenderKey("telegram", "telegram:701"), SenderKey("viber", "v:1")
    )
    evicted = reported(
        now, "0100002", SenderKey("telegram", "telegram:702"), SenderKey("viber", "v:2")
    )
    clerk = login("olena")
    post(clerk, f"/flags/{kept}/decide", {"keep": "1", "note": "це донька"})
    assert staff("flags", "decide", evicted, "--evict", "--note", "сторонній").code == EXIT_OK
    assert changes(2) == [
        ("olena", "decide_not_me", "рахунок 0100004"),
        (TEPLO, "decide_not_me", "рахунок 0100002"),
    ]

    def bar_another(session):
        account = accounts_repo.find_account(session, "0100003")
        holders_repo.bar(session, SenderKey("viber", "v:3"), account.id, now)

    in_session(bar_another)
    bars = in_session(lambda s: list(s.execute(select(LinkBar.id).order_by(LinkBar.id)).scalars()))
    post(clerk, f"/bars/{bars[0]}/lift", {"note": "помилка"})
    assert staff("flags", "lift-bar", bars[1], "--note", "розібралися").code == EXIT_OK
    assert changes(2) == [
        ("olena", "lift_link_bar", "рахунок 0100002"),
        (TEPLO, "lift_link_bar", "рахунок 0100003"),
    ]


def test_billing_import_and_export_through_both_doors(login, staff, tmp_path):
    admin = login("admin")
    preview = post(
        admin, "/billing/upload", files={"file": ("b.csv", SUBSCRIBERS.encode(), "text/csv")}
    )
    applied = admin.post("/billing/apply", data={"csrf_token": csrf_of(preview.text)})
    assert "Імпорт завершено" in applied.text
    assert staff("billing", "import", DATA / "billing_utf8_bom.csv").code in (EXIT_OK, EXIT_PARTIAL)
    assert admin.get("/billing/export?period=2026-11").status_code == 200
    out = tmp_path / "readings.csv"
    assert staff("billing", "export", "--period", "2026-11", "-o", out).code == EXIT_OK
    assert changes(4) == [
        ("admin", "billing_import", "імпорт з білінгу"),
        (TEPLO, "billing_import", "імпорт з білінгу"),
        ("admin", "export", "вивантаження показників 2026-11"),
        (TEPLO, "export", "вивантаження показників 2026-11"),
    ]
    # A dry run changes nothing and leaves no entry.
    assert staff("billing", "import", DATA / "billing_utf8_bom.csv", "--dry-run").code in (
        EXIT_OK,
        EXIT_PARTIAL,
    )
    assert changes(1) == [(TEPLO, "export", "вивантаження показників 2026-11")]


def test_reports_are_downloaded_through_both_doors(login, staff, tmp_path):
    clerk = login("olena")
    assert clerk.get("/reports/missing?period=2026-11&format=csv").status_code == 200
    out = tmp_path / "missing.csv"
    assert staff("report", "missing", "--period", "2026-11", "--format", "csv", "-o", out).code == 0
    assert changes(2) == [
        ("olena", "export", "не передали показники 2026-11"),
        (TEPLO, "export", "не передали показники 2026-11"),
    ]


async def test_an_attachment_is_handed_out_through_both_doors(login, staff, now, tmp_path):
    from core.attachments import note_context, store_received
    from devtools.harness.messengers import JPEG

    sender = SenderKey("telegram", "telegram:5551234")  # linked to 0100004 in console_data
    token = await store_received(JPEG, sender, now)
    in_session(lambda s: note_context(s, token, sender, "0100004", None))
    clerk = login("olena")
    page = clerk.get(
        "/accounts/" + str(in_session(lambda s: accounts_repo.find_account(s, "0100004").id))
    )
    link = re.search(r'href="/attachments/(\d+)"', page.text).group(1)
    assert clerk.get(f"/attachments/{link}").content == JPEG
    copy = tmp_path / "photo.jpg"
    assert staff("attachments", "open", link, "--to", copy).code == EXIT_OK
    assert copy.read_bytes() == JPEG
    assert changes(2) == [
        ("olena", "attachment_download", "рахунок 0100004"),
        (TEPLO, "attachment_download", "рахунок 0100004"),
    ]


def _teplo_broadcast(staff, text: str, *audience: str) -> None:
    before = changes(1)
    preview = staff("broadcast", "--text", text, *audience)
    count = re.search(r"Одержувачів: (\d+)", preview.out).group(1)
    assert changes(1) == before  # the preview stores nothing
    sent = staff("broadcast", "--text", text, *audience, "--send", "--expect", count)
    assert sent.code == EXIT_OK


def _console_broadcast(admin, text: str, streets: str = "") -> None:
    before = changes(1)
    preview = post(admin, "/broadcast/preview", {"text": text, "streets": streets})
    assert changes(1) == before  # the preview stores nothing
    sent = admin.post("/broadcast/send", data=broadcast_confirmation(preview.text))
    assert "У черзі нових повідомлень" in sent.text


def test_a_broadcast_is_sent_through_both_doors(login, staff):
    admin = login("admin")
    _console_broadcast(admin, "Планове відключення гарячої води 25.11.")
    _teplo_broadcast(staff, "Гарячу воду відновлено.")
    _console_broadcast(admin, "Ремонт теплотраси 26.11.", "Соборності")
    _teplo_broadcast(staff, "Теплотрасу відремонтовано.", "--street", "Соборності")
    assert changes(4) == [
        ("admin", "broadcast", "усі користувачі"),
        (TEPLO, "broadcast", "усі користувачі"),
        ("admin", "broadcast", "вулиці: Соборності"),
        (TEPLO, "broadcast", "вулиці: Соборності"),
    ]
    assert len({text for _, _, text in queued_broadcasts()}) == 4


def test_reads_of_personal_data_are_audited_with_the_reader(login):
    clerk = login("olena")
    found = clerk.get("/accounts?q=0100004", follow_redirects=False)
    assert found.status_code == 303
    clerk.get(found.headers["location"])

    def reads(session):
        return [
            (e.username, e.action, e.target)
            for e in session.execute(
                select(AuditEntry)
                .where(AuditEntry.action.startswith("read_"))
                .order_by(AuditEntry.id)
            ).scalars()
        ]

    assert in_session(reads) == [
        ("olena", "read_search", "пошук «0100004»"),
        ("olena", "read_account", "рахунок 0100004"),
    ]


def _readings_in_force(channel: str) -> List[int]:
    return in_session(
        lambda s: list(
            s.execute(
                select(Reading.id)
                .where(Reading.channel == channel, Reading.in_force.is_(True))
                .order_by(Reading.id)
            ).scalars()
        )
    )


def test_readings_are_corrected_and_annulled_through_both_doors(login, staff):
    first, second = _readings_in_force("telegram")[:2]
    clerk = login("olena")
    post(clerk, f"/readings/{first}/correct", {"value": "1 500,25", "reason": "помилка цифрою"})
    assert staff("readings", "correct", second, "1600", "--reason", "акт повірки").code == EXIT_OK
    listed = staff("readings", "list", "0100004").out
    assert "1\u00a0600" in listed and "замінений" in listed
    corrected = _readings_in_force("console")
    assert len(corrected) == 2
    post(clerk, f"/readings/{corrected[0]}/annul", {"reason": "тест"})
    assert staff("readings", "annul", corrected[1], "--reason", "тест").code == EXIT_OK
    rows = changes(4)
    assert [(who, action) for who, action, _ in rows] == [
        ("olena", "correct_reading"),
        (TEPLO, "correct_reading"),
        ("olena", "annul_reading"),
        (TEPLO, "annul_reading"),
    ]
    assert all(target.startswith("рахунок 0100004, лічильник №") for _, _, target in rows)
    # The same rule refuses a value lower than the previous one at either door.
    [viber] = _readings_in_force("viber")[:1]
    refused = post(clerk, f"/readings/{viber}/correct", {"value": "0", "reason": "x"})
    teplo = staff("readings", "correct", viber, "0", "--reason", "x")
    assert "менше за попередній показник" in refused.text
    assert teplo.code != EXIT_OK and "менше за попередній показник" in teplo.err
    assert len(changes(10)) == 4
