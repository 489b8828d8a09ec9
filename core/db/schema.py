"""The assistant's schema in a database: brought to the newest migration.

The tables are defined in `core.db.models`; every change to them comes with an
Alembic revision in `migrations/versions/` (docs/architecture.md: "Schema migrations").
`upgrade_to_head` is what `init-db`, the demo seed and the production
migration job run; it never drops data.
"""

from __future__ import annotations

from typing import Any, List, Optional

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from core.db.models import Base
from core.settings import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"
# The first revision: the schema as `create_all` made it before migrations.
BASELINE = "0001_baseline"


def alembic_config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration for this project, optionally bound to a connection."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in `migrations/versions/`."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/versions/ has no revision"
    return head


def current_revision(engine: Engine) -> Optional[str]:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Applies the missing revisions; existing tables and data stay.

    A database made by `create_all` before there were migrations has tables
    but no version: it is stamped at the head when it equals the models, at
    the baseline otherwise, so that only the missing revisions run.
    """
    with engine.begin() as connection:
        config = alembic_config(connection)
        if _created_before_migrations(connection):
            # Made by `create_all` of today's models: already at the head;
            # of older ones: at the baseline, and the later revisions run.
            same = not compare_metadata(MigrationContext.configure(connection), Base.metadata)
            command.stamp(config, "head" if same else BASELINE)
        command.upgrade(config, "head")


def _created_before_migrations(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "alembic_version" not in tables and "accounts" in tables


def compare_column_type(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> Optional[bool]:
    """Alembic's own type comparison (hook kept for our column types)."""
    return None


def schema_differences(engine: Engine) -> List[Any]:
    """What autogenerate would put into a new revision: empty when models and
    migrations agree (the database must be at head)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": compare_column_type})
        return compare_metadata(context, Base.metadata)
