"""`python -m staff ...`, the same as the `teplo` command."""

from staff.cli import main

raise SystemExit(main())
