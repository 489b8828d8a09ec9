"""Staff-managed reference data: tariffs, moved submission windows, key/value settings."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Integer,
    String,
    Text,
)

from core.db.types import Base, ExactDecimal


class Tariff(Base):
    __tablename__ = "tariffs"

    id = Column(Integer, primary_key=True)
    service = Column(String(80), nullable=False)
    category = Column(String(80), nullable=False)
    unit = Column(String(20), nullable=False)
    price_uah = Column(ExactDecimal(12, 4), nullable=False)
    valid_from = Column(Date, nullable=False)
    note = Column(Text, nullable=False, default="")


class WindowOverride(Base):
    """A month whose submission window differs from the default days."""

    __tablename__ = "window_overrides"

    period = Column(String(7), primary_key=True)  # "YYYY-MM"
    first_day = Column(Integer, nullable=True)
    last_day = Column(Integer, nullable=True)


class Setting(Base):
    """Staff-editable key/value settings (e.g. operator contacts)."""

    __tablename__ = "settings"

    key = Column(String(60), primary_key=True)
    value = Column(Text, nullable=False)
