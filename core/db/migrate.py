"""`python -m core.db.migrate`: brings DATABASE_URL's schema to the newest
revision. The production migration job (deploy/compose.yml "migrate",
deploy/systemd/teplo-migrate.service) runs it before the servers start."""

from __future__ import annotations

from core.db.engine import get_engine
from core.db.schema import current_revision, head_revision, upgrade_to_head


def main() -> None:
    engine = get_engine()
    upgrade_to_head(engine)
    print(f"schema at revision {current_revision(engine)} (head {head_revision()})")


if __name__ == "__main__":
    main()
