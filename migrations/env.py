"""Alembic environment: the assistant's tables (`Base.metadata`) and its database.

The database is the one the caller hands over (`core.db.schema.upgrade_to_head`
passes its connection), otherwise `DATABASE_URL` through `core.settings`.
SQLite gets batch mode, so that a later revision that alters a column works
there too (SQLite rebuilds the table).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from core.db.engine import make_engine
from core.db.models import Base
from core.db.schema import compare_column_type
from core.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_column_type,
        # Our column types live in core.db.types; revisions import them by name.
        user_module_prefix="core.db.types.",
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: prints the SQL instead of running it."""
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
