"""Helpers for the staff tool's tests: run the CLI in-process, read the database."""

from __future__ import annotations

from pathlib import Path
from typing import List, NamedTuple

from sqlalchemy import select

from core.db.models import Account, Meter, Reading
from staff.cli import main
from tests.support.db import in_session

# The staff tests' input files (billing exports in their real encodings, ...).
DATA = Path(__file__).resolve().parents[1] / "staff" / "data"


class Outcome(NamedTuple):
    code: int
    out: str
    err: str


def run_cli(capsys, *argv: object) -> Outcome:
    """Runs `teplo ARGV` in this process, on the test's engine; what it printed."""
    capsys.readouterr()
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def snapshot() -> List[tuple]:
    """Every account, meter and reading as plain tuples, to compare database states."""

    def read(session):
        accounts = session.execute(
            select(
                Account.id,
                Account.number,
                Account.owner_name,
                Account.street,
                Account.house,
                Account.apartment,
                Account.active,
            ).order_by(Account.id)
        ).all()
        meters = session.execute(
            select(
                Meter.id,
                Meter.account_id,
                Meter.serial,
                Meter.kind,
                Meter.unit,
                Meter.decimals,
                Meter.location,
                Meter.active,
            ).order_by(Meter.id)
        ).all()
        readings = session.execute(
            select(
                Reading.id,
                Reading.meter_id,
                Reading.period,
                Reading.value,
                Reading.submitted_at,
                Reading.source,
                Reading.channel,
                Reading.in_force,
            ).order_by(Reading.id)
        ).all()
        return [tuple(row) for row in [*accounts, *meters, *readings]]

    return in_session(read)


def meters_by_serial() -> dict:
    return in_session(
        lambda s: {
            m.serial: (m.account.number, m.kind.value, m.unit, m.decimals, m.active)
            for m in s.execute(select(Meter)).scalars()
        }
    )


def readings_of(serial: str) -> List[tuple]:
    """(period, value, source, in_force) of a meter's readings, oldest first."""
    return in_session(
        lambda s: [
            (r.period, r.value, r.source.value, r.in_force)
            for r in s.execute(
                select(Reading).join(Meter).where(Meter.serial == serial).order_by(Reading.id)
            ).scalars()
        ]
    )
