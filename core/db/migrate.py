"""`python -m core.db.migrate`: brings DATABASE_URL's schema to the newest
revision, as DATABASE_OWNER_URL's role when set. The production migration job (deploy/compose.yml "migrate",
deploy/systemd/teplo-migrate.service) runs it before the servers start."""

from __future__ import annotations

from core import preflight
from core.db.engine import make_engine
from core.db.schema import current_revision, head_revision, upgrade_to_head
from core.settings import get_settings


def main() -> None:
    preflight.start("migrate")
    settings = get_settings()
    # As the owner role (deploy/postgres/roles.sql): the services' role cannot change the schema.
    engine = make_engine(settings.database_owner_url or settings.database_url)
    upgrade_to_head(engine)
    print(f"schema at revision {current_revision(engine)} (head {head_revision()})")


if __name__ == "__main__":
    main()
