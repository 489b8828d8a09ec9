"""One hypothesis profile for the whole suite: the same examples on every run
(derandomize), few enough to stay fast, no deadline (a busy 2-core machine is
no reason to fail), and nothing written into the work tree (no example
database; its caches under the system's temporary folder).

tests/conftest.py loads this module as a pytest plugin.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches (constants, unicode tables) in ./.hypothesis by default:
# outside the work tree instead, tests write only where they should.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "teplo-hypothesis")

settings.register_profile(
    "teplo",
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=False,
)
settings.load_profile("teplo")
