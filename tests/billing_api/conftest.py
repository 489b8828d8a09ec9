"""Fixtures of the billing hand-over tests (tests/support/billing.py)."""

from tests.support.billing import drop_dir  # noqa: F401
