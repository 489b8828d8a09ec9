"""`teplo billing links`: the CSV and QR codes for the bill printer, decoded back."""

import csv
from pathlib import Path

import zxingcpp
from PIL import Image
from sqlalchemy import select

from core.accounts.deeplinks import account_for_token
from core.db.models import AuditEntry
from staff.common import EXIT_FAILED, EXIT_OK
from tests.support.db import in_session

BOT = "PoltavaTeploBot"
URI = "poltavateplo"


def rows_of(folder: Path):
    with (folder / "links.csv").open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=";"))


def decoded(path: Path) -> str:
    (code,) = zxingcpp.read_barcodes(Image.open(path))
    return code.text


def token_of(link: str) -> str:
    return link.rsplit("=", 1)[1]


def test_links_for_every_account_decode_back_and_name_no_account(seeded, staff, tmp_path):
    outcome = staff(
        "billing", "links", "--out", tmp_path, "--telegram-bot", BOT, "--viber-uri", URI
    )
    assert outcome.code == EXIT_OK, outcome.err
    rows = rows_of(tmp_path)
    assert len(rows) == 36 and rows[0]["account_number"] == "0100001"
    for row in rows[:3]:
        telegram, viber = row["telegram_link"], row["viber_link"]
        assert telegram.startswith(f"https://t.me/{BOT}?start=")
        assert viber.startswith(f"viber://pa?chatURI={URI}&context=")
        assert token_of(telegram) == token_of(viber)
        assert row["account_number"] not in telegram and len(token_of(telegram)) <= 64
        # The printed code is the link itself, and the link's token is this account's.
        assert decoded(tmp_path / row["telegram_qr"]) == telegram
        assert decoded(tmp_path / row["viber_qr"]) == viber
        token = token_of(telegram)
        assert in_session(lambda s, t=token: account_for_token(s, t)) == row["account_number"]
    entry = in_session(lambda s: s.execute(select(AuditEntry)).scalars().one())
    assert entry.action == "bill_links.issue" and entry.username.startswith("teplo:")
    assert '"new_tokens": 36' in entry.after


def test_links_stay_until_renewed_and_old_ones_then_open_nothing(seeded, staff, tmp_path):
    street = "вул. Соборності"
    args = ("billing", "links", "--street", street.upper(), "--telegram-bot", BOT)
    assert staff(*args, "--out", tmp_path / "a").code == EXIT_OK
    assert staff(*args, "--out", tmp_path / "b").code == EXIT_OK
    first, again = rows_of(tmp_path / "a"), rows_of(tmp_path / "b")
    assert first == again and 0 < len(first) < 36  # the same bills may be printed twice
    assert all(row["viber_link"] == "" and row["viber_qr"] == "" for row in first)
    assert staff(*args, "--renew", "--out", tmp_path / "c").code == EXIT_OK
    renewed = rows_of(tmp_path / "c")
    old_token, new_token = (
        token_of(first[0]["telegram_link"]),
        token_of(renewed[0]["telegram_link"]),
    )
    assert old_token != new_token
    assert in_session(lambda s: account_for_token(s, old_token)) is None
    assert in_session(lambda s: account_for_token(s, new_token)) == first[0]["account_number"]


def test_svg_codes(seeded, staff, tmp_path):
    outcome = staff(
        "billing",
        "links",
        "--street",
        "вул. Гоголя",
        "--viber-uri",
        URI,
        "--qr-format",
        "svg",
        "--out",
        tmp_path,
    )
    assert outcome.code == EXIT_OK
    row = rows_of(tmp_path)[0]
    assert row["viber_qr"].endswith(".svg") and "<svg" in (tmp_path / row["viber_qr"]).read_text()


def test_clear_refusals(seeded, staff, tmp_path, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_NAME", raising=False)
    monkeypatch.delenv("VIBER_CHAT_URI", raising=False)
    outcome = staff("billing", "links", "--out", tmp_path)
    assert outcome.code == EXIT_FAILED and "TELEGRAM_BOT_NAME" in outcome.err
    outcome = staff(
        "billing", "links", "--street", "вул. Неіснуюча", "--telegram-bot", BOT, "--out", tmp_path
    )
    assert outcome.code == EXIT_FAILED and "вул. Неіснуюча" in outcome.err
    assert not (tmp_path / "links.csv").exists()
