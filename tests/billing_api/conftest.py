"""Fixtures of the billing hand-over tests (tests/support/billing.py)."""

from tests.staff.conftest import staff  # noqa: F401 (the staff CLI fixture)
from tests.support.billing import drop_dir  # noqa: F401
