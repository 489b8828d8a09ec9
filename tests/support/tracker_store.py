"""A stand-in for Rasa's SQL tracker store: its `events` table in a SQLite file,
made the store `teplo privacy purge` reads (TRACKER_DB_* variables)."""

from __future__ import annotations

from typing import Iterable, Tuple

import sqlalchemy as sa


def tracker_store(tmp_path, monkeypatch, rows: Iterable[Tuple[str, float]]):
    """The store with one user event per (sender id, timestamp); returns its engine and table."""
    path = tmp_path / "tracker.db"
    engine = sa.create_engine(f"sqlite:///{path}", future=True)
    metadata = sa.MetaData()
    events = sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("type_name", sa.String(255)),
        sa.Column("timestamp", sa.Float),
        sa.Column("data", sa.Text),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        for sender_id, timestamp in rows:
            connection.execute(
                events.insert().values(
                    sender_id=sender_id, type_name="user", timestamp=timestamp, data="{}"
                )
            )
    monkeypatch.setenv("TRACKER_DB_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB_NAME", str(path))
    return engine, events
