"""Photos and documents after the channel kept them: what the assistant notes
and says, what staff list and open, and when the files are deleted (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from actions.attachments import AttachmentReceived
from core.attachments import AttachmentRefused, Refusal, path_of, sniff, store_received
from core.db.models import Attachment
from core.privacy import forget_sender, purge_expired
from core.readings.submission import meters_for_submission
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from devtools.harness.messengers import DOCX, JPEG, PDF, PNG
from tests.support.conversation import run, tracker
from tests.support.db import in_session

SENDER = SenderKey("telegram", "user-1")
OTHER = SenderKey("viber", "viber:someone")
HEIC = b"\x00\x00\x00\x18ftypheic" + bytes(100)
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(100)


def test_the_bytes_decide_the_type():
    assert [sniff(data) for data in (JPEG, PNG, WEBP, HEIC, PDF, DOCX, b"", b"GIF89a")] == [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "application/pdf",
        None,
        None,
        None,
    ]


def link(number: str, sender: SenderKey = SENDER, now=None):
    def work(session):
        account = accounts_repo.find_account(session, number)
        accounts_repo.link_account(session, sender, account, now)
        return account.id

    return in_session(work)


def attachment(token: str) -> Attachment:
    def work(session):
        row = session.execute(select(Attachment).where(Attachment.token == token)).scalar_one()
        session.expunge(row)
        return row

    return in_session(work)


def received(token: str, **slots):
    at_prompt = slots.pop("at_prompt", False)
    if at_prompt:
        slots["requested_slot"] = "reading_value"
    return tracker(
        f'/attachment_received{{"attachment_token":"{token}"}}',
        intent="attachment_received",
        entities=[{"entity": "attachment_token", "value": token}],
        active_loop="reading_form" if at_prompt else None,
        slots=slots,
    )


async def test_a_photo_at_a_reading_prompt_is_noted_with_account_meter_and_period(seeded, now):
    account_id = link("0100004", now=now)
    token = await store_received(JPEG, SENDER, now)
    meters = in_session(lambda s: meters_for_submission(s, account_id, "2026-11"))
    slots = {
        "reading_account": "0100004",
        "reading_meters": [m.to_slot() for m in meters],
        "reading_entries": {str(meters[0].meter_id): "1"},  # the first one is entered
    }
    _, texts, _ = await run(AttachmentReceived(), received(token, at_prompt=True, **slots))
    assert texts == [
        "Фото отримали, дякуємо! Додали його до рахунку 0100004, його переглянуть працівники "
        "абонентського відділу. Розпізнавати цифри з фото я поки не вмію, тож напишіть, будь "
        "ласка, показник числом."
    ]
    row = attachment(token)
    assert row.meter_id == meters[1].meter_id and row.period == "2026-11"
    assert row.received_at == now and row.account_id == account_id


async def test_a_document_at_any_time_goes_to_the_only_linked_account(seeded, now):
    token = await store_received(PDF, SENDER, now)
    _, texts, _ = await run(AttachmentReceived(), received(token))
    assert texts[0].startswith("Документ отримали, дякуємо! Його переглянуть")
    assert attachment(token).account_id is None
    account_id = link("0100002", now=now)
    _, texts, _ = await run(AttachmentReceived(), received(token))
    assert "до рахунку 0100002" in texts[0] and "показник числом" not in texts[0]
    assert attachment(token).account_id == account_id and attachment(token).meter_id is None


async def test_nobody_claims_another_senders_file_by_typing_its_payload(seeded, now):
    token = await store_received(JPEG, OTHER, now)
    _, texts, _ = await run(AttachmentReceived(), received(token))
    assert "Файлу я не отримав" in texts[0]
    _, texts, _ = await run(AttachmentReceived(), tracker("ось фото", intent="attachment_received"))
    assert "Файлу я не отримав" in texts[0]


async def test_store_refuses_what_is_not_a_picture_or_pdf_and_too_big(engine, now, monkeypatch):
    from core.settings import get_settings

    with pytest.raises(AttachmentRefused) as refused:
        await store_received(DOCX, SENDER, now)
    assert refused.value.reason == Refusal.WRONG_TYPE
    monkeypatch.setenv("ATTACHMENTS_MAX_MB", "1")
    get_settings.cache_clear()
    with pytest.raises(AttachmentRefused) as refused:
        await store_received(JPEG + bytes(1024 * 1024), SENDER, now)
    assert refused.value.reason == Refusal.TOO_BIG
    assert in_session(lambda s: s.execute(select(Attachment)).all()) == []


async def test_forget_me_and_the_retention_purge_delete_files_and_rows(engine, now):
    mine = await store_received(JPEG, SENDER, now)
    theirs_old = await store_received(PNG, OTHER, now - timedelta(days=200))
    theirs_new = await store_received(PDF, OTHER, now - timedelta(days=10))
    paths = {token: path_of(attachment(token)) for token in (mine, theirs_old, theirs_new)}
    assert all(path.is_file() for path in paths.values())

    forgotten = in_session(lambda s: forget_sender(s, SENDER, now))
    assert forgotten.attachments == 1 and not paths[mine].exists()
    purged = in_session(lambda s: purge_expired(s, now, 180))
    assert purged.attachments == 1 and not paths[theirs_old].exists()
    assert paths[theirs_new].is_file()
    left = in_session(lambda s: s.execute(select(Attachment.token)).scalars().all())
    assert left == [theirs_new]


async def test_staff_list_and_open(seeded, now, staff, tmp_path):  # noqa: F811
    link("0100004", now=now)
    photo = await store_received(JPEG, SENDER, now)
    await run(AttachmentReceived(), received(photo))
    await store_received(PDF, OTHER, now - timedelta(days=40))

    listed = staff("attachments", "list")
    assert listed.code == 0
    lines = listed.out.splitlines()
    assert "рахунок" in lines[0] and len(lines) == 4
    assert "0100004" in lines[2] and "фото JPEG" in lines[2] and "20.11.2026 10:00" in lines[2]
    assert "PDF" in lines[3] and "—" in lines[3]
    assert "user-1" not in listed.out  # who sent it is not shown
    only = staff("attachments", "list", "--account", "0100004")
    assert len(only.out.splitlines()) == 3
    recent = staff("attachments", "list", "--since", "2026-11-01")
    assert len(recent.out.splitlines()) == 3
    assert "немає" in staff("attachments", "list", "--account", "0100001").out

    photo_id = attachment(photo).id
    opened = staff("attachments", "open", photo_id)
    assert opened.code == 0 and opened.out.strip() == str(path_of(attachment(photo)))
    copy = tmp_path / "meter.jpg"
    assert staff("attachments", "open", photo_id, "--to", copy).code == 0
    assert copy.read_bytes() == JPEG
    missing = staff("attachments", "open", 9999)
    assert missing.code == 1 and "№9999" in missing.err
