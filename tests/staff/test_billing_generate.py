"""`teplo billing generate`: the synthetic billing file generator."""

import random
from datetime import date

import pytest
from sqlalchemy import func, select

from core.billing.csvfiles import read_csv
from core.billing.subscriber_file import parse_subscribers
from core.db.models import Account, Meter, Reading
from staff.commands.billing.generate import meter_counts
from staff.common import EXIT_OK
from tests.support.db import in_session


@pytest.mark.parametrize("accounts, meters", [(1000, 1500), (100, 300), (100, 50), (10, 0), (1, 1)])
def test_meters_are_spread_exactly(accounts, meters):
    counts = meter_counts(accounts, meters, random.Random(1))
    assert len(counts) == accounts and sum(counts) == meters
    assert all(0 <= count <= 3 for count in counts)


@pytest.mark.parametrize(
    "encoding, delimiter", [("cp1251", ";"), ("utf-8-sig", ","), ("utf-8", ";")]
)
def test_generated_files_parse_without_a_single_bad_row(tmp_path, staff, encoding, delimiter):
    path = tmp_path / "synthetic.csv"
    result = staff(
        "billing",
        "generate",
        path,
        "--accounts",
        500,
        "--meters",
        750,
        "--encoding",
        encoding,
        "--delimiter",
        delimiter,
        "--reading-date",
        "31.10.2026",
    )
    assert result.code == EXIT_OK
    parsed = parse_subscribers(read_csv(path), date(2026, 11, 20))
    assert parsed.rejected == []
    assert (len(parsed.accounts), len(parsed.meters)) == (500, 750)
    assert (parsed.encoding, parsed.delimiter) == (encoding, delimiter)


def test_generated_file_imports_fully(engine, staff, tmp_path):
    path = tmp_path / "synthetic.csv"
    staff("billing", "generate", path, "--accounts", 300, "--meters", 450)
    assert staff("billing", "import", path, "--strict").code == EXIT_OK
    counts = in_session(
        lambda s: [
            s.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Account, Meter, Reading)
        ]
    )
    assert counts == [300, 450, 450]


def test_same_seed_same_file(tmp_path, staff):
    for name in ("a.csv", "b.csv"):
        staff("billing", "generate", tmp_path / name, "--accounts", 50, "--meters", 80)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
