"""Schema migrations (migrations/): an empty database, one at the baseline with
data, one made by `create_all` before migrations; and the guard that the models
and the revisions describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from core.db import engine as db_engine
from core.db.models import Account, Meter, Reading
from core.db.schema import (
    BASELINE,
    alembic_config,
    current_revision,
    head_revision,
    schema_differences,
    upgrade_to_head,
)
from core.demo.seed import seed_demo
from tests.support.db import in_session


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request, tmp_path) -> Iterator[Engine]:
    """A database with no tables at all, made the process's engine."""
    if request.param == "sqlite":
        engine = db_engine.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        engine = db_engine.make_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db_engine.use_engine(engine)
    yield engine
    db_engine.use_engine(None)
    engine.dispose()


def _upgrade_to(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _snapshot() -> tuple:
    """What a clerk would check after an upgrade: counts and one exact reading."""

    def read(session):
        counts = tuple(
            session.execute(select(func.count(model.id))).scalar_one()
            for model in (Account, Meter, Reading)
        )
        values = sorted(session.execute(select(Reading.value)).scalars())
        return counts, values[0], values[-1]

    return in_session(read)


def test_an_empty_database_is_brought_to_the_newest_revision(empty):
    upgrade_to_head(empty)
    assert current_revision(empty) == head_revision()
    assert schema_differences(empty) == []
    upgrade_to_head(empty)  # a second run changes nothing
    assert current_revision(empty) == head_revision()


def test_models_and_migrations_agree(empty):
    """Fails when a model changed without a revision: run
    `.venv/bin/alembic revision --autogenerate -m "..."` (docs/architecture.md)."""
    upgrade_to_head(empty)
    differences = schema_differences(empty)
    assert differences == [], f"models differ from migrations/: {differences}"


def test_the_guard_sees_a_table_the_models_do_not_know(empty):
    upgrade_to_head(empty)
    with empty.begin() as connection:
        connection.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    assert [d[0] for d in schema_differences(empty)] == ["remove_table"]


def test_a_database_at_the_baseline_keeps_its_data_through_the_upgrade(empty, now):
    _upgrade_to(empty, BASELINE)
    assert in_session(lambda s: seed_demo(s, now))
    before = _snapshot()
    assert before[0][0] == 36 and isinstance(before[1], Decimal)

    upgrade_to_head(empty)

    assert current_revision(empty) == head_revision()
    assert _snapshot() == before
    assert schema_differences(empty) == []


def test_a_database_made_before_migrations_is_adopted_not_recreated(empty, now):
    # Today's deployments: the baseline's tables, data, and no alembic_version.
    _upgrade_to(empty, BASELINE)
    with empty.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    in_session(lambda s: seed_demo(s, now))
    before = _snapshot()

    upgrade_to_head(empty)

    assert current_revision(empty) == head_revision()
    assert _snapshot() == before


def test_staff_init_db_runs_the_migrations(tmp_path):
    from staff.cli import main

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    try:
        assert main(["--database-url", url, "init-db"]) == 0
        assert current_revision(db_engine.get_engine()) == head_revision()
    finally:
        db_engine.use_engine(None)
