"""Fixtures of the staff tool's tests (helpers: tests/support/staff.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from tests.support.staff import DATA


@pytest.fixture
def data_file(tmp_path) -> Callable[[str], Path]:
    """A copy of a fixture file, so a test may change it."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(DATA / name, target)
        return target

    return copy
