"""Test shorthand: run one function in a unit of work and return its result; empty
a database between tests."""

from typing import Callable, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db.engine import unit_of_work
from core.db.models import Base

T = TypeVar("T")


def in_session(work: Callable[[Session], T]) -> T:
    with unit_of_work() as session:
        return work(session)


def empty_all_tables(engine: Engine) -> None:
    """Every table of the models emptied, the schema kept: a fresh database at a
    fraction of DROP + CREATE. PostgreSQL: one TRUNCATE ... RESTART IDENTITY CASCADE
    for all tables; SQLite (no TRUNCATE): DELETE, children first, in one transaction
    (ids start at 1 again: the tables use no AUTOINCREMENT)."""
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
