"""Creating the assistant's tables in a database (no data)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.db.models import Base


def create_schema(engine: Engine) -> None:
    """Creates the missing tables; existing tables and data stay as they are."""
    Base.metadata.create_all(engine)
