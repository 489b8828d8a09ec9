"""What keeps one sender from filling the disk, and media downloads on Viber's
hosts: the same file forwarded again is acknowledged, not stored again; a
sender's files per day are capped by count and bytes; every redirect of a
media download is checked against the allow-list (fake APIs, SQLite and
PostgreSQL)."""

from __future__ import annotations

from channels.viber import SIGNATURE_HEADER
from core.attachments import path_of
from core.settings import get_settings
from devtools.harness.messengers import JPEG, PDF
from tests.channels.test_attachments import rows, told_token
from tests.support.clock import set_clock
from tests.support.payloads import (
    good_secret,
    telegram_body,
    tg_document,
    viber_picture,
    viber_signed,
)

CHAT = 5559077
USER = "VbLimits+User01/abc=="
MB = 1024 * 1024


async def tg(telegram, assistant, update):
    return await telegram.handle(good_secret(), telegram_body(update), assistant)


async def vb(viber, assistant, callback):
    body, signature = viber_signed(callback)
    return await viber.handle({SIGNATURE_HEADER: signature}, body, assistant, lambda: ("", []))


def pdf(n: int, size: int = 0) -> bytes:
    body = PDF + f"\n% copy {n}\n".encode()
    return body + b"0" * max(0, size - len(body))


async def test_the_same_file_forwarded_again_is_acknowledged_not_stored_again(
    engine, telegram, assistant, telegram_api, shared_attachments_dir
):
    telegram_api.files["act"] = telegram_api.files["act-again"] = pdf(1)
    before = len(list(shared_attachments_dir.iterdir()))
    tokens = []
    for file_id in ("act", "act-again", "act"):
        await tg(telegram, assistant, tg_document(CHAT, file_id, "act.pdf", "application/pdf", 900))
        tokens.append(told_token(assistant))
    assert len(set(tokens)) == 1 and len(rows(engine)) == 1
    assert len(list(shared_attachments_dir.iterdir())) == before + 1
    assert path_of(rows(engine)[0]).read_bytes() == pdf(1)


async def test_a_sender_over_the_daily_count_or_bytes_is_told_to_come_back_tomorrow(
    engine, telegram, assistant, telegram_api, monkeypatch
):
    monkeypatch.setenv("ATTACHMENTS_PER_DAY", "3")
    monkeypatch.setenv("ATTACHMENTS_MB_PER_DAY", "2")
    get_settings.cache_clear()
    for n in range(4):
        telegram_api.files[f"f{n}"] = pdf(n)
        await tg(telegram, assistant, tg_document(CHAT, f"f{n}", "a.pdf", "application/pdf", 900))
    assert len(rows(engine)) == 3 and len(assistant.messages) == 3
    assert "Сьогодні ви вже надіслали багато файлів" in telegram_api.sent()[-1]["text"]
    # Another sender is not affected by this one.
    telegram_api.files["other"] = pdf(99)
    await tg(telegram, assistant, tg_document(CHAT + 1, "other", "a.pdf", "application/pdf", 900))
    assert len(rows(engine)) == 4

    # The next day: count free again, but bytes still count (2 MB a day).
    set_clock(monkeypatch, "2026-11-21T09:00:00+02:00")
    monkeypatch.setenv("ATTACHMENTS_MB_PER_DAY", "2")
    get_settings.cache_clear()
    for n in (10, 11):
        telegram_api.files[f"big{n}"] = pdf(n, int(1.2 * MB))
        update = tg_document(CHAT, f"big{n}", "a.pdf", "application/pdf", int(1.2 * MB))
        await tg(telegram, assistant, update)
    assert len(rows(engine)) == 5
    assert "Сьогодні ви вже надіслали багато файлів" in telegram_api.sent()[-1]["text"]


async def test_viber_media_redirects_are_followed_only_on_allowed_hosts(
    engine, viber, assistant, viber_api, telegram_api
):
    viber_api.files["meter.jpg"] = JPEG
    viber_api.redirects["hop.jpg"] = viber_api.media_url("meter.jpg")
    await vb(viber, assistant, viber_picture(USER, viber_api.media_url("hop.jpg"), len(JPEG)))
    assert told_token(assistant) == rows(engine)[0].token
    assert viber_api.downloads == ["/pa/media/hop.jpg", "/pa/media/meter.jpg"]

    # A redirect to another host (here the other fake, by a name that is not
    # the API's host) is not followed.
    foreign = telegram_api.url.replace("127.0.0.1", "localhost") + "/media/x.jpg"
    viber_api.redirects["evil.jpg"] = foreign
    await vb(viber, assistant, viber_picture(USER, viber_api.media_url("evil.jpg"), len(JPEG)))
    assert "Не вдалося отримати файл" in viber_api.sent()[-1]["text"]
    assert telegram_api.downloads == [] and len(rows(engine)) == 1

    # Nor a chain that never ends.
    viber_api.redirects["loop.jpg"] = viber_api.media_url("loop.jpg")
    await vb(viber, assistant, viber_picture(USER, viber_api.media_url("loop.jpg"), len(JPEG)))
    assert "Не вдалося отримати файл" in viber_api.sent()[-1]["text"]
    assert viber_api.downloads.count("/pa/media/loop.jpg") == 4
