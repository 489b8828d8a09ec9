"""One hypothesis profile for the whole suite: the same examples on every run
(derandomize), few enough to stay fast, no deadline (a busy 2-core machine is
no reason to fail), and no example database written into the work tree.

tests/conftest.py loads this module as a pytest plugin.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile(
    "teplo",
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=False,
)
settings.load_profile("teplo")
