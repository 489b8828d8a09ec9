"""The month statistics tell staff how the hand-over to billing goes, and warn when it stalls."""

from __future__ import annotations

from billing_api import handlers
from core.settings import get_settings
from tests.support.billing import meter_ids, submit
from tests.support.clock import set_clock
from tests.support.db import in_session


def handover(staff) -> str:
    outcome = staff("stats", "--period", "2026-11")
    assert outcome.code == 0, outcome.err
    return outcome.out.split("Передача до білінгу", 1)[1]


def test_delivered_pending_unacknowledged_and_the_stale_warning(
    seeded, drop_dir, staff, monkeypatch
):
    meters = meter_ids()
    for minute, meter in enumerate(meters[:3]):
        submit(meter, "99999", minute)

    section = handover(staff)
    assert "у файлах: 0; ще не у файлі: 3; у непідтверджених файлах: 0" in section
    assert "остання доставка ще не було" in section and "УВАГА" not in section

    set_clock(monkeypatch, "2026-11-23T10:00:00+02:00")  # three days, nothing taken
    assert "УВАГА: білінг не забирає дані понад 48 год" in handover(staff)

    staff("billing", "drop")
    section = handover(staff)
    assert "у файлах: 3; ще не у файлі: 0; у непідтверджених файлах: 3" in section
    assert "остання доставка 23.11.2026 10:00" in section
    assert "непідтверджених файлів 1" in section and "УВАГА" not in section

    set_clock(monkeypatch, "2026-11-26T10:00:00+02:00")  # the file lies there unacknowledged
    assert "УВАГА" in handover(staff)
    (drop_dir / "readings-000001.csv.ack").write_text("")
    staff("billing", "files")
    section = handover(staff)
    assert "у непідтверджених файлах: 0" in section
    assert "останнє підтвердження 26.11.2026 10:00" in section and "УВАГА" not in section


def test_the_api_channel_shows_each_client_and_what_it_has_not_taken(seeded, staff, monkeypatch):
    monkeypatch.setenv("BILLING_STALE_HOURS", "1")
    get_settings.cache_clear()
    key = staff("billing", "keys", "create", "billing-main").out.strip()
    submit(meter_ids(1)[0], "99999")
    section = handover(staff)
    assert "API «billing-main»: останній запит ще не було, ще не забрано 1" in section
    set_clock(monkeypatch, "2026-11-20T12:00:00+02:00")
    assert "понад 1 год" in handover(staff)

    reply = in_session(lambda s: handlers.readings(s, {"x-api-key": key}, {}, get_settings().now()))
    assert reply.status == 200 and reply.rows == 1
    section = handover(staff)
    assert "API «billing-main»: останній запит 20.11.2026 12:00, ще не забрано 0" in section
    assert "УВАГА" not in section  # pulled through the API: nothing waits
