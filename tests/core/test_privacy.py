"""Retention and "forget me": conversations go after the retention age, the
consumer who asked is forgotten everywhere, readings stay without a name."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from core.db.models import AccountLink, ConversationEvent, MessengerUser, Reading
from core.privacy import forget_sender
from core.repository import accounts as accounts_repo
from core.repository import messenger as messenger_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from staff.cli import main as teplo
from tests.support.db import in_session
from tests.support.tracker_store import tracker_store

ME = SenderKey("telegram", "telegram:777")
OTHER = SenderKey("viber", "viber:888")


def setup_people(now):
    def work(session):
        account = accounts_repo.find_account(session, "0100001")
        for sender in (ME, OTHER):
            accounts_repo.link_account(session, sender, account, now)
            messenger_repo.messenger_user(session, sender, now)
        meter = accounts_repo.active_meters(session, account.id)[0]
        readings_repo.store_reading(
            session, meter.id, "2026-11", Decimal("101"), now, ME.channel, ME.sender_id
        )

    in_session(work)


def test_forget_me_deletes_links_and_record_and_keeps_readings_without_a_name(seeded, now):
    setup_people(now)
    forgotten = in_session(lambda s: forget_sender(s, ME, now))
    assert forgotten.links == 1 and forgotten.readings_pseudonymised == 1
    links = in_session(lambda s: s.execute(sa.select(AccountLink.sender_id)).scalars().all())
    users = in_session(lambda s: s.execute(sa.select(MessengerUser.sender_id)).scalars().all())
    assert links == [OTHER.sender_id] and users == [OTHER.sender_id]
    reading = in_session(
        lambda s: s.execute(sa.select(Reading).where(Reading.period == "2026-11")).scalar_one()
    )
    assert reading.value == Decimal("101") and reading.sender_id.startswith("forgotten-")


def test_purge_deletes_old_conversations_and_those_of_the_forgotten(
    seeded, now, tmp_path, monkeypatch, capsys
):
    setup_people(now)
    old, recent = (now - timedelta(days=200)).timestamp(), (now - timedelta(days=3)).timestamp()
    engine, events = tracker_store(
        tmp_path,
        monkeypatch,
        [(OTHER.sender_id, old), (OTHER.sender_id, recent), (ME.sender_id, recent)],
    )
    in_session(
        lambda s: s.add_all(
            [
                ConversationEvent(
                    kind="fallback",
                    reason="",
                    channel="telegram",
                    occurred_at=now - timedelta(days=181),
                ),
                ConversationEvent(kind="fallback", reason="", channel="telegram", occurred_at=now),
            ]
        )
    )
    in_session(lambda s: forget_sender(s, ME, now))
    assert teplo(["privacy", "purge"]) == 0
    with engine.connect() as connection:
        left = connection.execute(sa.select(events.c.sender_id, events.c.timestamp)).all()
    assert left == [(OTHER.sender_id, recent)]
    assert (
        in_session(lambda s: s.execute(sa.select(sa.func.count(ConversationEvent.id))).scalar_one())
        == 1
    )
    assert "Видалено" in capsys.readouterr().out
    # The request itself is gone once done: nothing about the forgotten user is left.
    assert teplo(["privacy", "purge"]) == 0
    assert "1 споживачів" not in capsys.readouterr().out
