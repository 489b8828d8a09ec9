"""The console's retraining page: staff labels of inbox phrases and the training runs.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Iterable, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import TrainingLabel, TrainingRun, TrainingStatus

# --- labels ----------------------------------------------------------------------------


def labels_by_key(session: Session, keys: Iterable[str]) -> Dict[str, TrainingLabel]:
    keys = list(set(keys))
    found: Dict[str, TrainingLabel] = {}
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(TrainingLabel).where(TrainingLabel.phrase_key.in_(keys[start : start + 500]))
        )
        found.update((label.phrase_key, label) for label in rows.scalars())
    return found


def set_label(
    session: Session, key: str, phrase: str, intent: Optional[str], username: str, now: datetime
) -> Optional[TrainingLabel]:
    """Labels (or discards, intent None) a phrase not merged yet; None if it was merged."""
    label = session.execute(
        select(TrainingLabel).where(TrainingLabel.phrase_key == key)
    ).scalar_one_or_none()
    if label is None:
        label = TrainingLabel(phrase_key=key, phrase=phrase)
        session.add(label)
    elif label.run_id is not None:
        return None
    label.intent, label.labelled_by, label.labelled_at = intent, username, now
    session.flush()
    return label


def pending_labels(session: Session) -> List[TrainingLabel]:
    """Phrases labelled with an intent and not merged yet, in labelling order."""
    rows = session.execute(
        select(TrainingLabel)
        .where(TrainingLabel.intent.is_not(None), TrainingLabel.run_id.is_(None))
        .order_by(TrainingLabel.labelled_at, TrainingLabel.id)
    )
    return list(rows.scalars())


# --- runs ------------------------------------------------------------------------------


def start_run(session: Session, username: str, now: datetime) -> Optional[TrainingRun]:
    """A new running run, or None while another one runs (one at a time)."""
    if running_run(session) is not None:
        return None
    run = TrainingRun(status=TrainingStatus.running.value, started_by=username, started_at=now)
    session.add(run)
    session.flush()
    return run


def running_run(session: Session) -> Optional[TrainingRun]:
    return (
        session.execute(
            select(TrainingRun)
            .where(TrainingRun.status == TrainingStatus.running.value)
            .order_by(TrainingRun.id)
        )
        .scalars()
        .first()
    )


def latest_run(session: Session) -> Optional[TrainingRun]:
    return session.execute(select(TrainingRun).order_by(TrainingRun.id.desc())).scalars().first()


def run_by_id(session: Session, run_id: int) -> Optional[TrainingRun]:
    return session.get(TrainingRun, run_id)
