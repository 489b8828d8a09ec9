"""Helpers for the billing hand-over tests: readings the assistant took, drop files read back.

`drop_dir` is a fixture; the conftests of the billing test packages bring it in.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Dict, List

import pytest
from sqlalchemy import select

from core.db.models import Meter
from core.repository import readings as readings_repo
from core.settings import KYIV, get_settings
from tests.support.db import in_session


@pytest.fixture
def drop_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "billing-in"
    folder.mkdir()
    monkeypatch.setenv("BILLING_DROP_DIR", str(folder))
    get_settings.cache_clear()
    return folder


def meter_ids(limit: int = 40) -> List[int]:
    return in_session(
        lambda s: list(s.execute(select(Meter.id).order_by(Meter.id).limit(limit)).scalars())
    )


def submit(meter_id: int, value: str, minute: int = 0, period: str = "2026-11") -> int:
    """A reading the assistant took; returns its id."""
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=KYIV) + timedelta(minutes=minute)

    def work(session):
        return readings_repo.store_reading(
            session, meter_id, period, Decimal(value), moment, "telegram", "telegram:1"
        ).id

    return in_session(work)


def read_drop(path: Path) -> List[Dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def delivered_ids(folder: Path) -> List[int]:
    """Every reading id in every published drop file, in file order (duplicates kept)."""
    ids: List[int] = []
    for path in sorted(folder.glob("readings-*.csv")):
        ids += [int(row["reading_id"]) for row in read_drop(path)]
    return ids


def manifest(folder: Path, sequence: int) -> dict:
    return json.loads((folder / f"readings-{sequence:06d}.manifest.json").read_text("utf-8"))
