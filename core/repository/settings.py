"""Staff-managed reference data: tariffs, moved submission windows, key/value settings.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import date
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import Setting, Tariff, WindowOverride


def current_tariffs(session: Session, on: date) -> List[Tariff]:
    """For each service and category, the tariff valid on the given date."""
    rows = session.execute(
        select(Tariff)
        .where(Tariff.valid_from <= on)
        .order_by(Tariff.service, Tariff.category, Tariff.valid_from.desc())
    )
    latest: dict = {}
    for tariff in rows.scalars():
        latest.setdefault((tariff.service, tariff.category), tariff)
    return list(latest.values())


def window_override(session: Session, period: str) -> Optional[WindowOverride]:
    return session.get(WindowOverride, period)


def get_setting(session: Session, key: str) -> Optional[str]:
    setting = session.get(Setting, key)
    return setting.value if setting else None


def set_setting(session: Session, key: str, value: str) -> None:
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=value))
    else:
        setting.value = value
    session.flush()
