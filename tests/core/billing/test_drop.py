"""The scheduled file drop: each reading in exactly one file, whatever happens."""

from __future__ import annotations

import hashlib
import os

import pytest

from core.billing import delivery
from core.errors import StaffError
from tests.support.billing import delivered_ids, manifest, meter_ids, read_drop, submit


@pytest.fixture
def meters(seeded):
    return meter_ids()


def test_new_readings_land_in_one_numbered_file_with_a_manifest(meters, drop_dir, staff):
    ids = [submit(meter, "99999", minute) for minute, meter in enumerate(meters[:5])]

    outcome = staff("billing", "drop")

    assert outcome.code == 0, outcome.err
    assert "readings-000001.csv" in outcome.out
    path = drop_dir / "readings-000001.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM by default
    rows = read_drop(path)
    assert [int(r["reading_id"]) for r in rows] == ids
    assert rows[0]["reading"].startswith("99999")  # the export's format, decimal comma
    assert all(r["replaces_reading_id"] == "" for r in rows)
    info = manifest(drop_dir, 1)
    assert info["rows"] == 5 and info["sequence"] == 1 and info["periods"] == ["2026-11"]
    assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # Nothing half-written or temporary is left for billing to trip over.
    assert sorted(p.name for p in drop_dir.iterdir()) == [
        "readings-000001.csv",
        "readings-000001.manifest.json",
    ]


def test_rerunning_delivers_nothing_twice_and_only_what_is_new(meters, drop_dir, staff):
    first = [submit(meter, "99999", i) for i, meter in enumerate(meters[:3])]
    assert staff("billing", "drop").code == 0
    again = staff("billing", "drop")
    assert "Нових показників немає" in again.out
    later = [submit(meter, "99999", 10 + i) for i, meter in enumerate(meters[3:6])]
    assert staff("billing", "drop").code == 0

    assert delivered_ids(drop_dir) == first + later
    assert [r["reading_id"] for r in read_drop(drop_dir / "readings-000002.csv")] == [
        str(i) for i in later
    ]
    assert not (drop_dir / "readings-000003.csv").exists()


def test_a_correction_carries_the_reading_it_replaces(meters, drop_dir, staff):
    original = submit(meters[0], "99999.5")
    staff("billing", "drop")
    correction = submit(meters[0], "99999.7", minute=5)
    staff("billing", "drop")

    (row,) = read_drop(drop_dir / "readings-000002.csv")
    assert int(row["reading_id"]) == correction
    assert int(row["replaces_reading_id"]) == original
    assert row["replaces_reading"].startswith("99999,5")
    assert row["reading"].startswith("99999,7")
    assert manifest(drop_dir, 2)["corrections"] == 1


def test_a_crash_between_write_and_rename_delivers_the_same_rows_once(
    meters, drop_dir, monkeypatch
):
    ids = [submit(meter, "99999", i) for i, meter in enumerate(meters[:4])]
    real_replace = os.replace

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")  # the process dies after its commit

    monkeypatch.setattr(delivery.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        delivery.drop_readings()
    # Billing sees nothing yet: the file exists only under its hidden temporary name.
    assert not list(drop_dir.glob("readings-*"))
    monkeypatch.setattr(delivery.os, "replace", real_replace)
    newer = submit(meters[5], "99999", 30)

    result = delivery.drop_readings()

    assert [f.name for f in result.finished] == ["readings-000001.csv"]
    assert result.written is not None and result.written.name == "readings-000002.csv"
    assert delivered_ids(drop_dir) == ids + [newer]
    assert not [p for p in drop_dir.iterdir() if p.name.startswith(".")]


def test_a_crash_while_writing_leaves_the_readings_for_the_next_run(meters, drop_dir, monkeypatch):
    ids = [submit(meter, "99999", i) for i, meter in enumerate(meters[:4])]

    def broken_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(delivery, "write_csv", broken_disk)
    with pytest.raises(OSError):
        delivery.drop_readings()
    monkeypatch.undo()

    delivery.drop_readings(drop_dir)

    # The failed run's sequence number was rolled back with its claim.
    assert sorted(p.name for p in drop_dir.glob("readings-*.csv")) == ["readings-000001.csv"]
    assert delivered_ids(drop_dir) == ids
    assert not [p for p in drop_dir.iterdir() if p.name.startswith(".")]


def test_acknowledgements_are_recorded_and_unacknowledged_files_reoffered_on_request(
    meters, drop_dir, staff
):
    submit(meters[0], "99999")
    staff("billing", "drop")
    submit(meters[1], "99999")
    staff("billing", "drop")
    submit(meters[2], "99999")
    staff("billing", "drop")
    (drop_dir / "readings-000001.csv.ack").write_text("")
    (drop_dir / "readings-000002.csv").rename(drop_dir.parent / "taken.csv")  # moved away

    listing = staff("billing", "files")

    assert "Білінг підтвердив readings-000001.csv" in listing.out
    assert "Білінг підтвердив readings-000002.csv" in listing.out
    table = listing.out.split("ще не підтвердив", 1)[1]
    assert "readings-000003.csv" in table and "readings-000001.csv" not in table
    # Billing's import broke the unacknowledged file: it is written again only when asked.
    before = (drop_dir / "readings-000003.csv").read_bytes()
    (drop_dir / "readings-000003.csv").write_bytes(b"garbage")
    assert staff("billing", "drop").code == 0  # the timer does not re-send it by itself
    assert (drop_dir / "readings-000003.csv").read_bytes() == b"garbage"
    assert staff("billing", "files", "--reoffer", 3).code == 0
    assert (drop_dir / "readings-000003.csv").read_bytes() == before
    refused = staff("billing", "files", "--reoffer", 2)
    assert refused.code == 1 and "уже підтвердив" in refused.err
    everything = staff("billing", "files", "--all").out
    assert "readings-000001.csv" in everything and "readings-000003.csv" in everything


def test_a_missing_folder_is_a_plain_error(meters, tmp_path, staff):
    outcome = staff("billing", "drop", "--folder", tmp_path / "nowhere")
    assert outcome.code == 1
    assert "не існує" in outcome.err


def test_reoffering_an_unknown_file_is_refused(engine, drop_dir):
    with pytest.raises(StaffError):
        delivery.reoffer(7)
