"""The command line as a whole, and the synthetic billing file generator."""

import random
from datetime import date

import pytest
from sqlalchemy import func, select

from core.billing.csvfiles import read_csv
from core.billing.subscriber_file import parse_subscribers
from core.db.models import Account, Meter, Reading
from staff.cli import build_parser, main
from staff.commands.generate_subscribers import meter_counts
from staff.common import EXIT_OK
from tests.support.db import in_session

COMMANDS = [
    [],
    ["init-db"],
    ["import-subscribers"],
    ["export-readings"],
    ["settings"],
    ["settings", "show"],
    ["settings", "window"],
    ["settings", "tariffs"],
    ["settings", "contacts"],
    ["stats"],
    ["generate-subscribers"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "staff")
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: python -m staff" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nonsense"],
        ["stats"],
        ["stats", "--period", "11.2026"],
        ["settings"],
        ["export-readings", "--period", "2026-11", "--encoding", "koi8"],
    ],
)
def test_bad_usage_exits_with_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2


def test_the_parser_knows_all_commands():
    help_text = build_parser().format_help()
    for name in (
        "init-db",
        "import-subscribers",
        "export-readings",
        "settings",
        "stats",
        "generate-subscribers",
    ):
        assert name in help_text


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
        "generate-subscribers",
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
    staff("generate-subscribers", path, "--accounts", 300, "--meters", 450)
    assert staff("import-subscribers", path, "--strict").code == EXIT_OK
    counts = in_session(
        lambda s: [
            s.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Account, Meter, Reading)
        ]
    )
    assert counts == [300, 450, 450]


def test_same_seed_same_file(tmp_path, staff):
    for name in ("a.csv", "b.csv"):
        staff("generate-subscribers", tmp_path / name, "--accounts", 50, "--meters", 80)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_init_db_creates_the_schema_and_is_repeatable(tmp_path, staff):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    try:
        assert staff("--database-url", url, "init-db").code == EXIT_OK
        assert staff("--database-url", url, "init-db").code == EXIT_OK
        assert staff("--database-url", url, "stats", "--period", "2026-11").code == EXIT_OK
    finally:
        from core.db.engine import use_engine

        use_engine(None)


def test_database_errors_are_reported_without_traceback(tmp_path, staff):
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # no tables
    try:
        result = staff("--database-url", url, "stats", "--period", "2026-11")
    finally:
        from core.db.engine import use_engine

        use_engine(None)
    assert result.code == 1 and result.err.startswith("Помилка бази даних:")
