"""`python -m staff ...`"""

from staff.cli import main

raise SystemExit(main())
