"""Photos and documents in both connectors, in-process against the fake
messenger APIs and a real database (SQLite and PostgreSQL): what is fetched,
what is kept where, what the assistant is told and what a sender hears when a
file is refused."""

from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.viber import SIGNATURE_HEADER
from core.attachments import path_of
from core.db.models import Attachment
from devtools.harness.messengers import DOCX, JPEG, PDF, PNG
from tests.support.payloads import (
    VIBER_FILES,
    good_secret,
    telegram_body,
    tg_document,
    tg_photo,
    viber_file,
    viber_message,
    viber_picture,
    viber_signed,
)

CHAT = 5559001
USER = "VbFiles+User01/abc=="
MB = 1024 * 1024
TOKEN = re.compile(r'^/attachment_received\{"attachment_token":"([0-9a-f]{32})"\}$')


async def tg(telegram, assistant, update):
    return await telegram.handle(good_secret(), telegram_body(update), assistant)


async def vb(viber, assistant, callback):
    body, signature = viber_signed(callback)
    return await viber.handle(
        {SIGNATURE_HEADER: signature}, body, assistant, lambda: ("Вітаю!", [])
    )


def rows(engine):
    with Session(engine, future=True) as session:
        found = session.execute(select(Attachment).order_by(Attachment.id)).scalars().all()
        session.expunge_all()
        return found


def told_token(assistant) -> str:
    match = TOKEN.match(assistant.texts[-1])
    assert match, assistant.texts
    return match.group(1)


async def test_telegram_photo_is_kept_by_a_random_name_and_told_to_the_assistant(
    engine, telegram, assistant, telegram_api
):
    telegram_api.files["big"] = PNG
    update = tg_photo(CHAT, ("small", 1200), ("big", len(PNG)), ("huge", 30 * MB))
    assert (await tg(telegram, assistant, update))[0] == 200

    # The largest size within the cap, through getFile and the file URL.
    assert [c.body["file_id"] for c in telegram_api.of("getFile")] == ["big"]
    assert telegram_api.downloads == ["/file/bot1234567:TEST-not-a-real-token/documents/big"]
    (row,) = rows(engine)
    assert told_token(assistant) == row.token
    assert (row.channel, row.sender_id) == ("telegram", f"telegram:{CHAT}")
    assert (row.content_type, row.size_bytes) == ("image/png", len(PNG))
    assert row.sha256 == hashlib.sha256(PNG).hexdigest()
    assert row.period == "2026-11" and row.account_id is None
    path = path_of(row)
    assert path.name == f"{row.token}.png" and path.read_bytes() == PNG
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # The stand-in assistant echoed; the channel itself said nothing more.
    assert len(telegram_api.sent()) == 1


async def test_telegram_document_oversize_or_wrong_type_is_refused_unfetched(
    engine, telegram, assistant, telegram_api
):
    await tg(telegram, assistant, tg_document(CHAT, "act", "act.pdf", "application/pdf", 11 * MB))
    await tg(telegram, assistant, tg_document(CHAT, "doc", "act.docx", "application/msword", 2000))
    answers = [m["text"] for m in telegram_api.sent()]
    assert "завеликий" in answers[0] and "до 10 МБ" in answers[0]
    assert "Такий файл я не приймаю" in answers[1] and "PDF" in answers[1]
    assert telegram_api.of("getFile") == [] and assistant.messages == [] and rows(engine) == []


async def test_a_file_whose_bytes_are_not_what_it_claims_is_refused_and_not_kept(
    engine, telegram, assistant, telegram_api, shared_attachments_dir
):
    before = set(shared_attachments_dir.iterdir())
    telegram_api.files["fake-pdf"] = DOCX
    await tg(telegram, assistant, tg_document(CHAT, "fake-pdf", "a.pdf", "application/pdf", 3004))
    assert "Такий файл я не приймаю" in telegram_api.sent()[-1]["text"]
    assert rows(engine) == [] and assistant.messages == []
    assert set(shared_attachments_dir.iterdir()) == before


async def test_a_file_over_the_cap_without_a_declared_size_is_not_kept(
    engine, telegram, viber, assistant, telegram_api, viber_api, monkeypatch
):
    from core.settings import get_settings

    monkeypatch.setenv("ATTACHMENTS_MAX_MB", "1")
    get_settings.cache_clear()
    telegram_api.files["quiet"] = viber_api.files["quiet.jpg"] = JPEG + bytes(2 * MB)
    # The update says nothing of the size; getFile says 2 MB: refused before the download.
    await tg(telegram, assistant, tg_photo(CHAT, ("quiet", None)))
    assert "до 1 МБ" in telegram_api.sent()[-1]["text"] and telegram_api.downloads == []
    # Viber's picture has no size: the download is abandoned past the cap.
    await vb(viber, assistant, viber_picture(USER, viber_api.media_url("quiet.jpg")))
    assert "до 1 МБ" in viber_api.sent()[-1]["text"] and len(viber_api.downloads) == 1
    assert rows(engine) == [] and assistant.messages == []


async def test_telegram_not_giving_the_file_is_answered(engine, telegram, assistant, telegram_api):
    telegram_api.script(
        "getFile", {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
    )
    await tg(telegram, assistant, tg_photo(CHAT, ("gone", 1000)))
    assert "Не вдалося отримати файл" in telegram_api.sent()[-1]["text"]
    assert rows(engine) == [] and assistant.messages == []


async def test_viber_picture_and_pdf_are_kept(engine, viber, assistant, viber_api):
    viber_api.files["meter.jpg"] = JPEG
    viber_api.files["act.pdf"] = PDF
    await vb(viber, assistant, viber_picture(USER, viber_api.media_url("meter.jpg"), len(JPEG)))
    first = told_token(assistant)
    await vb(
        viber, assistant, viber_file(USER, viber_api.media_url("act.pdf"), "act.pdf", len(PDF))
    )
    second = told_token(assistant)
    kept = rows(engine)
    assert [(r.token, r.content_type, r.channel) for r in kept] == [
        (first, "image/jpeg", "viber"),
        (second, "application/pdf", "viber"),
    ]
    assert {r.sender_id for r in kept} == {f"viber:{USER}"}
    assert path_of(kept[1]).read_bytes() == PDF
    assert [m.message_id for m in assistant.messages][0].startswith("viber-")


async def test_viber_oversize_wrong_type_and_foreign_media_are_refused(
    engine, viber, assistant, viber_api
):
    await vb(viber, assistant, viber_file(USER, viber_api.media_url("big.pdf"), "big.pdf", 20 * MB))
    await vb(viber, assistant, viber_file(USER, viber_api.media_url("a.xlsx"), "a.xlsx", 2000))
    # Signed callbacks come from Viber; still, a media URL off Viber's hosts is never fetched.
    await vb(viber, assistant, viber_message(USER, VIBER_FILES["picture"]))
    answers = [m["text"] for m in viber_api.sent()]
    assert "завеликий" in answers[0]
    assert "Такий файл я не приймаю" in answers[1]
    assert "Не вдалося отримати файл" in answers[2]
    assert viber_api.downloads == [] and assistant.messages == [] and rows(engine) == []


def test_the_assistant_message_is_a_well_formed_payload():
    from channels.attachments import attachment_message

    message = attachment_message("0" * 32)
    intent, _, entities = message.partition("{")
    assert intent == "/attachment_received"
    assert json.loads("{" + entities) == {"attachment_token": "0" * 32}
