"""The machine's clock moved for a test session: `TEST_WALL_CLOCK`.

The suite pins the business clock (`ASSISTANT_NOW`, tests/support/clock.py), so
no outcome may depend on the day the tests run. To prove it, a session can be
run with the machine's clock itself moved:

    TEST_WALL_CLOCK=2027-03-28T02:59:50+02:00 .venv/bin/python -m pytest tests/core/outbox

`time-machine` moves every in-process read of the wall clock (`datetime.now`,
`date.today`, `time.time`, ...) to that moment and lets it run on (tick), so a
test that reads today's date sees another day, and a session started just
before a midnight, a month's end or a daylight-saving switch runs across it.
Several moments, comma-separated, run the selected tests once per moment in one
process (the imports, Rasa's above all, are paid once). Processes a test starts
are not moved: they run at the pinned `ASSISTANT_NOW`.

tests/conftest.py loads this module as a pytest plugin (its hooks are below).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import List, Optional

import pytest
import time_machine

ENV = "TEST_WALL_CLOCK"

# Where the guard (tests/test_wall_clock_guard.py) moves the machine's clock:
# each a few seconds before a turn the calendar rules care about, so the run
# crosses it.
GUARD_MOMENTS = (
    # New Year's Eve: the day, the month (the period) and the year turn during the run.
    "2026-12-31T23:59:50+02:00",
    # 29 February of a leap year, just before midnight: the run ends on 1 March.
    "2028-02-29T23:59:50+02:00",
    # Kyiv's spring switch: at 03:00 EET the clocks go to 04:00 EEST (the missing hour).
    "2027-03-28T02:59:50+02:00",
)

_travel: Optional[time_machine.travel] = None
MOMENT = pytest.StashKey[datetime]()  # on each item: the moment of its current round


def requested_moments() -> List[datetime]:
    """The moments `TEST_WALL_CLOCK` names (aware), none when it is unset."""
    moments = []
    for raw in os.environ.get(ENV, "").split(","):
        if not raw.strip():
            continue
        moment = datetime.fromisoformat(raw.strip())
        if moment.tzinfo is None:
            raise ValueError(f"{ENV} needs UTC offsets, e.g. 2027-03-28T02:59:50+02:00")
        moments.append(moment)
    return moments


def travel_to(moment: datetime) -> None:
    """Moves this process's clock to `moment`, running on from there."""
    global _travel
    stop()
    _travel = time_machine.travel(moment, tick=True)
    _travel.start()


def stop() -> None:
    """Gives the process its real clock back."""
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def run_once_per_moment(session: pytest.Session, moments: List[datetime]) -> bool:
    """pytest's test loop, repeated with the clock at each moment in turn; each
    round ends with every fixture torn down, so none carries a date over."""
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} errors during collection")
    if session.config.option.collectonly:
        return True
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for moment in moments:
        travel_to(moment)
        if reporter is not None:
            reporter.write_sep("-", f"wall clock at {moment.isoformat()}")
        for index, item in enumerate(session.items):
            item.stash[MOMENT] = moment
            nextitem = session.items[index + 1] if index + 1 < len(session.items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
    return True


# --- pytest hooks ---------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    moments = requested_moments()
    if moments:  # from the start: collection imports see the moved clock too
        travel_to(moments[0])


def pytest_report_header(config: pytest.Config) -> List[str]:
    moments = requested_moments()
    return [f"wall clock moved to {', '.join(m.isoformat() for m in moments)}"] if moments else []


def pytest_runtestloop(session: pytest.Session) -> Optional[bool]:
    moments = requested_moments()
    return run_once_per_moment(session, moments) if len(moments) > 1 else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    moment = item.stash.get(MOMENT, None) or next(iter(requested_moments()), None)
    if report.failed and moment is not None:
        report.sections.append(("wall clock", f"moved to {moment.isoformat()}"))
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    stop()
