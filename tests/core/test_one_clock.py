"""Business code reads the time through one function, so a test can pin it.

`core.settings.Settings.now()` is the business clock (`ASSISTANT_NOW` pins it)
and `core.settings.wall_clock()` the physical one (leases, staleness). Any other
read of the machine's clock in the product's packages would make an outcome
depend on the day the tests run; this test finds them by parsing the source.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Tuple

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = (
    "core",
    "actions",
    "channels",
    "staff",
    "console",
    "billing_api",
    "retrain",
    "nlu_components",
)
CLOCK_MODULE = ROOT / "core" / "settings.py"
# (object, attribute) pairs that read the wall clock.
WALL_CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def _clock_reads(path: Path) -> Iterator[Tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in WALL_CLOCK_READS:
                yield node.lineno, f"{name}.{node.func.attr}()"
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if alias.name in ("time", "time_ns", "localtime", "gmtime"):
                    yield node.lineno, f"from time import {alias.name}"


def test_only_the_clock_module_reads_the_wall_clock():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for package in PRODUCT_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != CLOCK_MODULE
        for line, what in _clock_reads(path)
    ]
    assert found == [], "read the time through core.settings:\n" + "\n".join(found)


def test_the_guard_sees_a_wall_clock_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime, time\nfrom datetime import date\n"
        "a = datetime.datetime.now()\nb = date.today()\nc = time.time()\n"
    )
    assert [what for _, what in _clock_reads(sample)] == [
        "datetime.now()",
        "date.today()",
        "time.time()",
    ]


def test_a_clock_file_moves_the_business_clock_of_a_running_process(tmp_path, monkeypatch):
    from datetime import datetime, timedelta

    from core.settings import load_settings
    from devtools.harness.clock import FileClock

    clock = FileClock(tmp_path / "clock")
    clock.set(datetime.fromisoformat("2027-01-25T09:49:58+02:00"))
    monkeypatch.setenv("ASSISTANT_CLOCK_FILE", str(clock.path))
    settings = load_settings()
    first = settings.now()
    assert (
        timedelta(0)
        <= first - datetime.fromisoformat("2027-01-25T09:49:58+02:00")
        < timedelta(seconds=5)
    )
    clock.set(datetime.fromisoformat("2027-03-28T02:59:59+02:00"))  # before the spring switch
    assert settings.now().isoformat().startswith("2027-03-28T0")
    assert settings.now().utcoffset() in (timedelta(hours=2), timedelta(hours=3))
